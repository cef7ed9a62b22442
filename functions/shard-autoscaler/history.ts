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
    const end = Math.min(demand.length, (b + 1) * BLOCK_MINUTES);
    for (let t = b * BLOCK_MINUTES; t < end; t++) {
      const d = demand[t];
      peak = Math.max(peak, d);
      // From the level before (the reaction's mean, not its lowest minute: noise around a level
      // is no rise a scale-up must follow, the threshold's headroom carries it).
      const span = Math.min(t, reaction);
      rise = Math.max(rise, d - (span > 0 ? sum / span : d));
      sum += d;
      if (t >= reaction) sum -= demand[t - reaction];
    }
    out.push({ at: startMs + b * BLOCK_MINUTES * MINUTE, peak, rise });
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

/** What one call is worth: one shard's throttling for one reaction (a call spent now is missing later). */
export function callValue(c: PolicyConfig): number {
  return shardMinutePrices(c).throttle * reactionMinutes(c);
}

/**
 * Expected dollars a day of holding `shards` against the history's bursts: the capacity, and the
 * throttling of one reaction (`missCost`) for every burst it would not absorb, at the rate they
 * occurred.
 */
export function holdCost(shards: number, bursts: readonly Burst[], c: PolicyConfig): number {
  const { capacity } = shardMinutePrices(c);
  const perDay = 1440 / Math.max(BLOCK_MINUTES, bursts.length * BLOCK_MINUTES);
  return shards * capacity * 1440 + bursts.reduce((s, b) => s + missCost(shards, b, c), 0) * perDay;
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
  const { capacity } = shardMinutePrices(c);
  // A call spent now is missing for a burst later: a scale-down must save more per day than one
  // shard's worth of one reaction's throttling.
  const worth = callValue(c);
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
    if (netPerDay > Math.max(worth, best.netPerDay))
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
): number {
  const top = Math.max(c.minShards, staticOptimum(demand, c));
  return chooseHold(top, c.minShards, bursts, c.maxCallsPer24h, c).shards;
}

/** What a history says should be held (`holdView`). */
export interface HoldView {
  bursts: Burst[];
  /** The static optimum (`staticOptimum`). */
  top: number;
  /** The hold level (`holdLevel`). */
  held: number;
  /** The largest minute. */
  max: number;
}

/** Summarises per-minute demand (index 0 = `startMs`) into what it wants held. */
export function holdView(demand: Float64Array, startMs: number, c: PolicyConfig): HoldView {
  const bursts = summarise(demand, startMs, reactionMinutes(c));
  let max = 0;
  for (const d of demand) max = Math.max(max, d);
  return { bursts, top: staticOptimum(demand, c), held: holdLevel(demand, bursts, c), max };
}

/** Median relative change of demand from one minute to the next (0 without data). */
export function relativeNoise(demand: ArrayLike<number>): number {
  const changes: number[] = [];
  for (let t = 1; t < demand.length; t++) {
    const top = Math.max(demand[t], demand[t - 1]);
    if (top > 0) changes.push(Math.abs(demand[t] - demand[t - 1]) / top);
  }
  if (changes.length === 0) return 0;
  const sorted = Float64Array.from(changes).sort();
  return sorted[Math.floor(sorted.length / 2)];
}

/** Upper tail of the standard normal, P(Z > z) (Abramowitz & Stegun 7.1.26, error < 1.5e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.2548296 + t * (-0.28449674 + t * (1.4214137 + t * (-1.4531521 + t * 1.0614054))));
  const tail = 0.5 * poly * Math.exp(-x * x);
  return z >= 0 ? tail : 1 - tail;
}

/** Demand as noise around a level (or a trend): the level expected ahead, the noise around it. */
export interface NoiseFit {
  /** The fitted line's value `ahead` minutes after the last sample. */
  mean: number;
  /** Standard deviation of the samples around the line. */
  sd: number;
  /** The largest sample. */
  max: number;
  /** The line's slope per minute. */
  slope: number;
  /** Samples fitted. */
  minutes: number;
}

