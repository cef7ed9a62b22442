/**
 * What no online policy can avoid: the throttling of the first burst it has never seen (the first
 * onset whose burst goes above every minute before it, warm-up included, by more than the
 * scale-up threshold's headroom; a burst like those of the warm-up is known: no floor).
 *
 * Until a burst's first minute is published, an online policy has seen only the load before it,
 * exactly what it would see on the same trace without the burst. Holding capacity for a burst it
 * has no evidence of would cost it that capacity on every trace like the prefix (it would lose to
 * fixed-at-peak on `steady`), so the fairest online policy holds, at the onset, the count the
 * load before it needs (its newsvendor level, history.ts), and then reacts as fast as AWS allows:
 * it calls when the onset minute is published (`metricDelayMinutes` after it), doubles with each
 * call straight towards the burst's peak, and each call takes one resharding (stream.ts) before
 * the new shards take writes. What exceeds capacity meanwhile is throttled. That throttling,
 * priced at $1/GiB, is the first-burst floor: fixed-at-peak (sized with hindsight) never pays it,
 * so on a trace whose saving against fixed-at-peak is smaller, no online policy can score below
 * fixed-at-peak. Pure.
 */
import { DEFAULT_POLICY_CONFIG } from "../../functions/shard-autoscaler/config";
import { fitNoise, noiseLevel } from "../../functions/shard-autoscaler/noise";
import { DEFAULT_MODEL, ModelParams } from "./stream";
import { SCORE_PER_THROTTLED_GB } from "./measure";
import { Trace, demandShards } from "./traces";

/** Minutes of the burst the floor follows (a reaction ends well within it). */
const FOLLOW_MINUTES = 120;

export interface FirstBurstFloor {
  /** The trace's first onset (minute), or null without one. */
  onset: number | null;
  /** The count the hour before the onset needs (where the ideal reactor starts). */
  startShards: number;
  /** GiB the ideal reactor throttles. */
  throttledGb: number;
  /** Its price in the score. */
  scoreUsd: number;
}

export function firstBurstFloor(trace: Trace, model: ModelParams = DEFAULT_MODEL): FirstBurstFloor {
  const w = trace.warmup.bytes.length;
  // Minute m of the window, or of the warm-up for m < 0.
  const d = (m: number) =>
    m >= 0
      ? demandShards(trace.bytes[m], trace.records[m])
      : m >= -w
        ? demandShards(trace.warmup.bytes[w + m], trace.warmup.records[w + m])
        : 0;
  let seen = 0;
  let onset: number | undefined;
  let from = -w;
  for (const o of trace.onsets) {
    for (; from < o; from++) seen = Math.max(seen, d(from));
    let top = 0;
    for (let m = o; m < Math.min(trace.bytes.length, o + FOLLOW_MINUTES); m++)
      top = Math.max(top, d(m));
    // Known within the scale-up threshold's headroom: a count sized for the seen peak at the
    // threshold carries it.
    if (top > seen / DEFAULT_POLICY_CONFIG.scaleUpThreshold) {
      onset = o;
      break;
    }
  }
  if (onset === undefined || onset + w < 1)
    return { onset: null, startShards: 0, throttledGb: 0, scoreUsd: 0 };
  const before: number[] = [];
  for (let m = Math.max(-w, onset - 60); m < onset; m++) before.push(d(m));
  const fit = fitNoise(before);
  let shards = fit ? Math.max(1, Math.ceil(noiseLevel(fit, DEFAULT_POLICY_CONFIG) - 1e-9)) : 1;
  const startShards = shards;
  const end = Math.min(trace.bytes.length, onset + FOLLOW_MINUTES);
  let peak = 0;
  for (let m = onset; m < end; m++) peak = Math.max(peak, d(m));
  // The first call: the onset minute is published at the start of onset + 1 + delay.
  let callAt = onset + 1 + model.metricDelayMinutes;
  let pending = 0;
  let openAt = Infinity;
  let throttledBytes = 0;
  for (let m = onset; m < end; m++) {
    if (m >= openAt) {
      shards = pending;
      openAt = Infinity;
      callAt = m; // the next call as soon as the stream is ACTIVE again
    }
    if (m === callAt && openAt === Infinity && shards < peak) {
      pending = Math.min(2 * shards, Math.ceil(peak - 1e-9));
      openAt =
        m +
        model.reshardBaseMinutes +
        Math.floor((pending - shards) / 100) * model.reshardMinutesPer100Shards;
    }
    const demand = d(m);
    if (demand > shards) throttledBytes += trace.bytes[m] * (1 - shards / demand);
  }
  const throttledGb = throttledBytes / 1024 ** 3;
  return { onset, startShards, throttledGb, scoreUsd: throttledGb * SCORE_PER_THROTTLED_GB };
}
