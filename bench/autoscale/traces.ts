/**
 * Write traffic traces for the autoscaling simulator: per-minute totals of bytes and records
 * offered to the stream (demand, before any throttling), and the warm-up before them.
 *
 * The warm-up is what a policy deployed on an existing stream can read at its cold start:
 * GetMetricData keeps 1-minute datapoints for 15 days. Each built-in generator draws it from the
 * same load process as the scored window (its own minutes and noise, never a copy of the
 * window), so a policy learns the load's habits, not its future.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Trace {
  name: string;
  description: string;
  /** Bytes offered per minute. */
  bytes: Float64Array;
  /** Records offered per minute. */
  records: Float64Array;
  /**
   * The minutes before minute 0 (oldest first; the last is minute -1): the load the stream
   * carried before the scored window, readable by every policy as history, never scored.
   */
  warmup: { bytes: Float64Array; records: Float64Array };
  /** Minutes where load jumps (time to adequate capacity is measured from each). */
  onsets: number[];
  /** Long-lived load (the on-demand cost target applies to these). */
  sustained: boolean;
}

export const MINUTES_PER_DAY = 1440;
export const TRACE_DAYS = 7;
/** Days of warm-up the built-in traces carry before minute 0. */
export const WARMUP_DAYS = 2;
const MIB = 1024 * 1024;
/** Average record size of the built-in traces: a typical small JSON event. */
export const RECORD_BYTES = 1200;

/** Small deterministic PRNG (mulberry32), so every run and every machine sees the same traces. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box-Muller), clipped to +-3 sigma. */
function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(-3, Math.min(3, z));
}

/** Builds a trace from a rate function (MiB/s at minute m) with multiplicative noise. */
function fromRate(
  name: string,
  description: string,
  seed: number,
  noise: number,
  rate: (m: number, rand: () => number) => number,
  extra: { onsets?: number[]; sustained: boolean; minutes?: number },
): Trace {
  const minutes = extra.minutes ?? TRACE_DAYS * MINUTES_PER_DAY;
  const warm = WARMUP_DAYS * MINUTES_PER_DAY;
  const rand = prng(seed);
  // One series from minute -warm on: the warm-up and the window are one run of the process.
  const bytes = new Float64Array(warm + minutes);
  const records = new Float64Array(warm + minutes);
  for (let i = 0; i < warm + minutes; i++) {
    const r = Math.max(0, rate(i - warm, rand) * (1 + noise * gaussian(rand)));
    bytes[i] = r * MIB * 60;
    records[i] = bytes[i] / RECORD_BYTES;
  }
  return {
    name,
    description,
    bytes: bytes.subarray(warm),
    records: records.subarray(warm),
    warmup: { bytes: bytes.subarray(0, warm), records: records.subarray(0, warm) },
    onsets: extra.onsets ?? [],
    sustained: extra.sustained,
  };
}

const DAY = MINUTES_PER_DAY;

/**
 * The built-in 7-day traces, each from its own seed, with WARMUP_DAYS of warm-up (rate functions
 * take minutes from -warm-up on). `minutes` shortens the scored window (tests).
 */
