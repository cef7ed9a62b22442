/**
 * The cost model and what recent history says about bursts. Pure: the policy weighs every
 * scale-down with it, from the datapoints GetMetricData returns (so it survives cold starts).
 *
 * Prices: a shard costs `shardHourUsd / 60` per minute; one minute of demand one shard above
 * capacity throttles 60 MiB, which costs `throttledGbUsd * 60 / 1024`. At list price and $1/GiB
 * that is $0.00025 against $0.0586: one throttled shard-minute pays for 234 shard-minutes of
 * capacity, so capacity that prevents a burst's first minutes is cheap unless bursts are rare.
 */
import type { PolicyConfig } from "./config";
import { MINUTE_MS, SHARD_BYTES_PER_MINUTE, callsNeeded } from "./rules";

// A local copy: the compiled module reads imports through getters, slow in per-minute loops.
const MINUTE = MINUTE_MS;

/** Dollars per shard-minute: of provisioned capacity, and of demand above capacity (throttled). */
export function shardMinutePrices(c: PolicyConfig): { capacity: number; throttle: number } {
  return {
    capacity: c.shardHourUsd / 60,
    throttle: (c.throttledGbUsd * SHARD_BYTES_PER_MINUTE) / 1024 ** 3,
  };
}

/**
 * Minutes from a burst's onset until the first call's shards take writes: the publishing delay,
 * the breaching datapoints the policy waits for, and the resharding itself.
 */
export function reactionMinutes(c: PolicyConfig): number {
  return c.metricDelayMinutes + c.scaleUpDatapoints + c.reshardMinutes;
}

/** One block of history: its peak demand and its fastest rise, in shards at 100% utilisation. */
export interface Burst {
  /** Epoch ms of the block's start. */
  at: number;
  peak: number;
  /**
   * Largest increase of demand over its mean of the reaction time before (what a reactive scaler
   * cannot follow).
   */
  rise: number;
  /**
   * That mean, where the fastest rise started: the load a reactive scaler had already followed
   * (a block inside a long plateau rises from the plateau, not from the quiet before it).
   */
  base: number;
  /** Epoch ms of the minute of that rise. */
  riseAt: number;
}

/** Blocks the history is cut into: one burst counts once per block. */
export const BLOCK_MINUTES = 60;

/**
 * Summarises per-minute demand (shards at 100%, index 0 = `startMs`) into blocks of peak and
 * fastest rise over `reaction` minutes.
 */
export function summarise(demand: ArrayLike<number>, startMs: number, reaction: number): Burst[] {
  const out: Burst[] = [];
  // Sliding sum of the `reaction` minutes before t.
  let sum = 0;
  for (let b = 0; b * BLOCK_MINUTES < demand.length; b++) {
    let peak = 0;
    let rise = 0;
    let base = 0;
    let riseAt = 0;
    const end = Math.min(demand.length, (b + 1) * BLOCK_MINUTES);
    for (let t = b * BLOCK_MINUTES; t < end; t++) {
      const d = demand[t];
      peak = Math.max(peak, d);
      // From the level before (the reaction's mean, not its lowest minute: noise around a level
      // is no rise a scale-up must follow, the threshold's headroom carries it).
      const span = Math.min(t, reaction);
      const before = span > 0 ? sum / span : d;
      if (d - before > rise || t === b * BLOCK_MINUTES) {
        rise = Math.max(rise, d - before);
        base = before;
        riseAt = startMs + t * MINUTE;
      }
      sum += d;
      if (t >= reaction) sum -= demand[t - reaction];
    }
    out.push({ at: startMs + b * BLOCK_MINUTES * MINUTE, peak, rise, base, riseAt });
  }
  return out;
}

/**
 * Dollars a burst like `b` would throttle if it arrived while the stream had `shards` shards and
 * the policy reacted as fast as it can. A reactive scaler has followed the load before the rise
 * (it holds at least `base` at the scale-up threshold); what the rise brings beyond that capacity
 * is throttled for one reaction, then every further doubling it needs leaves the rest above
 * capacity for one more resharding.
 */
