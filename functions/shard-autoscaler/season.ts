/**
 * Events that recur at a stable period (a batch every 8 hours, a nightly job): when the next one
 * is due, so that the policy can add the shards before it instead of throttling a reaction's
 * worth of it. Pure, from the per-minute demand GetMetricData returns (it survives cold starts).
 */
import { MINUTE_MS } from "./rules";

// A local copy: the compiled module reads imports through getters, slow in per-minute loops.
const MINUTE = MINUTE_MS;

/** One event of the history: where demand at least doubled within a reaction, and how high. */
export interface LoadEvent {
  /** Epoch ms of its first minute. */
  at: number;
  /** Epoch ms of its last minute above the midpoint between its base and its peak. */
  end: number;
  /** Its peak demand, in shards at 100%. */
  peak: number;
  /** Whether it is over: demand stayed at or below the midpoint for a reaction since `end`. */
  closed: boolean;
}

/** Events a season needs in a row (three gaps agreeing): two could agree by chance. */
export const SEASON_MIN_EVENTS = 4;
/** The shortest period looked for: shorter ones recur faster than any call budget follows. */
export const SEASON_MIN_PERIOD_MINUTES = 60;

/**
 * The events of per-minute demand (shards at 100%, index 0 = `startMs`): a minute at least twice,
 * and at least a shard above, the mean of the `reaction` minutes before it starts one; it lasts
 * until demand has stayed at or below the midpoint of its base and its peak for `reaction`
 * minutes. A rise a reaction follows (a daily cycle) starts none.
 */
export function findEvents(
  demand: ArrayLike<number>,
  startMs: number,
  reaction: number,
): LoadEvent[] {
  const out: LoadEvent[] = [];
  let sum = 0;
  let live: { at: number; end: number; peak: number; base: number; low: number } | undefined;
  for (let t = 0; t < demand.length; t++) {
    const d = demand[t];
    const span = Math.min(t, reaction);
    const before = span > 0 ? sum / span : d;
    if (live) {
      live.peak = Math.max(live.peak, d);
      if (d > (live.base + live.peak) / 2) {
        live.end = t;
        live.low = 0;
      } else if (++live.low >= reaction) {
        out.push({ ...toEvent(live, startMs), closed: true });
        live = undefined;
      }
    } else if (span > 0 && d >= 2 * before && d - before >= 1) {
      live = { at: t, end: t, peak: d, base: before, low: 0 };
    }
    sum += d;
    if (t >= reaction) sum -= demand[t - reaction];
  }
  if (live) out.push({ ...toEvent(live, startMs), closed: false });
  return out;
}

const toEvent = (e: { at: number; end: number; peak: number }, startMs: number) => ({
  at: startMs + e.at * MINUTE,
  end: startMs + e.end * MINUTE,
  peak: e.peak,
});

/** A chain of events at a stable period, and when the next is due. */
export interface Season {
  /** Minutes between onsets. */
  period: number;
  /** Minutes an onset may come early or late: what the chain showed plus one (at least 2). */
  tolerance: number;
  /** Epoch ms of the next onset expected (the last one plus the period). */
  next: number;
  /** The largest peak of the chain's events, in shards at 100%. */
  peak: number;
  /** Minutes the longest of them lasted (from its onset to its last minute above the midpoint). */
  length: number;
  /** The chain's events, oldest first. */
  events: LoadEvent[];
}

/** Newest events a chain may end with (bursts of other kinds may have come after its last). */
const SEASON_ANCHORS = 4;

/**
 * The longest chain of events at one period: for each of the newest events and each period its
 * gaps to older ones suggest, the events found within 2% of the period (at least 2 minutes) of
 * every multiple of it back, without a multiple missed. A chain of at least SEASON_MIN_EVENTS
 * makes a season, unless its next event is overdue at `now` (the habit is broken; the hold
 * rules take over again). Ties go to the newer chain, then the shorter period.
 */
export function findSeason(events: readonly LoadEvent[], now: number): Season | undefined {
  let best: Season | undefined;
  for (let a = events.length - 1; a >= Math.max(0, events.length - SEASON_ANCHORS); a--) {
    const last = events[a];
    for (let j = a - 1; j >= 0; j--) {
      const period = Math.round((last.at - events[j].at) / MINUTE);
      if (period < SEASON_MIN_PERIOD_MINUTES) continue;
      const next = last.at + period * MINUTE;
      const window = Math.max(2, Math.round(period * 0.02));
      const chain = [last];
      let jitter = 0;
      let k = a - 1;
      for (let i = 1; ; i++) {
        const expected = last.at - i * period * MINUTE;
        while (k >= 0 && events[k].at > expected + window * MINUTE) k--;
        if (k < 0 || events[k].at < expected - window * MINUTE) break;
        jitter = Math.max(jitter, Math.abs(events[k].at - expected) / MINUTE);
        chain.unshift(events[k]);
      }
      // Early or late by what the chain showed, and a minute either way for the onset's minute.
      const tolerance = Math.max(2, Math.ceil(jitter) + 1);
      if (chain.length < SEASON_MIN_EVENTS || (best && chain.length <= best.events.length))
        continue;
      if (now > next + tolerance * MINUTE) continue;
      best = {
        period,
        tolerance,
        next,
        peak: Math.max(...chain.map((e) => e.peak)),
        length: Math.max(...chain.map((e) => (e.end - e.at) / MINUTE)) + 1,
        events: chain,
      };
    }
  }
  return best;
}