/**
 * Fits a line to per-minute samples (shards at 100%) by least squares and projects it `ahead`
 * minutes past the last one (a reaction's worth: what a count must carry until a call could
 * change it); undefined without samples.
 */
export function fitNoise(samples: ArrayLike<number>, ahead = 0): NoiseFit | undefined {
  const n = samples.length;
  if (n === 0) return undefined;
  let sum = 0;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += samples[i];
    max = Math.max(max, samples[i]);
  }
  const mean = sum / n;
  const mid = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mid) * (samples[i] - mean);
    sxx += (i - mid) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (samples[i] - mean - slope * (i - mid)) ** 2;
  return {
    mean: mean + slope * (n - 1 - mid + ahead),
    sd: Math.sqrt(sq / Math.max(1, n - 2)),
    max,
    slope,
    minutes: n,
  };
}

/**
 * The count that demand fluctuating around a level needs, from the prices alone (the
 * newsvendor rule): one more shard costs `capacity` a minute and saves `throttle` in every minute
 * demand exceeds the count, so the cheapest count is the demand quantile at 1 - capacity/throttle
 * (99.57%, z = 2.63, at list price and $1/GiB), with demand taken as normal around the fitted
 * line, and at least the largest sample.
 */
export function noiseLevel(fit: NoiseFit, c: PolicyConfig): number {
  const { capacity, throttle } = shardMinutePrices(c);
  const tail = Math.min(0.5, capacity / throttle);
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalTail(mid) > tail) lo = mid;
    else hi = mid;
  }
  // Never below what the samples reached: a count that throttled a recent minute is no level.
  return Math.max(fit.mean + hi * fit.sd, fit.max);
}

/** Expected shard-minutes of demand above `shards` per minute, E[max(0, D - shards)]. */
export function expectedShortfall(fit: NoiseFit, shards: number): number {
  if (fit.sd <= 0) return Math.max(0, fit.mean - shards);
  const z = (shards - fit.mean) / fit.sd;
  const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  return fit.sd * (density - z * normalTail(z));
}

/**
 * Whether the samples are noise around a level rather than a trend: the fitted line moves less
 * over the samples than twice the noise around it (pure noise fits a slope that moves it about
 * 0.45 sd, so a level is not taken for a trend); a trend or a cycle is left to the utilisation
 * rules. The policy fits its whole history (a day), which tells a slow ramp from a level.
 */
export function isLevel(fit: NoiseFit): boolean {
  return Math.abs(fit.slope) * fit.minutes <= 2 * fit.sd;
}

/**
 * Fits `samples` when they are a level throughout: the whole is (`isLevel`) and so is its last
 * hour, at the whole's level within the noise (a step or a new regime at the end is no level);
 * undefined otherwise.
 */
export function steadyFit(samples: Float64Array, ahead: number): NoiseFit | undefined {
  const whole = fitNoise(samples, ahead);
  const hour = fitNoise(samples.subarray(Math.max(0, samples.length - 60)), ahead);
  if (!whole || !hour || !isLevel(whole) || !isLevel(hour)) return undefined;
  return Math.abs(hour.mean - whole.mean) <= whole.sd ? whole : undefined;
}

/**
 * Whether `shards` carries noise around a level well enough that a call to add more does not
 * pay: the throttling it expects in a day is under one shard's for one reaction (what a call is
 * worth, as in chooseHold), and it carried the samples' largest minute with the trend's rise
 * over a reaction on top.
 */
export function carriesNoise(fit: NoiseFit, shards: number, c: PolicyConfig): boolean {
  // And it carried every minute the samples saw, rising as the trend does for a reaction.
  if (shards < fit.max + Math.max(0, fit.slope) * reactionMinutes(c)) return false;
  return expectedShortfall(fit, shards) * 1440 <= reactionMinutes(c);
}
