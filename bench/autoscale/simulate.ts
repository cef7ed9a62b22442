/**
 * Runs one trace against one policy and measures it: throttling, shard-hours, cost, calls and
 * time to adequate capacity. "ours" goes through the scaler's own orchestration (runScaler) and
 * policy (decide) with simulated AWS ports; the AWS sample is modelled here, on-demand and the
 * measurements in measure.ts.
 */
import { alarmDefinitions } from "../../functions/shard-autoscaler/alarmSpec";
import { Ledger, EMPTY_LEDGER } from "../../functions/shard-autoscaler/ledger";
import {
  DEFAULT_POLICY_CONFIG,
  Decision,
  MetricPoint,
  PolicyConfig,
  PolicyInput,
} from "../../functions/shard-autoscaler/policy";
import { ScalerPorts, runScaler } from "../../functions/shard-autoscaler/scaler";
import { legalTargetRange } from "../../functions/shard-autoscaler/rules";
import { Trace, demandShards } from "./traces";
import {
  AwsError,
  DEFAULT_MODEL,
  ModelParams,
  SHARD_BYTES_PER_MINUTE,
  SHARD_RECORDS_PER_MINUTE,
  SimAlarm,
  SimStream,
} from "./stream";
import { PolicyName, RunDetail, initialShards, measure, onDemand } from "./measure";

export {
  initialShards,
  startLoad,
  ON_DEMAND,
  POLICIES,
  PRICES,
  SCORE_PER_THROTTLED_GB,
  score,
  timeToAdequate,
} from "./measure";
export type { PolicyName, PolicyResult, RunDetail } from "./measure";

export interface SimOptions {
  model?: ModelParams;
  /** Our policy's config. Default: DEFAULT_POLICY_CONFIG with maxShards 10000. */
  config?: PolicyConfig;
  /** Minutes between scheduled invocations of our scaler. Default: 1. */
  scheduleMinutes?: number;
  /** Replace our policy (tests: a policy that breaks the rules must be caught). */
  policy?: (input: PolicyInput) => Decision;
  /** Throw at the first rejected call instead of recording it. Default: false. */
  strict?: boolean;
  /** Called with the stream at the end of a provisioned run (per-minute figures, for analysis). */
  inspect?: (stream: SimStream) => void;
}

/** Epoch of minute 0 (any fixed instant: the scaler only needs ms timestamps). */
export const EPOCH = Date.UTC(2026, 0, 5);
const MS = 60_000;

/** The fixed-at-peak count: what the scored window's peak demand needs, known with hindsight. */
export function fixedAtPeakShards(trace: Trace): number {
  let peak = 0;
  for (let m = 0; m < trace.bytes.length; m++)
    peak = Math.max(peak, demandShards(trace.bytes[m], trace.records[m]));
  return Math.max(1, Math.ceil(peak - 1e-9));
}

export async function simulate(
  trace: Trace,
  policy: PolicyName,
  options: SimOptions = {},
): Promise<RunDetail> {
  if (policy === "on-demand") return onDemand(trace);
  const minutes = trace.bytes.length;
  const model = options.model ?? DEFAULT_MODEL;
  if (policy === "fixed") {
    // Sized with hindsight, but from the same start as every other peer: it reshards to its
    // size at minute 0 (in the steps UpdateShardCount allows) and pays the resharding minutes
    // like anyone else, then never calls again.
    const target = fixedAtPeakShards(trace);
    const stream = new SimStream(initialShards(trace), minutes, model, trace.warmup);
    for (let m = 0; m < minutes; m++) {
      stream.tick(m);
      const range = legalTargetRange(stream.open);
      if (stream.status === "ACTIVE" && range && stream.open !== target) {
        stream.updateShardCount(m, Math.min(range.max, Math.max(range.min, target)));
      }
      stream.flow(m, trace.bytes[m], trace.records[m]);
    }
    return measure(trace, policy, stream);
  }
  // Before minute 0 the stream carried the warm-up at the starting count: every policy reads the
  // same datapoints of it.
  const stream = new SimStream(initialShards(trace), minutes, model, trace.warmup);
  const controller =
    policy === "ours" ? new OurScaler(stream, options) : new ReferenceScaler(stream);
  for (let m = 0; m < minutes; m++) {
    stream.tick(m);
    await controller.step(m);
    if (options.strict && stream.violations.length > 0) {
      const v = stream.violations[0];
      throw new Error(`rule broken at minute ${v.minute}: ${v.error}: ${v.message}`);
    }
    stream.flow(m, trace.bytes[m], trace.records[m]);
  }
  options.inspect?.(stream);
  return measure(trace, policy, stream);
}