export function builtInTraces(minutes = TRACE_DAYS * DAY): Trace[] {
  const warm = WARMUP_DAYS * DAY;
  const stepAt = 2 * DAY + 10 * 60;
  const crowdAt = 3 * DAY + 18 * 60;
  // Bursts: exponential gaps (mean 3 h), 20 minutes each, 3-4x the base.
  const burstRand = prng(606);
  const bursts: { at: number; factor: number }[] = [];
  for (let t = 90 - warm; t < minutes;) {
    bursts.push({ at: Math.round(t), factor: 3 + burstRand() });
    t += 20 + -Math.log(Math.max(burstRand(), 1e-9)) * 180;
  }
  const burstFactor = (m: number) => {
    for (const b of bursts) if (m >= b.at && m < b.at + 20) return b.factor;
    return 1;
  };
  return [
    fromRate("steady", "6 MiB/s with 5% noise", 101, 0.05, () => 6, { sustained: true, minutes }),
    fromRate(
      "daily-sine",
      "daily cycle between 1.6 and 8 MiB/s, 5% noise",
      202,
      0.05,
      (m) => 8 * (0.6 + 0.4 * Math.sin((2 * Math.PI * (m - 6 * 60)) / DAY)),
      { sustained: true, minutes },
    ),
    fromRate(
      "step-10x",
      "1.5 MiB/s, 10x for 6 hours from day 2 10:00",
      303,
      0.05,
      (m) => (m >= stepAt && m < stepAt + 360 ? 15 : 1.5),
      { onsets: stepAt < minutes ? [stepAt] : [], sustained: false, minutes },
    ),
    fromRate(
      "slow-ramp",
      "linear ramp from 0.5 to 12 MiB/s over 7 days, 5% noise",
      404,
      0.05,
      // The ramp starts at minute 0: the warm-up is its flat start.
      (m) => 0.5 + (11.5 * Math.max(0, m)) / (TRACE_DAYS * DAY),
      { sustained: true, minutes },
    ),
    fromRate(
      "flash-crowd",
      "1.5 MiB/s, jump to 12x at day 3 18:00 decaying with a 90-minute half-life",
      505,
      0.05,
      (m) => 1.5 * (1 + (m >= crowdAt ? 11 * Math.pow(0.5, (m - crowdAt) / 90) : 0)),
      { onsets: crowdAt < minutes ? [crowdAt] : [], sustained: false, minutes },
    ),
    fromRate(
      "noisy-bursts",
      "3 MiB/s with 15% noise, 20-minute bursts of 3-4x every ~3 hours",
      606,
      0.15,
      (m) => 3 * burstFactor(m),
      {
        onsets: inWindow(
          bursts.map((b) => b.at),
          minutes,
        ),
        sustained: false,
        minutes,
      },
    ),
    ...shapedTraces(minutes, warm),
  ];
}

/** The onsets inside the scored window [0, minutes). */
const inWindow = (onsets: number[], minutes: number) => onsets.filter((m) => m >= 0 && m < minutes);

/**
 * Periodic bursts: `length` minutes every `every` minutes, one of them at `first` (the warm-up
 * has them too).
 */
function periodic(first: number, every: number, length: number, minutes: number) {
  const onsets: number[] = [];
  for (let m = first % every; m < minutes; m += every) onsets.push(m);
  const inBurst = (m: number) => (((m - first) % every) + every) % every < length;
  return { onsets, inBurst };
}

/** The load shapes that punish a policy spending its call budget badly. */
function shapedTraces(minutes: number, warm: number): Trace[] {
  // Heavy-tailed: Pareto (alpha 1.2) burst sizes up to 12x, 5-40 minute lengths, exponential
  // gaps with a 2-hour mean.
  const rand = prng(707);
  const heavy: { at: number; length: number; factor: number }[] = [];
  for (let t = 45 + rand() * 60 - warm; t < minutes;) {
    const factor = Math.min(12, 1.5 * Math.pow(1 - rand(), -1 / 1.2));
    const length = Math.round(5 + rand() * 35);
    heavy.push({ at: Math.round(t), length, factor });
    t += length - Math.log(Math.max(rand(), 1e-9)) * 120;
  }
  const heavyFactor = (m: number) => {
    for (const b of heavy) if (m >= b.at && m < b.at + b.length) return b.factor;
    return 1;
  };
  const spikes = periodic(5 * 60, 8 * 60, 10, minutes);
  const batch = periodic(20, 60, 12, minutes);
  const viralAt = DAY + 8 * 60;
  const saleAt = 4 * DAY + 9 * 60;
  const diurnal = (m: number) => 0.55 + 0.45 * Math.sin((2 * Math.PI * (m - 7 * 60)) / DAY);
  return [
    fromRate(
      "heavy-tailed",
      "2 MiB/s with 10% noise, Pareto-sized bursts (up to 12x, 5-40 min) every ~2 hours",
      707,
      0.1,
      (m) => 2 * heavyFactor(m),
      {
        onsets: inWindow(
          heavy.map((b) => b.at),
          minutes,
        ),
        sustained: false,
        minutes,
      },
    ),
    fromRate(
      "spikes-20x",
      "1 MiB/s, 20x for 10 minutes every 8 hours (faster than the call budget can follow)",
      808,
      0.05,
      (m) => (spikes.inBurst(m) ? 20 : 1),
      { onsets: spikes.onsets, sustained: false, minutes },
    ),
    fromRate(
      "hourly-batch",
      "2 MiB/s, batch loads of 8x for 12 minutes every hour",
      909,
      0.05,
      (m) => (batch.inBurst(m) ? 16 : 2),
      { onsets: batch.onsets, sustained: false, minutes },
    ),
    fromRate(
      "viral",
      "1 MiB/s, viral growth to 15x from day 1 08:00 (doubling every 3 hours), then decay with a 1-day half-life",
      1010,
      0.05,
      (m) => {
        if (m < viralAt) return 1;
        const h = (m - viralAt) / 60;
        const grown = Math.min(15, Math.pow(2, h / 3));
        const peakAt = 3 * Math.log2(15);
        return h <= peakAt ? grown : 1 + 14 * Math.pow(0.5, (h - peakAt) / 24);
      },
      { onsets: viralAt < minutes ? [viralAt] : [], sustained: false, minutes },
    ),
    fromRate(
      "weekly-sale",
      "diurnal 0.5-5 MiB/s, weekends at 60%, a 4x sale for 4 hours from day 4 09:00",
      1111,
      0.05,
      (m) => {
        const day = ((Math.floor(m / DAY) % 7) + 7) % 7;
        const weekend = day === 5 || day === 6 ? 0.6 : 1;
        const sale = m >= saleAt && m < saleAt + 240 ? 4 : 1;
        return 5 * diurnal(m) * weekend * sale;
      },
      { onsets: saleAt < minutes ? [saleAt] : [], sustained: true, minutes },
    ),
  ];
}

