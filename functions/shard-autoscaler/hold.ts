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
import { DAY_MS, MINUTE_MS, callsNeeded } from "./rules";
import { LoadEvent, Season, findEvents, findSeason } from "./season";

/** A season the policy pre-scales for: when, to what, and what the other bursts want. */
export interface PreScale {
  season: Season;
  /** The count each event wants in place (`eventShards`). */
  shards: number;
  /** What the other bursts want held (the hold level without the season's floor). */
  base: number;
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
  /** The history's events (season.ts findEvents), oldest first. */
  events: LoadEvent[];
  /** The season pre-scaled for, if any. */
  preScale?: PreScale;
}

/**
 * How many halvings the call budget allows between the events of `season` (0: it cannot
 * pre-scale for each of them): every 24 h sees up to ceil(1440 / period) events, and each needs
 * its calls up and as many back down, with the reserve kept.
 */
export function seasonHalvings(season: Season, c: PolicyConfig): number {
  const perDay = Math.ceil(1440 / season.period);
  return Math.max(0, Math.floor((c.maxCallsPer24h - c.reserveCalls) / perDay / 2));
}

/**
 * The least count to hold between the events of `season`, `shards` halved as often as the budget
 * allows (`seasonHalvings`), or undefined when it cannot pre-scale for each of them.
 */
export function seasonFloor(season: Season, shards: number, c: PolicyConfig): number | undefined {
  const halvings = seasonHalvings(season, c);
  if (halvings < 1) return undefined;
  return Math.max(c.minShards, Math.ceil(shards / 2 ** halvings));
}

/** Minutes before an event a pre-scale of `calls` calls starts (each call one resharding). */
function leadMinutes(season: Season, calls: number, c: PolicyConfig): number {
  return calls * (c.reshardMinutes + 1) + season.tolerance;
}

/**
 * Minutes after an event's last minute above its midpoint until the policy knows it is over (a
 * reaction below the midpoint, then the publishing delay) and scales down.
 */
function overAfterMinutes(c: PolicyConfig): number {
  return reactionMinutes(c) + c.metricDelayMinutes;
}

/**
 * The count a season's events want in place (the newsvendor rule over their minutes): one more
 * shard costs its price for as long as a pre-scale holds it (the lead, the event, and the reaction
 * and publishing delay until the event is known to be over), and between events the share of it
 * the floor keeps (halved `seasonHalvings` times); it saves the throttling of every event minute
 * above the count. So the count lets through the largest minutes whose share is that price ratio.
 */
export function eventShards(
  demand: ArrayLike<number>,
  startMs: number,
  season: Season,
  c: PolicyConfig,
): number {
  const samples: number[] = [];
  for (const e of season.events) {
    const to = Math.min(demand.length - 1, (e.end - startMs) / MINUTE_MS);
    for (let i = Math.max(0, (e.at - startMs) / MINUTE_MS); i <= to; i++) samples.push(demand[i]);
  }
  if (samples.length === 0) return Math.ceil(season.peak - 1e-9);
  samples.sort((a, b) => b - a);
  const length = samples.length / season.events.length;
  const during = leadMinutes(season, 1, c) + length + overAfterMinutes(c);
  const halvings = seasonHalvings(season, c);
  const between = halvings > 0 ? Math.max(0, season.period - during) / 2 ** halvings : 0;
  const heldMinutes = during + between;
  const { capacity, throttle } = shardMinutePrices(c);
  const allowed = Math.floor((samples.length * capacity * heldMinutes) / (throttle * length));
  return Math.max(1, Math.ceil(samples[Math.min(allowed, samples.length - 1)] - 1e-9));
}

/**
 * Summarises per-minute demand (index 0 = `startMs`, the last element the last minute published)
 * into what it wants held.
 */
export function holdView(demand: Float64Array, startMs: number, c: PolicyConfig): HoldView {
  const reaction = reactionMinutes(c);
  const all = summarise(demand, startMs, reaction);
  let max = 0;
  for (const d of demand) max = Math.max(max, d);
  const top = staticOptimum(demand, c);
  const held = holdLevel(demand, all, c);
  const events = findEvents(demand, startMs, reaction);
  const view: HoldView = { bursts: all, top, held, max, events };
  const end = startMs + (demand.length - 1) * MINUTE_MS;
  const season = findSeason(events, end);
  if (!season) return view;
  const shards = Math.min(c.maxShards, eventShards(demand, startMs, season, c));
  const floor = seasonFloor(season, shards, c);
  if (floor === undefined || floor >= held) return view;
  // Its blocks are pre-scaled, not held for: the hold rules weigh the other bursts.
  const inEvent = (b: Burst) =>
    season.events.some((e) => b.at + BLOCK_MINUTES * MINUTE_MS > e.at && b.at <= e.end);
  const bursts = all.filter((b) => !inEvent(b));
  const base = holdLevel(demand, bursts, c);
  const between = Math.max(floor, base);
  // Pre-scaling pays when the shards it saves between two events are worth more than its calls.
  const calls = callsNeeded(between, shards) + callsNeeded(shards, between);
  const saved = (held - between) * shardMinutePrices(c).capacity * season.period;
  if (between >= held || saved <= calls * callValue(c)) return view;
  return { ...view, bursts, held: between, preScale: { season, shards, base } };
}

/** Minutes before an event its pre-scale starts from `from` shards (each call one resharding). */
export function preScaleLead(pre: PreScale, from: number, c: PolicyConfig): number {
  return leadMinutes(pre.season, callsNeeded(from, pre.shards), c);
}

/**
 * Whether going from `from` to `to` shards now leaves every call the season's next 24 hours need,
 * with the reserve kept in every rolling 24 h: the calls up to `pre.shards` before the next
 * event and one back down to `held` after it (once it is known to be over), then one up and one
 * down for each event after. Calls the plan makes from calls that would otherwise expire unused
 * cost nothing; the reserve is what unforeseen bursts need.
 */
export function seasonPlanFits(
  callTimes: readonly number[],
  now: number,
  from: number,
  to: number,
  held: number,
  pre: PreScale,
  c: PolicyConfig,
): boolean {
  const planned: number[] = [];
  for (let i = callsNeeded(from, to); i > 0; i--) planned.push(now);
  const { season } = pre;
  const after = (season.length + overAfterMinutes(c)) * MINUTE_MS;
  let level = to;
  for (let t = season.next; t <= now + DAY_MS; t += season.period * MINUTE_MS) {
    const start = t - preScaleLead(pre, level, c) * MINUTE_MS;
    for (let i = callsNeeded(level, pre.shards); i > 0; i--) planned.push(start);
    for (let i = callsNeeded(pre.shards, held); i > 0; i--) planned.push(t + after);
    level = held;
  }
  const all = [...callTimes, ...planned];
  const limit = c.maxCallsPer24h - c.reserveCalls;
  return planned.every((p) => all.filter((x) => x > p - DAY_MS && x <= p).length <= limit);
}
