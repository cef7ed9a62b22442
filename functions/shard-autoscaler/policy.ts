/**
 * The scaling policy: a pure function from (metrics window, stream state, config, ledger) to a
 * decision. The Lambda and the simulator (bench/autoscale) run exactly this code.
 *
 * How it differs from the alarm-flipping reference design:
 * - demand is accepted + throttled traffic (IncomingBytes/Records count only what was accepted, so a
 *   throttled stream hides its real load), sized from 1-minute datapoints;
 * - it sizes for a target utilisation and reaches it in as few calls as the x2 / /2 rules allow,
 *   continuing a multi-step change as soon as the stream is ACTIVE again;
 * - it never makes an illegal call (half rounded up, 10,000-shard limits, min/max bounds, ACTIVE
 *   only) and budgets the 10 calls per rolling 24 h: a scale-up only spends calls it can also
 *   undo, and a reserve is kept for throttling that outlasts a burst;
 * - a small shortfall right after a scale-up waits for the new shards to settle instead of
 *   spending another call (bursts are often over by then);
 * - scale-down needs a quiet window and lands at the target utilisation of the window's mean
 *   load with its peak under the scale-up threshold (hysteresis: no bounce).
 */
import { Ledger, pruneLedger } from "./ledger";
import {
  MINUTE_MS,
  SHARD_BYTES_PER_MINUTE,
  SHARD_RECORDS_PER_MINUTE,
  STREAM_SHARD_LIMIT,
  MAX_CALLS_PER_24H,
  callsNeeded,
  legalTargetRange,
} from "./rules";

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

export interface PolicyConfig {
  /** Never fewer shards. Default: 1. */
  minShards: number;
  /** Never more shards (keep it within the account's shard quota). Default: 64. */
  maxShards: number;
  /** Utilisation a change aims for (0-1 of the write limits). Default: 0.6. */
  targetUtilisation: number;
  /** Scale up when utilisation reaches this. Default: 0.8. */
  scaleUpThreshold: number;
  /** Scale down only when utilisation stayed below this for the whole quiet window. Default: 0.4. */
  scaleDownThreshold: number;
  /** Consecutive 1-minute datapoints that must breach before scaling up. Default: 2. */
  scaleUpDatapoints: number;
  /** Minutes of low utilisation (after the last scale-up) before scaling down. Default: 30. */
  quietMinutes: number;
  /** Calls of the 24-hour budget kept for sustained throttling (nothing else spends them). Default: 2. */
  reserveCalls: number;
  /** UpdateShardCount calls allowed per rolling 24 h (AWS: 10). Default: 10. */
  maxCallsPer24h: number;
  /** Minutes CloudWatch may take to publish a datapoint; older missing minutes mean no traffic. Default: 3. */
  metricDelayMinutes: number;
  /** Fraction of attempted records throttled that counts as throttling. Default: 0.001. */
  throttleTrigger: number;
  /** Minutes a multi-step goal stays valid for continuation. Default: 20. */
  goalTtlMinutes: number;
  /**
   * Throttling for (80% of) this many minutes may spend the reserved calls, even without calls
   * left to scale back down. Default: 30.
   */
  sustainedThrottleMinutes: number;
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
  sustainedThrottleMinutes: 30,
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
  if (!int(c.sustainedThrottleMinutes, 5, 240))
    p.push(`sustainedThrottleMinutes: ${c.sustainedThrottleMinutes} must be an integer 5-240`);
  return p;
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
  return Math.max(bytes / SHARD_BYTES_PER_MINUTE, records / SHARD_RECORDS_PER_MINUTE) / utilisation;
}

function throttledFraction(p: MetricPoint): number {
  const attempted = p.records + p.throttledRecords;
  return attempted > 0 ? p.throttledRecords / attempted : 0;
}

