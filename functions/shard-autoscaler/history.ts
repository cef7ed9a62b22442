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
  /** Largest increase of demand within the reaction time (what a reactive scaler cannot follow). */
  rise: number;
}

/** Blocks the history is cut into: one burst counts once per block. */
export const BLOCK_MINUTES = 60;

/**
 * Summarises per-minute demand (shards at 100%, index 0 = `startMs`) into blocks of peak and
 * fastest rise over `reaction` minutes.
 */
export function summarise(demand: ArrayLike<number>, startMs: number, reaction: number): Burst[] {
  const out: Burst[] = [];
  for (let b = 0; b * BLOCK_MINUTES < demand.length; b++) {
    let peak = 0;
    let rise = 0;
    const end = Math.min(demand.length, (b + 1) * BLOCK_MINUTES);
    for (let t = b * BLOCK_MINUTES; t < end; t++) {
      const d = demand[t];
      peak = Math.max(peak, d);
      let low = d;
      for (let k = Math.max(0, t - reaction); k < t; k++) low = Math.min(low, demand[k]);
      rise = Math.max(rise, d - low);
    }
    out.push({ at: startMs + b * BLOCK_MINUTES * MINUTE_MS, peak, rise });
  }
  return out;
}

/**
 * Dollars a burst like `b` would throttle if it arrived while the stream had `shards` shards and
 * the policy reacted as fast as it can. The scale-up starts when demand reaches the threshold;
 * what the burst adds beyond capacity within the reaction time is throttled for that long, then
 * every further doubling it needs leaves the rest above capacity for one more resharding.
 */
export function missCost(shards: number, b: Burst, c: PolicyConfig): number {
  const excess = Math.min(b.peak - shards, b.rise - (1 - c.scaleUpThreshold) * shards);
  if (excess <= 0) return 0;
  const { throttle } = shardMinutePrices(c);
  let cost = excess * reactionMinutes(c);
  for (let cap = shards * 2; cap < b.peak; cap *= 2) cost += (b.peak - cap) * c.reshardMinutes;
  return cost * throttle;
}

/** Calls a scale-up for burst `b` from `shards` would take (to the target utilisation). */
export function callsToCover(shards: number, b: Burst, c: PolicyConfig): number {
  return callsNeeded(shards, Math.max(shards, Math.ceil(b.peak / c.targetUtilisation - 1e-9)));
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
 * burst of the history that m would not absorb, the throttling of one reaction (`missCost`),
 * at the rate such bursts occurred. A level is also out when its bursts recur faster than the
 * call budget can follow (each needs its calls up and one back down in 24 h), or when the calls
 * left would not bring the stream back up to the last burst plus the reserve.
 */
export function chooseHold(
  current: number,
  lowest: number,
  bursts: readonly Burst[],
  callsFree: number,
  c: PolicyConfig,
  /** Levels the scale-up rules would leave again at once (default: none). */
  unstable: (shards: number) => boolean = () => false,
): HoldChoice {
  const { capacity, throttle } = shardMinutePrices(c);
  // A call spent now is missing for a burst later: a scale-down must save more per day than one
  // shard's worth of one reaction's throttling.
  const callValue = throttle * reactionMinutes(c);
  const minutes = Math.max(BLOCK_MINUTES, bursts.length * BLOCK_MINUTES);
  const perDay = 1440 / minutes;
  const missAtCurrent = bursts.reduce((s, b) => s + missCost(current, b, c), 0);
  let best: HoldChoice = { shards: current, netPerDay: 0, reason: "holding is cheapest" };
  let keptCalls = false;
  for (let m = lowest; m < current; m++) {
    if (unstable(m)) continue;
    let risk = -missAtCurrent;
    let episodes = 0;
    let callsBack = 0;
    for (const b of bursts) {
      const miss = missCost(m, b, c);
      risk += miss;
      if (miss > 0) {
        episodes++;
        callsBack = Math.max(callsBack, callsToCover(m, b, c));
      }
    }
    const netPerDay = ((current - m) * capacity * minutes - risk) * perDay;
    if (episodes * perDay * (callsBack + 1) + 1 > c.maxCallsPer24h) continue;
    if (callsFree - 1 < callsBack + c.reserveCalls) {
      keptCalls = true;
      continue;
    }
    if (netPerDay > Math.max(callValue, best.netPerDay))
      best = {
        shards: m,
        netPerDay,
        reason: `saves $${netPerDay.toFixed(2)}/day net of ${episodes} burst(s) it would miss`,
      };
  }
  if (best.shards === current && keptCalls)
    best.reason = `the calls left are kept for scale-ups (reserve ${c.reserveCalls})`;
  return best;
}
