/**
 * The policy's settings and their validation. Pure: shared by the policy, the settings parser, the
 * component (which validates at `pulumi up`) and the simulator.
 */
import { MAX_CALLS_PER_24H, STREAM_SHARD_LIMIT } from "./rules";

export interface PolicyConfig {
  /** Never fewer shards. Default: 1. */
  minShards: number;
  /** Never more shards (keep it within the account's shard quota). Default: 64. */
  maxShards: number;
  /** Utilisation a scale-up aims for (0-1 of the write limits). Default: 0.6. */
  targetUtilisation: number;
  /** Scale up when utilisation reaches this (unless the count already covers a recent peak). Default: 0.8. */
  scaleUpThreshold: number;
  /** Consider scaling down only when utilisation stayed below this for the whole quiet window. Default: 0.4. */
  scaleDownThreshold: number;
  /** Consecutive 1-minute datapoints that must breach before scaling up. Default: 2. */
  scaleUpDatapoints: number;
  /** Minutes of low utilisation (after the last scale-up) before a scale-down is considered. Default: 30. */
  quietMinutes: number;
  /** Calls of the 24-hour budget a scale-down must leave for scale-ups (beyond the way back up). Default: 2. */
  reserveCalls: number;
  /** UpdateShardCount calls allowed per rolling 24 h (AWS: 10). Default: 10. */
  maxCallsPer24h: number;
  /** Minutes CloudWatch may take to publish a datapoint; older missing minutes mean no traffic. Default: 3. */
  metricDelayMinutes: number;
  /** Fraction of attempted records throttled that counts as throttling. Default: 0.001. */
  throttleTrigger: number;
  /** Minutes a multi-step goal stays valid for continuation. Default: 20. */
  goalTtlMinutes: number;
  /** Minutes of past demand the policy weighs bursts over (read from CloudWatch each run). Default: 1440. */
  historyMinutes: number;
  /**
   * Minutes of past demand the hold level weighs (bursts that recur every few days need days of
   * history; GetMetricData keeps 1-minute datapoints for 15 days). Default: 10080.
   */
  holdHistoryMinutes: number;
  /** Minutes one UpdateShardCount takes until the new shards take writes (UPDATING + schedule tick). Default: 4. */
  reshardMinutes: number;
  /** Price of one shard-hour (us-east-1 list price). Default: 0.015. */
  shardHourUsd: number;
  /** What one GiB of throttled (lost or delayed) data costs the owner of the stream. Default: 1. */
  throttledGbUsd: number;
}

export const DEFAULT_POLICY_CONFIG: Readonly<PolicyConfig> = Object.freeze({
  minShards: 1,
  maxShards: 64,
  targetUtilisation: 0.6,
  scaleUpThreshold: 0.8,
  scaleDownThreshold: 0.4,
  scaleUpDatapoints: 2,
  quietMinutes: 30,
  reserveCalls: 2,
  maxCallsPer24h: MAX_CALLS_PER_24H,
  metricDelayMinutes: 3,
  throttleTrigger: 0.001,
  goalTtlMinutes: 20,
  historyMinutes: 1440,
  holdHistoryMinutes: 10080,
  reshardMinutes: 4,
  shardHourUsd: 0.015,
  throttledGbUsd: 1,
});

/** Problems with a config (empty when valid): each names the field and the allowed values. */
export function policyConfigProblems(c: PolicyConfig): string[] {
  const p: string[] = [];
  const int = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(c.minShards, 1, STREAM_SHARD_LIMIT))
    p.push(`minShards: ${c.minShards} must be an integer 1-${STREAM_SHARD_LIMIT}`);
  if (!int(c.maxShards, 1, STREAM_SHARD_LIMIT))
    p.push(`maxShards: ${c.maxShards} must be an integer 1-${STREAM_SHARD_LIMIT}`);
  if (c.minShards > c.maxShards)
    p.push(`minShards: ${c.minShards} is above maxShards ${c.maxShards}`);
  if (!(c.scaleDownThreshold > 0 && c.scaleDownThreshold < c.targetUtilisation))
    p.push(
      `scaleDownThreshold: ${c.scaleDownThreshold} must be above 0 and below targetUtilisation ${c.targetUtilisation}`,
    );
  if (!(c.targetUtilisation < c.scaleUpThreshold && c.scaleUpThreshold <= 1))
    p.push(
      `scaleUpThreshold: ${c.scaleUpThreshold} must be above targetUtilisation ${c.targetUtilisation} and at most 1`,
    );
  if (!int(c.scaleUpDatapoints, 1, 10))
    p.push(`scaleUpDatapoints: ${c.scaleUpDatapoints} must be an integer 1-10`);
  // The scale-down alarm evaluates quietMinutes 1-minute periods: CloudWatch allows one day.
  if (!int(c.quietMinutes, 5, 1440))
    p.push(`quietMinutes: ${c.quietMinutes} must be an integer 5-1440`);
  if (!int(c.maxCallsPer24h, 1, MAX_CALLS_PER_24H))
    p.push(`maxCallsPer24h: ${c.maxCallsPer24h} must be an integer 1-${MAX_CALLS_PER_24H}`);
  if (!int(c.reserveCalls, 0, Math.max(0, c.maxCallsPer24h - 1)))
    p.push(`reserveCalls: ${c.reserveCalls} must be an integer 0-${c.maxCallsPer24h - 1}`);
  if (!int(c.metricDelayMinutes, 0, 15))
    p.push(`metricDelayMinutes: ${c.metricDelayMinutes} must be an integer 0-15`);
  if (!(c.throttleTrigger >= 0 && c.throttleTrigger < 1))
    p.push(`throttleTrigger: ${c.throttleTrigger} must be in [0, 1)`);
  if (!int(c.goalTtlMinutes, 1, 240))
    p.push(`goalTtlMinutes: ${c.goalTtlMinutes} must be an integer 1-240`);
  // GetMetricData keeps 1-minute datapoints for 15 days; one call returns at most 100,800.
  if (!int(c.historyMinutes, 60, 10080))
    p.push(`historyMinutes: ${c.historyMinutes} must be an integer 60-10080`);
  if (!int(c.holdHistoryMinutes, 60, 10080))
    p.push(`holdHistoryMinutes: ${c.holdHistoryMinutes} must be an integer 60-10080`);
  if (!int(c.reshardMinutes, 1, 60))
    p.push(`reshardMinutes: ${c.reshardMinutes} must be an integer 1-60`);
  if (!(c.shardHourUsd > 0 && Number.isFinite(c.shardHourUsd)))
    p.push(`shardHourUsd: ${c.shardHourUsd} must be a positive number`);
  if (!(c.throttledGbUsd > 0 && Number.isFinite(c.throttledGbUsd)))
    p.push(`throttledGbUsd: ${c.throttledGbUsd} must be a positive number`);
  return p;
}
