/**
 * Demand as noise around a level: the count the prices want for it (the newsvendor rule) and
 * whether a count carries it. Pure: the policy's steady-load rules and the bench's first-burst
 * floor use it.
 */
import type { PolicyConfig } from "./config";
import { reactionMinutes, shardMinutePrices } from "./history";

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