export interface Controller {
  step(m: number): Promise<void>;
}

/** Utilisation by demand (accepted + throttled) of `shards`, from one minute's datapoints. */
function demandUtilisation(stream: SimStream, k: number, shards: number): number {
  const { bytes: b, records: r, throttledRecords: t } = stream.datapoint(k);
  const size = r > 0 ? b / r : 0;
  return Math.max(
    (b + t * size) / (shards * SHARD_BYTES_PER_MINUTE),
    (r + t) / (shards * SHARD_RECORDS_PER_MINUTE),
  );
}

/** Our design: 1-minute alarms + a schedule invoke runScaler, which calls the policy. */
class OurScaler implements Controller {
  private ledger: Ledger = EMPTY_LEDGER;
  private readonly config: PolicyConfig;
  private readonly up: SimAlarm;
  private readonly down: SimAlarm;
  private readonly ports: ScalerPorts;
  private readonly published = new Map<number, MetricPoint>();
  private minute = 0;

  constructor(
    private readonly stream: SimStream,
    private readonly options: SimOptions,
  ) {
    this.config = options.config ?? { ...DEFAULT_POLICY_CONFIG, maxShards: 10000 };
    const defs = alarmDefinitions("sim", stream.open, this.config);
    const spec = (d: typeof defs.up) =>
      ({
        comparison: d.comparisonOperator === "LessThanThreshold" ? "lt" : "gte",
        threshold: d.threshold,
        evaluationPeriods: d.evaluationPeriods,
        datapointsToAlarm: d.datapointsToAlarm,
        treatMissing: d.treatMissingData,
      }) as const;
    this.up = new SimAlarm(spec(defs.up), stream.open);
    this.down = new SimAlarm(spec(defs.down), stream.open);
    const s = this.stream;
    this.ports = {
      describeStream: async () => ({
        status: s.status,
        openShardCount: s.open,
        mode: "PROVISIONED",
      }),
      readLedger: async () => this.ledger,
      writeLedger: async (l) => {
        // AddTagsToStream needs an ACTIVE stream, as in AWS.
        if (s.status !== "ACTIVE") throw new AwsError("ResourceInUseException", "UPDATING");
        this.ledger = l;
      },
      getMetrics: async (start, end) => {
        const out: MetricPoint[] = [];
        for (let k = Math.ceil((start - EPOCH) / MS); k * MS + EPOCH < end; k++) {
          if (!s.visible(k, this.minute)) continue;
          // A published minute never changes: build its datapoint once.
          let p = this.published.get(k);
          if (!p) this.published.set(k, (p = { at: EPOCH + k * MS, ...s.datapoint(k) }));
          out.push(p);
        }
        return out;
      },
      updateShardCount: async (target) => s.updateShardCount(this.minute, target),
      alarmsMatch: async (n) => this.up.shards === n && this.down.shards === n,
      writeAlarms: async (n) => {
        for (const a of [this.up, this.down]) {
          a.shards = n;
          a.state = "INSUFFICIENT_DATA";
        }
      },
    };
  }

  private evaluate(alarm: SimAlarm, m: number): boolean {
    const values: (number | undefined)[] = [];
    const newest = m - 1 - this.stream.model.metricDelayMinutes;
    for (let k = newest - alarm.spec.evaluationPeriods + 1; k <= newest; k++) {
      values.push(
        this.stream.visible(k, m) ? demandUtilisation(this.stream, k, alarm.shards) : undefined,
      );
    }
    return alarm.evaluate(values);
  }

  async step(m: number): Promise<void> {
    this.minute = m;
    const notified = [this.evaluate(this.up, m), this.evaluate(this.down, m)].some(Boolean);
    const scheduled = m % (this.options.scheduleMinutes ?? 1) === 0;
    if (!notified && !scheduled) return;
    await runScaler({
      ports: this.ports,
      config: this.config,
      now: EPOCH + m * MS,
      policy: this.options.policy,
    });
  }
}

