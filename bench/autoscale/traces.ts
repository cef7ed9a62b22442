/**
 * Write traffic traces for the autoscaling simulator: per-minute totals of bytes and records
 * offered to the stream (demand, before any throttling).
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
  /** Minutes where load jumps (time to adequate capacity is measured from each). */
  onsets: number[];
  /** Long-lived load (the on-demand cost target applies to these). */
  sustained: boolean;
}

export const MINUTES_PER_DAY = 1440;
export const TRACE_DAYS = 7;
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
  const rand = prng(seed);
  const bytes = new Float64Array(minutes);
  const records = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++) {
    const r = Math.max(0, rate(m, rand) * (1 + noise * gaussian(rand)));
    bytes[m] = r * MIB * 60;
    records[m] = bytes[m] / RECORD_BYTES;
  }
  return {
    name,
    description,
    bytes,
    records,
    onsets: extra.onsets ?? [],
    sustained: extra.sustained,
  };
}

const DAY = MINUTES_PER_DAY;

/** The six built-in 7-day traces. `minutes` shortens them (tests). */
export function builtInTraces(minutes = TRACE_DAYS * DAY): Trace[] {
  const stepAt = 2 * DAY + 10 * 60;
  const crowdAt = 3 * DAY + 18 * 60;
  // Bursts: exponential gaps (mean 3 h), 20 minutes each, 3-4x the base.
  const burstRand = prng(606);
  const bursts: { at: number; factor: number }[] = [];
  for (let t = 90; t < minutes;) {
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
      (m) => 0.5 + (11.5 * m) / (TRACE_DAYS * DAY),
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
      { onsets: bursts.map((b) => b.at).filter((m) => m < minutes), sustained: false, minutes },
    ),
  ];
}

/**
 * Reads a CSV trace: header `minute,bytes,records`, one row per minute (per-minute totals).
 * Missing minutes are idle. Onsets are detected: a minute whose demand is at least twice the
 * median of the previous hour (at most one onset per hour).
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
    if (![m, b, r].every(Number.isFinite) || m < 0 || b < 0 || r < 0 || !Number.isInteger(m))
      throw new Error(
        `${file}:${i + 2}: expected "minute,bytes,records" with non-negative numbers`,
      );
    return { m, b, r };
  });
  if (rows.length === 0) throw new Error(`${file}: no rows`);
  const minutes = Math.max(...rows.map((x) => x.m)) + 1;
  const bytes = new Float64Array(minutes);
  const records = new Float64Array(minutes);
  for (const { m, b, r } of rows) {
    bytes[m] = b;
    records[m] = r;
  }
  return {
    name: path.basename(file).replace(/\.csv$/i, ""),
    description: `from ${file}`,
    bytes,
    records,
    onsets: detectOnsets(bytes, records),
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
