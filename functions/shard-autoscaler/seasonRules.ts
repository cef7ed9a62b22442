/**
 * The policy's rules for events: for a season it pre-scales for (hold.ts, `PreScale`), when to go
 * up before an event, when one is over and how low to go between them; for any burst under way,
 * whether a call pays before it ends. Pure.
 */
import type { PolicyConfig } from "./config";
import { callValue, shardMinutePrices } from "./history";
import { PreScale, preScaleLead, seasonPlanFits } from "./hold";
import type { LoadEvent } from "./season";
import { MINUTE_MS, callsNeeded } from "./rules";

/**
 * Whether the next event is due: from `shards`, its count must be in place before it (each call
 * one resharding, and the season's tolerance early) and the calls up must be left. The calls back
 * down come later, when some of today's have expired; a reaction would spend the same calls up
 * after throttling the event's first minutes.
 */
export function preScaleDue(
  pre: PreScale,
  shards: number,
  callsFree: number,
  now: number,
  c: PolicyConfig,
): boolean {
  const { next, tolerance } = pre.season;
  return (
    shards < pre.shards &&
    now >= next - preScaleLead(pre, shards, c) * MINUTE_MS &&
    now <= next + tolerance * MINUTE_MS &&
    callsNeeded(shards, pre.shards) <= callsFree
  );
}

/** Past events a burst under way is compared with: fewer say nothing of how long it lasts. */
const LIKE_EVENTS = 3;

/**
 * Whether a scale-up call pays inside the burst under way (the newest event, not over): the
 * history's events that lasted at least as long so far say when it ends (their median length),
 * and the throttling the call saves from when its shards open to then (the newest excess over
 * `shards`) must beat the call and the one back down. Without LIKE_EVENTS such events nothing is
 * known, and it pays.
 */
export function callPaysInBurst(
  events: readonly LoadEvent[],
  shards: number,
  recentPeak: number,
  dataEnd: number,
  now: number,
  c: PolicyConfig,
): boolean {
  const current = events[events.length - 1];
  if (!current || current.closed) return true;
  const elapsed = dataEnd - current.at;
  const lengths = events
    .slice(0, -1)
    .map((e) => e.end - e.at)
    .filter((l) => l >= elapsed)
    .sort((a, b) => a - b);
  if (lengths.length < LIKE_EVENTS) return true;
  const end = current.at + lengths[Math.floor(lengths.length / 2)] + MINUTE_MS;
  const helped = (end - now) / MINUTE_MS - c.reshardMinutes;
  const saved =
    Math.max(0, recentPeak - shards) * Math.max(0, helped) * shardMinutePrices(c).throttle;
  return saved > 2 * callValue(c);
}

/** Epoch ms from which the season's newest event is over, or -Infinity while it is not. */
export function eventOverAt(pre: PreScale): number {
  const current = pre.season.events[pre.season.events.length - 1];
  return current.closed ? current.end + MINUTE_MS : -Infinity;
}

/**
 * The least count to go to between events: below the hold level (`held`, the season's floor or
 * more) when the calls the next 24 hours need are still there, never below what the other bursts
 * want (`pre.base`) nor a legal step from `shards` (`lowest`). Those are calls that would expire
 * unused; the reserve stays for bursts the history does not foresee. While the next event is due,
 * the event's count.
 */
export function lowestBetween(
  pre: PreScale,
  callTimes: readonly number[],
  shards: number,
  held: number,
  lowest: number,
  now: number,
  c: PolicyConfig,
): number {
  // Never below the event's count while it is due or under way (the quiet window cannot see it).
  const { next, tolerance, length } = pre.season;
  const dueFrom = next - preScaleLead(pre, held, c) * MINUTE_MS;
  if (now >= dueFrom && now <= next + (tolerance + length) * MINUTE_MS)
    return Math.max(held, pre.shards);
  for (let m = Math.max(pre.base, c.minShards, lowest); m < held; m++)
    if (seasonPlanFits(callTimes, now, shards, m, held, pre, c)) return m;
  return held;
}