export function missCost(shards: number, b: Burst, c: PolicyConfig): number {
  const from = Math.max(shards, b.base / c.scaleUpThreshold);
  const excess = Math.min(b.peak, b.base + b.rise) - from;
  if (excess <= 0) return 0;
  const { throttle } = shardMinutePrices(c);
  let cost = excess * reactionMinutes(c);
  for (let cap = from * 2; cap < b.peak; cap *= 2) cost += (b.peak - cap) * c.reshardMinutes;
  return cost * throttle;
}

/** Calls a scale-up for burst `b` from `shards` would take (to the target utilisation). */
export function callsToCover(shards: number, b: Burst, c: PolicyConfig): number {
  return callsNeeded(shards, Math.max(shards, Math.ceil(b.peak / c.targetUtilisation - 1e-9)));
}

/** What one call is worth: one shard's throttling for one reaction (a call spent now is missing later). */
export function callValue(c: PolicyConfig): number {
  return shardMinutePrices(c).throttle * reactionMinutes(c);
}

/** What holding a count risks against the history's bursts (`missRisk`). */
export interface MissRisk {
  /** Expected throttling dollars per day. */
  perDay: number;
  /** Expected bursts per day it would not absorb. */
  episodesPerDay: number;
  /** Most calls one of them would take to cover (0 when none recurs). */
  callsBack: number;
}

/**
 * The throttling `shards` risks per day against the bursts of the history it would not absorb.
 * The rate is that of a recurring event, from the gaps between them: k such bursts give k - 1
 * gaps over the time from the first to the history's end. The first of a kind is what made it
 * known, no evidence that it comes back: a one-off (a launch, a backfill, a step that passed)
 * risks nothing and is not held for, the second one makes it a habit.
 */
export function missRisk(shards: number, bursts: readonly Burst[], c: PolicyConfig): MissRisk {
  let k = 0;
  let sum = 0;
  let first = 0;
  let callsBack = 0;
  let lastRise = -Infinity;
  const reaction = reactionMinutes(c) * MINUTE;
  for (let i = 0; i < bursts.length; i++) {
    const miss = missCost(shards, bursts[i], c);
    if (miss <= 0) continue;
    // A rise that straddles two blocks shows in both: it is one burst.
    const same = bursts[i].riseAt - lastRise <= reaction;
    lastRise = bursts[i].riseAt;
    if (same) continue;
    if (k === 0) first = i;
    k++;
    sum += miss;
    callsBack = Math.max(callsBack, callsToCover(shards, bursts[i], c));
  }
  if (k < 2) return { perDay: 0, episodesPerDay: 0, callsBack: 0 };
  const episodesPerDay = ((k - 1) * 1440) / ((bursts.length - first) * BLOCK_MINUTES);
  return { perDay: (sum / k) * episodesPerDay, episodesPerDay, callsBack };
}

/**
 * Expected dollars a day of holding `shards` against the history's bursts: the capacity, and the
 * throttling of one reaction (`missCost`) for every recurring burst it would not absorb
 * (`missRisk`).
 */
export function holdCost(shards: number, bursts: readonly Burst[], c: PolicyConfig): number {
  return shards * shardMinutePrices(c).capacity * 1440 + missRisk(shards, bursts, c).perDay;
}

export interface HoldChoice {
  /** The count to scale down to (`current` when holding is cheaper). */
  shards: number;
  /** Expected dollars saved per day by going to `shards` instead of holding `current`. */
  netPerDay: number;
  reason: string;
}

/**
 * The scale-down target the cost model prefers, between `lowest` (what the quiet window needs)
 * and `current`. Going from n to m saves (n - m) shard-minutes every minute; it risks, for every
 * recurring burst of the history that m would not absorb, the throttling of one reaction
 * (`missRisk`). A level is also out when its bursts recur faster than the call budget can follow
 * (each needs its calls up and one back down in 24 h), or when the calls left would not bring the
 * stream back up to such a burst plus the reserve.
 */
