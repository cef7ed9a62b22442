/**
 * What the policy reads and answers (policy.ts): one minute of stream metrics, the stream's state,
 * the input and the decision, and the demand a minute of metrics stands for. Pure.
 */
import type { PolicyConfig } from "./config";
import type { Ledger } from "./ledger";
import { SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE } from "./rules";

// A local copy: the compiled module reads imports through getters, slow in per-minute loops.
const SHARD_BYTES = SHARD_BYTES_PER_MINUTE;
const SHARD_RECORDS = SHARD_RECORDS_PER_MINUTE;

/** One minute of stream-level CloudWatch metrics (Sum statistic). */
export interface MetricPoint {
  /** Epoch ms of the minute's start. */
  at: number;
  /** IncomingBytes: accepted bytes. */
  bytes: number;
  /** IncomingRecords: accepted records. */
  records: number;
  /** WriteProvisionedThroughputExceeded: records rejected by throttling. */
  throttledRecords: number;
}

export type StreamStatus = "CREATING" | "DELETING" | "ACTIVE" | "UPDATING";
export type StreamMode = "PROVISIONED" | "ON_DEMAND";

export interface StreamState {
  status: StreamStatus | string;
  /** Open shards (DescribeStreamSummary OpenShardCount). */
  openShardCount: number;
  mode: StreamMode | string;
}

export interface PolicyInput {
  /** Epoch ms. */
  now: number;
  stream: StreamState;
  /** 1-minute datapoints, any order, gaps allowed (Kinesis publishes nothing for an idle minute). */
  metrics: readonly MetricPoint[];
  ledger: Ledger;
  config: PolicyConfig;
}

export interface Decision {
  action: "scale" | "none";
  /** The count to request now (action "scale"). */
  target?: number;
  /** Where a multi-step change is heading (may need more calls after this one). */
  goal?: number;
  direction?: "up" | "down";
  /** Throttling: may use the reserved calls. */
  emergency: boolean;
  reason: string;
  current: number;
  /** Calls already made in the rolling 24 h. */
  callsInWindow: number;
  /** Estimated shards the recent peak demand needs at 100% utilisation (for logs and tests). */
  demandShards?: number;
}

/** Shards a minute of demand needs at `utilisation` (fractional). */
export function shardsNeeded(p: MetricPoint, utilisation: number, fallbackSize = 0): number {
  // Throttled records carry no byte count: assume they are the size of the accepted ones.
  const size = p.records > 0 ? p.bytes / p.records : fallbackSize;
  const bytes = p.bytes + p.throttledRecords * size;
  const records = p.records + p.throttledRecords;
  return Math.max(bytes / SHARD_BYTES, records / SHARD_RECORDS) / utilisation;
}

/** Share of a minute's attempted records that were throttled. */
export function throttledFraction(p: MetricPoint): number {
  const attempted = p.records + p.throttledRecords;
  return attempted > 0 ? p.throttledRecords / attempted : 0;
}
