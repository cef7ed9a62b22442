/**
 * What the policy reads and answers (policy.ts): one minute of stream metrics, the stream's state,
 * the input and the decision, and the demand a minute of metrics stands for. Pure.
 */
import type { PolicyConfig } from "./config";
import type { Ledger } from "./ledger";
import { MINUTE_MS, SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE } from "./rules";

// A local copy: the compiled module reads imports through getters, slow in per-minute loops.
const MINUTE = MINUTE_MS;
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

/** The metrics as demand (`demandView`). */
export interface DemandView {
  /** The datapoints up to the last complete minute, oldest first. */
  points: MetricPoint[];
  /** Shards a datapoint needs at a utilisation (throttled records sized as the average). */
  need: (p: MetricPoint, utilisation: number) => number;
  /** Demand (shards at 100%) of minute `t` within the span; 0 where no datapoint (idle). */
  demandAt: (t: number) => number;
}

/** Reads the metrics as per-minute demand for the `span` minutes ending at `lastComplete`. */
export function demandView(
  metrics: readonly MetricPoint[],
  lastComplete: number,
  span: number,
): DemandView {
  const points = metrics.filter((p) => p.at <= lastComplete);
  if (points.some((p, i) => i > 0 && p.at < points[i - 1].at)) points.sort((a, b) => a.at - b.at);
  let sumBytes = 0;
  let sumRecords = 0;
  for (const p of points) {
    sumBytes += p.bytes;
    sumRecords += p.records;
  }
  const avgSize = sumRecords > 0 ? sumBytes / sumRecords : 0;
  const need = (p: MetricPoint, u: number) => shardsNeeded(p, u, avgSize);
  const spanStart = lastComplete - (span - 1) * MINUTE;
  const dense = new Float64Array(span).fill(NaN);
  for (const p of points) {
    const i = (p.at - spanStart) / MINUTE;
    if (Number.isInteger(i) && i >= 0) dense[i] = need(p, 1);
  }
  const demandAt = (t: number) => {
    const v = dense[(t - spanStart) / MINUTE];
    return Number.isNaN(v) ? 0 : v;
  };
  return { points, need, demandAt };
}
