/**
 * What a run costs and how it is scored: the peers' shared result shape, the prices, the
 * on-demand model and the per-run measurements. Pure: the simulator, the bound and the report use
 * it.
 */
import { SimStream, Violation } from "./stream";
import { Trace, demandShards } from "./traces";

export type PolicyName = "ours" | "reference" | "fixed" | "on-demand" | "bound";
/** The policies the simulator runs (the bound is computed by bound.ts). */
export const POLICIES: readonly PolicyName[] = ["ours", "reference", "fixed", "on-demand"];

/** The score adds this many dollars per GiB throttled to the cost. */
export const SCORE_PER_THROTTLED_GB = 1;

/** Cost plus $1 per GiB throttled. */
export const score = (r: Pick<PolicyResult, "costUsd" | "throttledGb">): number =>
  r.costUsd + r.throttledGb * SCORE_PER_THROTTLED_GB;

/** us-east-1 list prices. */
export const PRICES = {
  shardHour: 0.015,
  /** Per million 25 KB PUT payload units. */
  putUnitsPerMillion: 0.014,
  onDemandStreamHour: 0.04,
  /** Per GB ingested, each record rounded up to 1 KB. */
  onDemandPerGb: 0.08,
};

/** On-demand: starts at 4 MiB/s / 4,000 records/s; takes 15 minutes to reach 2x a new peak. */
export const ON_DEMAND = { minShardEquivalents: 4, adaptationMinutes: 15 };

export interface PolicyResult {
  policy: PolicyName;
  throttledRecordsPct: number;
  throttledBytesPct: number;
  /** GiB throttled. */
  throttledGb: number;
  shardHours: number;
  costUsd: number;
  calls: number;
  maxCalls24h: number;
  minutesToAdequate: number | null;
}

/** A result plus what the JSON document leaves out. */
export interface RunDetail extends PolicyResult {
  violations: Violation[];
  /** Shard count at the end (provisioned). */
  finalShards: number;
}

/**
 * The mean load of the hour before minute 0 (the warm-up's last hour), which sets the starting
 * count; a trace without a warm-up falls back to its first hour (the count only: the policies
 * then read no history).
 */
export function startLoad(trace: Trace): { bytes: number; records: number } {
  const w = trace.warmup.bytes.length;
  const from = w > 0 ? trace.warmup : trace;
  const start = w > 0 ? Math.max(0, w - 60) : 0;
  const end = w > 0 ? w : Math.min(60, trace.bytes.length);
  let bytes = 0;
  let records = 0;
  for (let m = start; m < end; m++) {
    bytes += from.bytes[m];
    records += from.records[m];
  }
  const n = Math.max(1, end - start);
  return { bytes: bytes / n, records: records / n };
}

/**
 * Shard count every provisioned policy starts at (and carried the warm-up at): the last warm-up
 * hour's mean demand at 50% utilisation, the middle of the reference design's 25-75% band.
 */
export function initialShards(trace: Trace): number {
  const h = startLoad(trace);
  return Math.max(1, Math.ceil(demandShards(h.bytes, h.records) / 0.5));
}

/**
 * On-demand mode: capacity up to double the previous peak, new peaks adopted after 15 minutes.
 * The stream switches to it at minute 0; its previous peak is the warm-up's, as the provisioned
 * stream accepted it at the starting count (a stream without a warm-up: its first hour's).
 */
