/**
 * One run of the scaler: read the stream and its ledger, decide, apply, keep the alarms in step.
 * AWS is reached only through `ScalerPorts`, so the Lambda (aws.ts) and the simulator
 * (bench/autoscale) run this same sequence with the same failure handling.
 *
 * Failure rules: nothing here retries in a loop (the SDK's own retries aside). A failed
 * UpdateShardCount is forgotten in the ledger and, unless the stream was merely busy, starts an
 * exponential backoff stored in the ledger; a CloudWatch failure backs off the same way. The
 * alarms are rewritten only for a count the stream has (ACTIVE) or is becoming (after a successful
 * call); the schedule retries whatever failed on its next tick.
 */
import {
  Ledger,
  clearBackoff,
  encodeLedger,
  forgetCall,
  pruneLedger,
  reconcileLedger,
  recordCall,
  withBackoff,
} from "./ledger";
import { Decision, MetricPoint, PolicyConfig, PolicyInput, StreamState, decide } from "./policy";
import { MINUTE_MS } from "./rules";

/** Everything the scaler does to AWS. Each method throws the AWS error on failure. */
export interface ScalerPorts {
  describeStream(): Promise<StreamState>;
  readLedger(): Promise<Ledger>;
  writeLedger(ledger: Ledger): Promise<void>;
  /** 1-minute datapoints with `startMs <= at < endMs`. */
  getMetrics(startMs: number, endMs: number): Promise<MetricPoint[]>;
  updateShardCount(target: number): Promise<void>;
  /** True when both alarms are written for `shards`. */
  alarmsMatch(shards: number): Promise<boolean>;
  /** Rewrites both alarms for `shards` and resets them to INSUFFICIENT_DATA so they re-evaluate. */
  writeAlarms(shards: number): Promise<void>;
}

export interface ScalerLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  /** Authorization failures (falls back to `warn`). */
  error?(message: string, extra?: Record<string, unknown>): void;
}

export interface ScalerOutcome {
  decision: Decision;
  /** scaled: UpdateShardCount accepted; failed: an AWS call failed (see `error`). */
  result: "scaled" | "none" | "failed";
  /** AWS error name of the failure, when there was one. */
  error?: string;
  alarms: "unchanged" | "rewritten" | "skipped" | "failed";
}

/** Errors meaning "the stream is changing right now": not a failure of ours, no backoff. */
export const BUSY_ERRORS = new Set(["ResourceInUseException"]);

/**
 * Authorization failures (IAM or KMS): a misconfiguration no retry fixes. They fail the
 * invocation (the function's Errors alarm and the async on-failure path see them), never a
 * warning followed by success.
 */
export const AUTHORIZATION_ERRORS = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
  "KMSAccessDeniedException",
  "KMSInvalidStateException",
  "KMSDisabledException",
  "KMSNotFoundException",
]);

/** Thrown by runScaler when AWS refused a call for lack of permission. */
export class ScalerAuthorizationError extends Error {
  constructor(
    readonly step: string,
    readonly cause: unknown,
  ) {
    super(`${step} was refused (${errorName(cause)}): check the scaler's role and key policies`);
    this.name = "ScalerAuthorizationError";
  }
}

export function errorName(e: unknown): string {
  if (e && typeof e === "object" && "name" in e && typeof e.name === "string") return e.name;
  return "Error";
}

/** Minutes of metrics the policy needs: the quiet window, the publishing delay and a margin. */
export function lookbackMinutes(config: PolicyConfig): number {
  return (
    Math.max(config.quietMinutes, config.historyMinutes, config.holdHistoryMinutes) +
    config.metricDelayMinutes +
    config.scaleUpDatapoints +
    5
  );
}

const sameLedger = (a: Ledger, b: Ledger) =>
  JSON.stringify(encodeLedger(a)) === JSON.stringify(encodeLedger(b));

/** Runs the scaler once; authorization failures are thrown after the ledger is made consistent. */
export async function runScaler(options: RunOptions): Promise<ScalerOutcome> {
  const denied: ScalerAuthorizationError[] = [];
  const log = options.log ?? { info: () => {}, warn: () => {} };
  const outcome = await runOnce({
    ...options,
    log,
    onError: (step, e) => {
      if (!AUTHORIZATION_ERRORS.has(errorName(e))) return;
      denied.push(new ScalerAuthorizationError(step, e));
      (log.error ?? log.warn)(`${step} was refused: authorization failure`, {
        error: errorName(e),
      });
    },
  });
  if (denied.length > 0) throw denied[0];
  return outcome;
}

interface RunOptions {
  ports: ScalerPorts;
  config: PolicyConfig;
  now: number;
  log?: ScalerLog;
  /** The policy; the real one unless a test or the simulator swaps it. */
  policy?: (input: PolicyInput) => Decision;
}

