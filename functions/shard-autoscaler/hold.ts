/**
 * What a history wants held: its bursts, its static optimum and its hold level, with the events of
 * a season (season.ts) taken out of the bursts when the call budget can pre-scale for each of
 * them. Pure.
 */
import type { PolicyConfig } from "./config";
import {
  Burst,
  BLOCK_MINUTES,
  callValue,
  holdLevel,
  reactionMinutes,
  shardMinutePrices,
  staticOptimum,
  summarise,
} from "./history";
import { MINUTE_MS, callsNeeded } from "./rules";
import { Season, findEvents, findSeason } from "./season";

/** A season the policy pre-scales for: when, to what, and the least count it holds between. */
export interface PreScale {
  season: Season;
  /** The count each event wants in place (its chain's peak). */
  shards: number;
  /** The count held between events: one call or more below `shards`, as the budget allows. */
  floor: number;
}

/** What a history says should be held (`holdView`). */
export interface HoldView {
  /** The bursts the hold rules weigh (a pre-scaled season's events taken out). */
  bursts: Burst[];
  /** The static optimum (`staticOptimum`). */
  top: number;
  /** The hold level (`holdLevel`). */
  held: number;
  /** The largest minute. */
  max: number;
  /** The season pre-scaled for, if any. */
  preScale?: PreScale;
}

/**
 * The least count to hold between the events of `season`, or undefined when the call budget
 * cannot pre-scale for each of them: every 24 h sees up to ceil(1440 / period) events, and each
 * needs its calls up and as many back down, with the reserve kept.
 */
export function seasonFloor(season: Season, shards: number, c: PolicyConfig): number | undefined {
  const perDay = Math.ceil(1440 / season.period);
  const eachWay = Math.floor((c.maxCallsPer24h - c.reserveCalls) / perDay / 2);
  if (eachWay < 1) return undefined;
  return Math.max(c.minShards, Math.ceil(shards / 2 ** eachWay));
}

/** Summarises per-minute demand (index 0 = `startMs`, the last minute published) into what it wants held. */
export function holdView(demand: Float64Array, startMs: number, c: PolicyConfig): HoldView {
  const reaction = reactionMinutes(c);
  const all = summarise(demand, startMs, reaction);
  let max = 0;
  for (const d of demand) max = Math.max(max, d);
  const top = staticOptimum(demand, c);
  const held = holdLevel(demand, all, c);
  const view: HoldView = { bursts: all, top, held, max };
  const end = startMs + (demand.length - 1) * MINUTE_MS;
  const season = findSeason(findEvents(demand, startMs, reaction), end);
  if (!season) return view;
  const shards = Math.min(c.maxShards, Math.ceil(season.peak - 1e-9));
  const floor = seasonFloor(season, shards, c);
  if (floor === undefined || floor >= held) return view;
  // Its blocks are pre-scaled, not held for: the hold rules weigh the other bursts.
  const inEvent = (b: Burst) =>
    season.events.some((e) => b.at + BLOCK_MINUTES * MINUTE_MS > e.at && b.at <= e.end);
  const bursts = all.filter((b) => !inEvent(b));
  const between = Math.max(floor, holdLevel(demand, bursts, c, floor));
  // Pre-scaling pays when the shards it saves between two events are worth more than its calls.
  const calls = callsNeeded(between, shards) + callsNeeded(shards, between);
  const saved = (held - between) * shardMinutePrices(c).capacity * season.period;
  if (between >= held || saved <= calls * callValue(c)) return view;
  return { bursts, top, held: between, max, preScale: { season, shards, floor } };
}
