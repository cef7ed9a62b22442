/**
 * Per-minute model of a provisioned Kinesis stream, written as AWS's side of the contract: it
 * enforces every UpdateShardCount rule itself (independently of the policy's own rule code, so a
 * policy that breaks one is caught), throttles what exceeds the shards' write limits, publishes
 * CloudWatch datapoints late, and stays UPDATING for a few minutes after each call.
 */

const MIB = 1024 * 1024;
export const SHARD_BYTES_PER_MINUTE = MIB * 60;
export const SHARD_RECORDS_PER_MINUTE = 1000 * 60;

export interface ModelParams {
  /** A minute's datapoint becomes visible this many minutes after the minute ends. */
  metricDelayMinutes: number;
  /** UPDATING lasts this long after a call... */
  reshardBaseMinutes: number;
  /** ...plus this per 100 shards added or removed. */
  reshardMinutesPer100Shards: number;
}

export const DEFAULT_MODEL: ModelParams = {
  metricDelayMinutes: 2,
  reshardBaseMinutes: 3,
  reshardMinutesPer100Shards: 1,
};

/** An error shaped like the SDK's (the scaler classifies by `name`). */
export class AwsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface Violation {
  minute: number;
  error: string;
  message: string;
}

const DAY = 1440;

/** The share of a minute's offer that `shards` accept (both write limits). */
export function acceptedFraction(shards: number, bytes: number, records: number): number {
  return Math.min(
    1,
    bytes > 0 ? (shards * SHARD_BYTES_PER_MINUTE) / bytes : 1,
    records > 0 ? (shards * SHARD_RECORDS_PER_MINUTE) / records : 1,
  );
}

export class SimStream {
  open: number;
  status: "ACTIVE" | "UPDATING" = "ACTIVE";
  private updatingTo = 0;
  private doneAt = 0;
  /** Minutes of accepted calls. */
  readonly calls: number[] = [];
  /** Calls AWS would have rejected: every one is a rule the policy broke. */
  readonly violations: Violation[] = [];
  /** Per-minute record of what happened. */
  readonly acceptedBytes: Float64Array;
  readonly acceptedRecords: Float64Array;
  readonly throttledBytes: Float64Array;
  readonly throttledRecords: Float64Array;
  readonly billedShards: Float64Array;
  readonly capacityShards: Float64Array;

  /** Datapoints of the warm-up (index 0 = its oldest minute), as the stream recorded them. */
  private readonly warm: {
    bytes: Float64Array;
    records: Float64Array;
    throttledRecords: Float64Array;
  };

  /**
   * @param warmup the load offered before minute 0 (oldest first, the last is minute -1): the
   *   stream carried it at `initialShards`, throttling what exceeded them, and CloudWatch kept
   *   its datapoints (GetMetricData returns 15 days of 1-minute data), so every policy reads the
   *   same history at its cold start.
   */
  constructor(
    initialShards: number,
    readonly minutes: number,
    readonly model: ModelParams = DEFAULT_MODEL,
    warmup: { bytes: ArrayLike<number>; records: ArrayLike<number> } = {
      bytes: [],
      records: [],
    },
  ) {
    const w = Math.min(warmup.bytes.length, warmup.records.length);
    this.warm = {
      bytes: new Float64Array(w),
      records: new Float64Array(w),
      throttledRecords: new Float64Array(w),
    };
    for (let i = 0; i < w; i++) {
      const f = acceptedFraction(initialShards, warmup.bytes[i], warmup.records[i]);
      this.warm.bytes[i] = warmup.bytes[i] * f;
      this.warm.records[i] = warmup.records[i] * f;
      this.warm.throttledRecords[i] = warmup.records[i] * (1 - f);
    }
    this.open = initialShards;
    this.acceptedBytes = new Float64Array(minutes);
    this.acceptedRecords = new Float64Array(minutes);
    this.throttledBytes = new Float64Array(minutes);
    this.throttledRecords = new Float64Array(minutes);
    this.billedShards = new Float64Array(minutes);
    this.capacityShards = new Float64Array(minutes);
  }

  /** Start of minute `m`: a resharding that is due completes. */
  tick(m: number): void {
    if (this.status === "UPDATING" && m >= this.doneAt) {
      this.open = this.updatingTo;
      this.status = "ACTIVE";
    }
  }