export function chooseHold(
  current: number,
  lowest: number,
  bursts: readonly Burst[],
  callsFree: number,
  c: PolicyConfig,
): HoldChoice {
  const { capacity } = shardMinutePrices(c);
  // A call spent now is missing for a burst later: a scale-down must save more per day than one
  // shard's worth of one reaction's throttling.
  const worth = callValue(c);
  const atCurrent = missRisk(current, bursts, c).perDay;
  let best: HoldChoice = { shards: current, netPerDay: 0, reason: "holding is cheapest" };
  let keptCalls = false;
  for (let m = lowest; m < current; m++) {
    const risk = missRisk(m, bursts, c);
    const netPerDay = (current - m) * capacity * 1440 - (risk.perDay - atCurrent);
    if (risk.episodesPerDay * (risk.callsBack + 1) + 1 > c.maxCallsPer24h) continue;
    if (callsFree - 1 < risk.callsBack + c.reserveCalls) {
      keptCalls = true;
      continue;
    }
    if (netPerDay > Math.max(worth, best.netPerDay))
      best = {
        shards: m,
        netPerDay,
        reason: `saves $${netPerDay.toFixed(2)}/day net of ${risk.episodesPerDay.toFixed(1)} burst(s) a day it would miss`,
      };
  }
  if (best.shards === current && keptCalls)
    best.reason = `the calls left are kept for scale-ups (reserve ${c.reserveCalls})`;
  return best;
}

/**
 * The one count that would have served `demand` (per-minute shards at 100%) most cheaply had it
 * been held throughout, from the prices alone: n shards cost `capacity` a minute each and every
 * minute throttles what exceeds them, so the cost is convex in n, and least where the share of
 * minutes above n crosses capacity/throttle (0.43% at list price, about 6 a day): the empirical
 * newsvendor count, rounded to the cheaper whole count. 0 without demand.
 */
export function staticOptimum(demand: ArrayLike<number>, c: PolicyConfig): number {
  const { capacity, throttle } = shardMinutePrices(c);
  // Minutes allowed above the count: one more shard saves `throttle` in each of them.
  const allowed = Math.floor((demand.length * capacity) / throttle);
  if (allowed + 1 > demand.length) return 0;
  // The (allowed + 1)-th largest minute, kept in a small ascending array (allowed is ~0.4%).
  const top: number[] = [];
  for (let i = 0; i < demand.length; i++) {
    const d = demand[i];
    if (top.length > allowed && d <= top[0]) continue;
    let k = top.findIndex((x) => x > d);
    if (k < 0) k = top.length;
    top.splice(k, 0, d);
    if (top.length > allowed + 1) top.shift();
  }
  // The cost is convex with its minimum at that minute's demand: the best whole count is the
  // cheaper of the two around it.
  const hi = Math.ceil(top[0] - 1e-9);
  const lo = Math.max(0, hi - 1);
  let above = 0;
  for (let i = 0; i < demand.length; i++)
    above += Math.max(0, demand[i] - lo) - Math.max(0, demand[i] - hi);
  // Going from lo to hi adds `capacity` each minute and saves `throttle` per shard-minute above.
  return demand.length * capacity < throttle * above ? hi : lo;
}

/**
 * The count the history's bursts want held before the next one comes: from the static optimum
 * (`staticOptimum`) down to the count below which a reactive scale-up no longer pays, i.e. the
 * hold rule (`chooseHold`) from the optimum with a full call budget. A stream below it expects to
 * throttle more in a day than the shards it saves are worth; load that rises no faster than a
 * reaction follows (a daily cycle) wants no count held, bursts that outrun it (batches, spikes)
 * want their peak held.
 */
export function holdLevel(
  demand: ArrayLike<number>,
  bursts: readonly Burst[],
  c: PolicyConfig,
  /** The least count it may return (a season's floor, hold.ts). Default: minShards. */
  lowest = c.minShards,
): number {
  const top = Math.max(lowest, staticOptimum(demand, c));
  return chooseHold(top, lowest, bursts, c.maxCallsPer24h, c).shards;
}