async function runOnce(
  options: RunOptions & { onError: (step: string, e: unknown) => void },
): Promise<ScalerOutcome> {
  const { ports, config, now, onError } = options;
  const log = options.log ?? { info: () => {}, warn: () => {} };
  const policy = options.policy ?? decide;
  const none = (reason: string, current = 0): Decision => ({
    action: "none",
    reason,
    current,
    callsInWindow: 0,
    emergency: false,
  });

  let stream: StreamState;
  try {
    stream = await ports.describeStream();
  } catch (e) {
    onError("DescribeStreamSummary", e);
    log.warn("DescribeStreamSummary failed; the schedule retries", { error: errorName(e) });
    return {
      decision: none("stream unreadable"),
      result: "failed",
      error: errorName(e),
      alarms: "skipped",
    };
  }
  const n = stream.openShardCount;
  const active = stream.status === "ACTIVE";

  const reconcileAlarms = async (): Promise<ScalerOutcome["alarms"]> => {
    if (!active) return "skipped";
    try {
      if (await ports.alarmsMatch(n)) return "unchanged";
      await ports.writeAlarms(n);
      log.info("alarms rewritten for the stream's shard count", { shards: n });
      return "rewritten";
    } catch (e) {
      onError("alarm reconciliation", e);
      log.warn("alarm reconciliation failed; the schedule retries", { error: errorName(e) });
      return "failed";
    }
  };

  let stored: Ledger;
  try {
    stored = await ports.readLedger();
  } catch (e) {
    // Without the ledger the 24-hour budget is unknown: no call this time.
    onError("ListTagsForStream", e);
    log.warn("reading the ledger failed; not scaling this time", { error: errorName(e) });
    return {
      decision: none("ledger unreadable", n),
      result: "failed",
      error: errorName(e),
      alarms: await reconcileAlarms(),
    };
  }
  let ledger = reconcileLedger(pruneLedger(stored, now), n, active, now);

  let metrics: MetricPoint[] = [];
  let metricsError: string | undefined;
  const backingOff = ledger.backoff !== undefined && now < ledger.backoff.until;
  if (active && stream.mode === "PROVISIONED" && !backingOff) {
    try {
      metrics = await ports.getMetrics(now - lookbackMinutes(config) * MINUTE_MS, now);
    } catch (e) {
      onError("GetMetricData", e);
      metricsError = errorName(e);
      ledger = withBackoff(ledger, now);
      log.warn("GetMetricData failed; backing off", {
        error: metricsError,
        until: new Date(ledger.backoff?.until ?? now).toISOString(),
      });
    }
  }

  const decision: Decision = metricsError
    ? none(`metrics unavailable (${metricsError})`, n)
    : policy({ now, stream, metrics, ledger, config });
  log.info("decision", { ...decision });

  if (decision.action !== "scale" || decision.target === undefined) {
    if (active && !sameLedger(ledger, stored)) {
      try {
        await ports.writeLedger(ledger);
      } catch (e) {
        onError("AddTagsToStream", e);
        log.warn("writing the ledger failed", { error: errorName(e) });
      }
    }
    return {
      decision,
      result: metricsError ? "failed" : "none",
      error: metricsError,
      alarms: await reconcileAlarms(),
    };
  }

  // Record the call before making it: a call must never escape the 24-hour budget, even if this
  // function dies right after it (an entry for a call that did not happen is dropped later).
  const call = { at: now, from: n, to: decision.target, emergency: decision.emergency };
  const pending = clearBackoff(recordCall(ledger, call, decision.goal, now));
  try {
    await ports.writeLedger(pending);
  } catch (e) {
    onError("AddTagsToStream", e);
    log.warn("writing the ledger failed; not scaling without a record", { error: errorName(e) });
    return { decision, result: "failed", error: errorName(e), alarms: await reconcileAlarms() };
  }

  try {
    await ports.updateShardCount(decision.target);
  } catch (e) {
    onError("UpdateShardCount", e);
    const error = errorName(e);
    const busy = BUSY_ERRORS.has(error);
    // Back to the ledger as it was (its backoff count included), minus the call.
    const before = {
      ...forgetCall(pending, call),
      ...(ledger.backoff ? { backoff: ledger.backoff } : {}),
    };
    const after = busy ? before : withBackoff(before, now);
    log.warn("UpdateShardCount failed", {
      error,
      target: decision.target,
      backoffUntil: after.backoff ? new Date(after.backoff.until).toISOString() : undefined,
    });
    try {
      await ports.writeLedger(after);
    } catch (writeError) {
      // A busy (UPDATING) stream refuses tag changes; the stale entry is dropped once ACTIVE.
      onError("AddTagsToStream", writeError);
      log.warn("writing the ledger failed", { error: errorName(writeError) });
    }
    // Busy: another change is under way, so the count is not known; reconcile on the next tick.
    return {
      decision,
      result: "failed",
      error,
      alarms: busy ? "skipped" : await reconcileAlarms(),
    };
  }

  log.info("UpdateShardCount accepted", { from: n, to: decision.target, goal: decision.goal });
  try {
    await ports.writeAlarms(decision.target);
    return { decision, result: "scaled", alarms: "rewritten" };
  } catch (e) {
    onError("PutMetricAlarm", e);
    log.warn("rewriting the alarms failed; the schedule reconciles them", {
      error: errorName(e),
    });
    return { decision, result: "scaled", alarms: "failed" };
  }
}