/**
 * Reads a CSV trace: header `minute,bytes,records`, one row per minute (per-minute totals).
 * Rows with a negative minute are the warm-up (history before the scored window, from the
 * earliest such minute to -1); missing minutes are idle. Onsets are detected: a minute whose
 * demand is at least twice the median of the previous hour (at most one onset per hour).
 */
export function readCsvTrace(file: string): Trace {
  const text = fs.readFileSync(file, "utf8");
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines
    .shift()
    ?.split(",")
    .map((h) => h.trim().toLowerCase());
  if (!header || header.join(",") !== "minute,bytes,records")
    throw new Error(`${file}: the first line must be "minute,bytes,records"`);
  const rows = lines.map((line, i) => {
    const [m, b, r] = line.split(",").map((v) => Number(v.trim()));
    if (![m, b, r].every(Number.isFinite) || b < 0 || r < 0 || !Number.isInteger(m))
      throw new Error(
        `${file}:${i + 2}: expected "minute,bytes,records" with an integer minute and non-negative numbers`,
      );
    return { m, b, r };
  });
  if (!rows.some((x) => x.m >= 0)) throw new Error(`${file}: no rows at minute 0 or later`);
  const minutes = Math.max(...rows.map((x) => x.m)) + 1;
  const warm = Math.max(0, -Math.min(...rows.map((x) => x.m)));
  const bytes = new Float64Array(warm + minutes);
  const records = new Float64Array(warm + minutes);
  for (const { m, b, r } of rows) {
    bytes[m + warm] = b;
    records[m + warm] = r;
  }
  const scored = { bytes: bytes.subarray(warm), records: records.subarray(warm) };
  return {
    name: path.basename(file).replace(/\.csv$/i, ""),
    description: `from ${file}`,
    ...scored,
    warmup: { bytes: bytes.subarray(0, warm), records: records.subarray(0, warm) },
    onsets: detectOnsets(scored.bytes, scored.records),
    sustained: false,
  };
}

/** Demand in shard-equivalents (1 MiB/s or 1,000 records/s) per minute. */
export function demandShards(bytes: number, records: number): number {
  return Math.max(bytes / (MIB * 60), records / 60000);
}

function detectOnsets(bytes: Float64Array, records: Float64Array): number[] {
  const onsets: number[] = [];
  for (let m = 60; m < bytes.length; m++) {
    if (onsets.length && m - onsets[onsets.length - 1] < 60) continue;
    const prev: number[] = [];
    for (let k = m - 60; k < m; k++) prev.push(demandShards(bytes[k], records[k]));
    prev.sort((a, b) => a - b);
    const median = prev[30];
    if (median > 0 && demandShards(bytes[m], records[m]) >= 2 * median) onsets.push(m);
  }
  return onsets;
}