export function onDemand(trace: Trace): RunDetail {
  const minutes = trace.bytes.length;
  const start = initialShards(trace);
  let before = 0;
  const w = trace.warmup.bytes.length;
  for (let m = 0; m < w; m++)
    before = Math.max(
      before,
      Math.min(start, demandShards(trace.warmup.bytes[m], trace.warmup.records[m])),
    );
  if (w === 0)
    for (let m = 0; m < Math.min(60, minutes); m++)
      before = Math.max(before, demandShards(trace.bytes[m], trace.records[m]));
  const accepted = new Float64Array(minutes);
  let peak = before; // peak accepted, in shard-equivalents, as of 15 minutes ago
  let throttledRecords = 0;
  let throttledBytes = 0;
  let billedBytes = 0;
  const capacity = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++) {
    if (m >= ON_DEMAND.adaptationMinutes)
      peak = Math.max(peak, accepted[m - ON_DEMAND.adaptationMinutes]);
    const cap = Math.max(ON_DEMAND.minShardEquivalents, 2 * peak);
    capacity[m] = cap;
    const demand = demandShards(trace.bytes[m], trace.records[m]);
    const f = demand > 0 ? Math.min(1, cap / demand) : 1;
    accepted[m] = demand * f;
    throttledRecords += trace.records[m] * (1 - f);
    throttledBytes += trace.bytes[m] * (1 - f);
    const records = trace.records[m] * f;
    const size = trace.records[m] > 0 ? trace.bytes[m] / trace.records[m] : 0;
    billedBytes += records * Math.ceil(size / 1024) * 1024;
  }
  const hours = minutes / 60;
  const costUsd =
    hours * PRICES.onDemandStreamHour + (billedBytes / 1024 ** 3) * PRICES.onDemandPerGb;
  const adequate = (m: number) => capacity[m] >= demandShards(trace.bytes[m], trace.records[m]);
  return {
    policy: "on-demand",
    ...throttlePct(trace, throttledRecords, throttledBytes),
    shardHours: 0,
    costUsd,
    calls: 0,
    maxCalls24h: 0,
    minutesToAdequate: timeToAdequate(trace, adequate),
    violations: [],
    finalShards: 0,
  };
}

export function throttlePct(trace: Trace, records: number, bytes: number) {
  let totalRecords = 0;
  let totalBytes = 0;
  for (let m = 0; m < trace.bytes.length; m++) {
    totalRecords += trace.records[m];
    totalBytes += trace.bytes[m];
  }
  return {
    throttledRecordsPct: totalRecords > 0 ? (100 * records) / totalRecords : 0,
    throttledBytesPct: totalBytes > 0 ? (100 * bytes) / totalBytes : 0,
    throttledGb: bytes / 1024 ** 3,
  };
}

/** Minutes adequate capacity must hold before it counts as reached. */
const ADEQUATE_HOLD = 5;

/**
 * Worst case over the trace's onsets of the minutes from the onset until capacity covers demand
 * for ADEQUATE_HOLD minutes in a row; null when the trace has no onset.
 */
export function timeToAdequate(trace: Trace, adequate: (m: number) => boolean): number | null {
  if (trace.onsets.length === 0) return null;
  let worst = 0;
  for (const onset of trace.onsets) {
    let m = onset;
    while (m < trace.bytes.length) {
      let held = 0;
      while (held < ADEQUATE_HOLD && m + held < trace.bytes.length && adequate(m + held)) held++;
      if (held === ADEQUATE_HOLD || m + held >= trace.bytes.length) break;
      m += held + 1;
    }
    worst = Math.max(worst, m - onset);
  }
  return worst;
}

export function measure(trace: Trace, policy: PolicyName, s: SimStream): RunDetail {
  let throttledRecords = 0;
  let throttledBytes = 0;
  let shardMinutes = 0;
  let putUnits = 0;
  for (let m = 0; m < s.minutes; m++) {
    throttledRecords += s.throttledRecords[m];
    throttledBytes += s.throttledBytes[m];
    shardMinutes += s.billedShards[m];
    const size = trace.records[m] > 0 ? trace.bytes[m] / trace.records[m] : 0;
    putUnits += s.acceptedRecords[m] * Math.max(1, Math.ceil(size / (25 * 1024)));
  }
  const shardHours = shardMinutes / 60;
  const adequate = (m: number) =>
    s.capacityShards[m] >= demandShards(trace.bytes[m], trace.records[m]);
  return {
    policy,
    ...throttlePct(trace, throttledRecords, throttledBytes),
    shardHours,
    costUsd: shardHours * PRICES.shardHour + (putUnits / 1e6) * PRICES.putUnitsPerMillion,
    calls: s.calls.length,
    maxCalls24h: s.maxCalls24h(),
    minutesToAdequate: timeToAdequate(trace, adequate),
    violations: s.violations,
    finalShards: s.open,
  };
}
