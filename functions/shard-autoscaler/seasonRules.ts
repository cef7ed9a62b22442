/**
 * The policy's rules for a season it pre-scales for (hold.ts, `PreScale`): when to go up before an
 * event, when a call inside one does not pay, and how low to go between events. Pure.
 */
import type { PolicyConfig } from "./config";
import { PreScale, preScaleLead, seasonPlanFits } from "./hold";
import { MINUTE_MS, callsNeeded } from "./rules";

/**
 * Whether the next event is due: from `shards`, its count must be in place before it (each call
 * one resharding, and the season's tolerance early), and the calls to come back down to `held`
 * after it must be left too.
 */
export function preScaleDue(
  pre: PreScale,
  shards: number,
  held: number,
  callsFree: number,
  now: number,
  c: PolicyConfig,
): boolean {
  const { next, tolerance } = pre.season;
  return (
    shards < pre.shards &&
    now >= next - preScaleLead(pre, shards, c) * MINUTE_MS &&
    now <= next + tolerance * MINUTE_MS &&
    callsNeeded(shards, pre.shards) + callsNeeded(pre.shards, held) <= callsFree
  );
}

/**
 * Whether a scale-up call inside the season's newest event does not pay: the count is what the
 * prices chose for its minutes (eventShards) and demand is within what its events reached, or a
 * call's shards would open after the event's usual end while the newest datapoint (at `dataEnd`)
 * does not yet show it outlasting that (one that does is treated as any load).
 */
export function insideEvent(
  pre: PreScale,
  shards: number,
  recentPeak: number,
  dataEnd: number,
  now: number,
  c: PolicyConfig,
): boolean {
  const current = pre.season.events[pre.season.events.length - 1];
  const usualEnd = current.at + pre.season.length * MINUTE_MS;
  return (
    (shards >= pre.shards && recentPeak <= pre.season.peak) ||
    (dataEnd <= usualEnd && now + c.reshardMinutes * MINUTE_MS > usualEnd)
  );
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
 * unused; the reserve stays for bursts the history does not foresee.
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
  for (let m = Math.max(pre.base, c.minShards, lowest); m < held; m++)
    if (seasonPlanFits(callTimes, now, shards, m, held, pre, c)) return m;
  return held;
}