/** Minutes after a scale-up call by which the new shards are surely open. */
const SETTLE_MINUTES = 10;
/** Unserved share of demand that justifies a follow-up call before the last one settled. */
const FOLLOW_UP_SHORTFALL = 0.25;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Decides what to do now. Never returns a target that breaks an UpdateShardCount rule. */
export function decide(input: PolicyInput): Decision {
  const { now, stream, config: c } = input;
  const n = stream.openShardCount;
  const ledger = pruneLedger(input.ledger, now);
  const used = ledger.calls.filter((x) => x.at <= now).length;
  const base = { current: n, callsInWindow: used, emergency: false };
  const none = (reason: string, extra: Partial<Decision> = {}): Decision => ({
    ...base,
    ...extra,
    action: "none",
    reason,
  });

  if (stream.mode !== "PROVISIONED")
    return none(`stream is ${stream.mode}: UpdateShardCount applies to provisioned streams only`);
  if (stream.status !== "ACTIVE")
    return none(`stream is ${stream.status}: UpdateShardCount needs ACTIVE (the schedule retries)`);
  const range = legalTargetRange(n);
  if (!range) return none(`no legal UpdateShardCount target from ${n} shards`);
  if (ledger.backoff && now < ledger.backoff.until)
    return none(
      `backing off after a failure until ${new Date(ledger.backoff.until).toISOString()}`,
    );
  if (used >= c.maxCallsPer24h)
    return none(`${used} calls in the last 24 h: the budget of ${c.maxCallsPer24h} is spent`);

  const lo = Math.max(range.min, Math.min(c.minShards, n));
  const hi = Math.min(range.max, Math.max(c.maxShards, n));
  const budgetFor = (emergency: boolean) =>
    emergency ? c.maxCallsPer24h : c.maxCallsPer24h - c.reserveCalls;
  const scale = (
    goal: number,
    direction: "up" | "down",
    emergency: boolean,
    reason: string,
    demandShards?: number,
  ): Decision => {
    const target = clamp(goal, lo, hi);
    if (target === n || (direction === "up" ? target < n : target > n))
      return none(`${reason}, but no legal step towards ${goal}`, { demandShards });
    if (used >= budgetFor(emergency))
      return none(
        `${reason}, but the last ${c.reserveCalls} of ${c.maxCallsPer24h} daily calls are reserved for throttling`,
        { demandShards },
      );
    return {
      ...base,
      action: "scale",
      target,
      goal,
      direction,
      emergency,
      reason,
      demandShards,
    };
  };

  // Bounds first: a stream outside [min, max] (config changed, manual resize) is brought back.
  if (n > c.maxShards) return scale(c.maxShards, "down", false, `above maxShards ${c.maxShards}`);

  // Per-minute series. The last complete minute is the one before now's.
  const lastComplete = Math.floor(now / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  const points = [...input.metrics].filter((p) => p.at <= lastComplete).sort((a, b) => a.at - b.at);
  const sums = points.reduce((s, p) => ({ b: s.b + p.bytes, r: s.r + p.records }), { b: 0, r: 0 });
  const avgSize = sums.r > 0 ? sums.b / sums.r : 0;
  const need = (p: MetricPoint, u: number) => shardsNeeded(p, u, avgSize);

  // Scale up: the newest K datapoints (fresh ones only) all breach.
  const freshFrom = lastComplete - (c.metricDelayMinutes + c.scaleUpDatapoints + 2) * MINUTE_MS;
  const recent = points.filter((p) => p.at >= freshFrom).slice(-c.scaleUpDatapoints);
  const utilisation = (p: MetricPoint) => need(p, 1) / n;
  const throttled = (p: MetricPoint) =>
    p.throttledRecords > 0 && throttledFraction(p) >= c.throttleTrigger;
  // Throttling below the threshold counts only once the last scale-up has settled: before, it
  // was the old, smaller stream that throttled.
  const lastUp = [...ledger.calls].reverse().find((x) => x.to > x.from);
  const settled = (p: MetricPoint) => !lastUp || p.at >= lastUp.at + SETTLE_MINUTES * MINUTE_MS;
  const breaching =
    recent.length === c.scaleUpDatapoints &&
    recent.every((p) => utilisation(p) >= c.scaleUpThreshold || (throttled(p) && settled(p)));
  const latest = points[points.length - 1];
  const sustainedFrom = lastComplete - c.sustainedThrottleMinutes * MINUTE_MS;
  const lastMinutes = points.filter((p) => p.at > sustainedFrom);
  const sustained =
    lastMinutes.length > 0 &&
    lastMinutes.filter(throttled).length >= 0.8 * c.sustainedThrottleMinutes;

  let upGoal: number | undefined;
  let emergency = false;
  let upReason = "";
  let demandShards: number | undefined;
  if (breaching) {
    demandShards = Math.max(...recent.map((p) => need(p, 1)));
    emergency = recent.every((p) => throttled(p) || utilisation(p) >= 1);
    const atTarget = Math.ceil(demandShards / c.targetUtilisation - 1e-9);
    // Fewest calls: stop at a count reachable with fewer calls if it keeps utilisation between
    // the target and the threshold (it will not trigger again).
    const acceptable = Math.ceil(demandShards / ((c.targetUtilisation + c.scaleUpThreshold) / 2));
    const fewest = callsNeeded(n, Math.max(acceptable, n + 1));
    upGoal = Math.max(
      Math.min(atTarget, n * 2 ** fewest),
      acceptable,
      // Throttled below the threshold: bursts inside the minute or a hot shard; add a quarter.
      recent.some((p) => throttled(p) && settled(p)) ? n + Math.max(1, Math.ceil(n / 4)) : n + 1,
    );
    upReason = `utilisation ${recent.map((p) => utilisation(p).toFixed(2)).join(", ")} of ${n} shards${emergency ? " with throttling" : ""}: demand needs ${demandShards.toFixed(1)} shards at 100%`;
  } else if (
    ledger.goal &&
    ledger.goal.shards > n &&
    now - ledger.goal.at <= c.goalTtlMinutes * MINUTE_MS &&
    latest &&
    utilisation(latest) >= c.targetUtilisation
  ) {
    upGoal = ledger.goal.shards;
    emergency = ledger.goal.emergency;
    demandShards = need(latest, 1);
    upReason = `continuing towards ${upGoal} shards (utilisation ${utilisation(latest).toFixed(2)})`;
  }
  if (n < c.minShards && (upGoal === undefined || upGoal < c.minShards)) {
    upGoal = c.minShards;
    upReason = upReason || `below minShards ${c.minShards}`;
  }
  if (upGoal !== undefined) {
    upGoal = clamp(upGoal, c.minShards, c.maxShards);
    if (upGoal > n) {
      // A follow-up right after a scale-up, for a small shortfall, waits for the new shards to
      // settle: a burst is often over by then, and the call (and the one back down) are worth
      // more than a few minutes of marginal throttling.
      const unsettled = lastUp !== undefined && now < lastUp.at + SETTLE_MINUTES * MINUTE_MS;
      const shortfall = demandShards !== undefined ? demandShards / n : 0;
      if (unsettled && shortfall < 1 + FOLLOW_UP_SHORTFALL)
        return none(
          `${upReason}, but the last scale-up is settling and the shortfall is under ${FOLLOW_UP_SHORTFALL * 100}%`,
          { demandShards },
        );
      // Round trip: every call up keeps one in hand to come back down (and the reserve stays
      // untouched), or a short burst leaves the stream large, and billed, until the 24-hour
      // window frees calls.
      const needed = callsNeeded(n, upGoal);
      const free = c.maxCallsPer24h - used;
      let affordable = Math.min(needed, Math.floor((free - c.reserveCalls) / 2));
      // The reserve is for throttling that outlasts a burst: it may be spent without a way back.
      if (affordable < 1 && emergency && sustained && free > 0) affordable = 1;
      if (affordable < 1)
        return none(`${upReason}, but no calls left for a round trip`, { demandShards });
      if (affordable < needed) {
        upGoal = Math.min(upGoal, n * 2 ** affordable);
        upReason += ` (budget allows ${affordable} of ${needed} calls)`;
      }
      return scale(upGoal, "up", emergency, upReason, demandShards);
    }
    if (n >= c.maxShards && breaching)
      return none(`${upReason}, but already at maxShards ${c.maxShards}`, { demandShards });
  }

  // Scale down: a quiet window of Q minutes after the last scale-up, missing minutes (older than
  // the publishing delay) counting as idle.
  const windowEnd = lastComplete - c.metricDelayMinutes * MINUTE_MS;
  const windowStart = windowEnd - (c.quietMinutes - 1) * MINUTE_MS;
  if (lastUp && lastUp.at > windowStart) return none("no change needed (scale-up cooldown)");
  const byMinute = new Map(points.map((p) => [p.at, p]));
  const window: MetricPoint[] = [];
  for (let t = windowStart; t <= lastComplete; t += MINUTE_MS) {
    const p = byMinute.get(t);
    if (p) window.push(p);
    else if (t <= windowEnd) window.push({ at: t, bytes: 0, records: 0, throttledRecords: 0 });
  }
  if (window.length === 0) return none("no metrics");
  const peak = Math.max(...window.map((p) => need(p, 1)));
  const anyThrottled = window.some((p) => p.throttledRecords > 0);
  const lastCall = ledger.calls[ledger.calls.length - 1];
  const continuing =
    lastCall !== undefined &&
    lastCall.to < lastCall.from &&
    ledger.goal !== undefined &&
    ledger.goal.shards < n &&
    now - ledger.goal.at <= c.goalTtlMinutes * MINUTE_MS;
  const quiet = peak / n < c.scaleDownThreshold && !anyThrottled;
  if (anyThrottled || (!quiet && !continuing))
    return none("no change needed", { demandShards: peak });
  // Size for the window's mean load at the target, and its peak below the scale-up point.
  const typical = window.reduce((sum, p) => sum + need(p, 1), 0) / window.length;
  const ceiling = (c.targetUtilisation + c.scaleUpThreshold) / 2;
  const downGoal = Math.max(
    c.minShards,
    Math.ceil(Math.max(typical / c.targetUtilisation, peak / ceiling) - 1e-9),
    continuing && ledger.goal ? ledger.goal.shards : 0,
  );
  if (downGoal >= n) return none("no change needed", { demandShards: peak });
  return scale(
    downGoal,
    "down",
    false,
    `quiet for ${c.quietMinutes} min: peak utilisation ${(peak / n).toFixed(2)} of ${n} shards`,
    peak,
  );
}