/**
 * The AWS sample (github.com/aws-samples/kinesis-auto-scaling, kinesis_scaling_cf.yaml and
 * golang/scale.go) as it defines its alarms: 300-second periods of IncomingBytes and
 * IncomingRecords Sums, FILL(m, 0), accepted traffic only (MAX of the two usage factors); scale-up
 * `>= 0.75` for 5 of 5 datapoints, scale-down `< 0.25` for 57 of 60 (threshold -1 at one shard).
 * CloudWatch evaluates an alarm every minute over the window that Period x EvaluationPeriods
 * defines, sliding by a minute (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
 * alarm-evaluation.html); the newest period ends at the newest published minute. On ALARM the
 * Lambda doubles or halves (integer division, at least 1) with UpdateShardCount, rewrites both
 * alarms for the new count and sets them to INSUFFICIENT_DATA; when the call fails it sets the
 * triggering alarm to OK so that it fires again. No call budget, no maximum, no cooldown.
 */
export class ReferenceScaler implements Controller {
  private readonly up: SimAlarm;
  private readonly down: SimAlarm;
  private static readonly PERIOD = 5;
  /**
   * Prefix sums of the published datapoints from the warm-up's first minute (index i + 1 = the
   * minutes before minute i - warm-up included).
   */
  private readonly bytesSum: Float64Array;
  private readonly recordsSum: Float64Array;
  private readonly warm: number;
  private filled: number;

  constructor(private readonly stream: SimStream) {
    // FILL(m, 0) leaves no datapoint missing: the treatment of missing data never applies.
    this.up = new SimAlarm(
      {
        comparison: "gte",
        threshold: 0.75,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        treatMissing: "missing",
      },
      stream.open,
    );
    this.down = new SimAlarm(
      {
        comparison: "lt",
        threshold: stream.open > 1 ? 0.25 : -1,
        evaluationPeriods: 60,
        datapointsToAlarm: 57,
        treatMissing: "missing",
      },
      stream.open,
    );
    this.warm = stream.warmupMinutes;
    this.bytesSum = new Float64Array(this.warm + stream.minutes + 1);
    this.recordsSum = new Float64Array(this.warm + stream.minutes + 1);
    this.filled = -this.warm;
  }

  /** Sum of accepted bytes and records over minutes [from, to]; before the warm-up: zero (FILL). */
  private sum(from: number, to: number): { b: number; r: number } {
    const a = Math.max(from, -this.warm) + this.warm;
    const z = Math.max(to, -this.warm - 1) + this.warm;
    if (z < a) return { b: 0, r: 0 };
    return {
      b: this.bytesSum[z + 1] - this.bytesSum[a],
      r: this.recordsSum[z + 1] - this.recordsSum[a],
    };
  }

  private evaluate(alarm: SimAlarm, newest: number): boolean {
    const P = ReferenceScaler.PERIOD;
    const seconds = P * 60;
    const values: number[] = [];
    for (let i = alarm.spec.evaluationPeriods - 1; i >= 0; i--) {
      const end = newest - i * P;
      const { b, r } = this.sum(end - P + 1, end);
      values.push(
        Math.max(b / (alarm.shards * 1024 * 1024 * seconds), r / (alarm.shards * 1000 * seconds)),
      );
    }
    return alarm.evaluate(values);
  }

  async step(m: number): Promise<void> {
    const newest = m - 1 - this.stream.model.metricDelayMinutes;
    for (; this.filled <= newest && this.filled < this.stream.minutes; this.filled++) {
      const d = this.stream.datapoint(this.filled);
      const i = this.filled + this.warm;
      this.bytesSum[i + 1] = this.bytesSum[i] + d.bytes;
      this.recordsSum[i + 1] = this.recordsSum[i] + d.records;
    }
    const upFired = this.evaluate(this.up, newest);
    const downFired = this.evaluate(this.down, newest);
    if (upFired) this.apply(m, this.up, this.stream.open * 2);
    if (downFired) this.apply(m, this.down, Math.max(1, Math.floor(this.stream.open / 2)));
  }

  private apply(m: number, alarm: SimAlarm, target: number): void {
    try {
      this.stream.updateShardCount(m, target);
    } catch {
      alarm.state = "OK"; // retry by flipping the alarm: it fires again on the next evaluation
      return;
    }
    for (const a of [this.up, this.down]) {
      a.shards = target;
      a.state = "INSUFFICIENT_DATA";
    }
    this.down.spec = { ...this.down.spec, threshold: target > 1 ? 0.25 : -1 };
  }
}