  /** UpdateShardCount as AWS answers it at minute `m`. */
  updateShardCount(m: number, target: number): void {
    const reject = (error: string, message: string): never => {
      this.violations.push({ minute: m, error, message });
      throw new AwsError(error, message);
    };
    if (this.status !== "ACTIVE")
      reject("ResourceInUseException", `stream is ${this.status}, not ACTIVE`);
    const n = this.open;
    if (!Number.isInteger(target) || target < 1)
      reject("ValidationException", `target ${target} is not a positive integer`);
    if (target === n) reject("ValidationException", `target ${target} equals the current count`);
    if (target > 2 * n) reject("LimitExceededException", `${n} -> ${target} is more than double`);
    if (target * 2 < n) reject("LimitExceededException", `${n} -> ${target} is below half`);
    if (target > n && target > 10000)
      reject("LimitExceededException", `${target} is above 10,000 shards`);
    if (n > 10000 && target >= 10000)
      reject("LimitExceededException", `${n} shards may only scale below 10,000`);
    const recent = this.calls.filter((c) => c > m - DAY).length;
    if (recent >= 10)
      reject("LimitExceededException", `${recent} calls in the last 24 hours (at most 10)`);
    this.calls.push(m);
    this.status = "UPDATING";
    this.updatingTo = target;
    this.doneAt =
      m +
      this.model.reshardBaseMinutes +
      Math.floor(Math.abs(target - n) / 100) * this.model.reshardMinutesPer100Shards;
  }

  /** Traffic of minute `m`: what fits the open shards is accepted, the rest throttled. */
  flow(m: number, bytes: number, records: number): void {
    const shards = this.open; // writes go to the old shards until resharding completes
    const f = acceptedFraction(shards, bytes, records);
    this.acceptedBytes[m] = bytes * f;
    this.acceptedRecords[m] = records * f;
    this.throttledBytes[m] = bytes - bytes * f;
    this.throttledRecords[m] = records - records * f;
    this.capacityShards[m] = shards;
    // While resharding, parent and child shards overlap: bill the larger count.
    this.billedShards[m] = this.status === "UPDATING" ? Math.max(shards, this.updatingTo) : shards;
  }

  /** Minutes of warm-up before minute 0 (their datapoints exist from minute -warmupMinutes). */
  get warmupMinutes(): number {
    return this.warm.bytes.length;
  }

  /**
   * Whether minute `k`'s datapoints are published by the start of minute `now`: a minute of the
   * window after the publishing delay, a minute of the warm-up always, nothing before it.
   */
  visible(k: number, now: number): boolean {
    return (
      k >= -this.warmupMinutes && k < this.minutes && k + 1 + this.model.metricDelayMinutes <= now
    );
  }

  /** The CloudWatch datapoints of minute `k` (before minute 0: the warm-up; before it: idle). */
  datapoint(k: number): { bytes: number; records: number; throttledRecords: number } {
    if (k < 0) {
      const i = this.warmupMinutes + k;
      if (i < 0) return { bytes: 0, records: 0, throttledRecords: 0 };
      const w = this.warm;
      return { bytes: w.bytes[i], records: w.records[i], throttledRecords: w.throttledRecords[i] };
    }
    return {
      bytes: this.acceptedBytes[k],
      records: this.acceptedRecords[k],
      throttledRecords: this.throttledRecords[k],
    };
  }

  /** The most calls accepted in any rolling 24 hours. */
  maxCalls24h(): number {
    let best = 0;
    for (let i = 0; i < this.calls.length; i++) {
      let j = i;
      while (j < this.calls.length && this.calls[j] < this.calls[i] + DAY) j++;
      best = Math.max(best, j - i);
    }
    return best;
  }
}

/** CloudWatch alarm states and the M-of-N evaluation with a missing-data treatment. */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface SimAlarmSpec {
  comparison: "gte" | "lt";
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissing: "breaching" | "notBreaching" | "missing";
}

export class SimAlarm {
  state: AlarmState = "INSUFFICIENT_DATA";
  constructor(
    public spec: SimAlarmSpec,
    /** The shard count the alarm's metric math is written for. */
    public shards: number,
  ) {}

  /** Evaluates the newest `evaluationPeriods` values (undefined = missing); true on entering ALARM. */
  evaluate(values: (number | undefined)[]): boolean {
    const s = this.spec;
    let breaching = 0;
    let present = 0;
    for (const v of values) {
      if (v === undefined) {
        if (s.treatMissing === "breaching") breaching++;
        continue;
      }
      present++;
      if (s.comparison === "gte" ? v >= s.threshold : v < s.threshold) breaching++;
    }
    const before = this.state;
    if (breaching >= s.datapointsToAlarm) this.state = "ALARM";
    else if (present === 0 && s.treatMissing === "missing") this.state = "INSUFFICIENT_DATA";
    else this.state = "OK";
    return this.state === "ALARM" && before !== "ALARM";
  }
}
