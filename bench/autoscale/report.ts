/** The simulator's outputs: the JSON document, a printed table and the done-conditions. */
import { lowerBound } from "./bound";
import { firstBurstFloor } from "./online";
import { POLICIES, PolicyResult, RunDetail, SimOptions, score, simulate } from "./simulate";
import { Trace } from "./traces";

export interface TraceReport {
  trace: string;
  results: (PolicyResult & { scoreUsd: number })[];
}

export interface Report {
  traces: TraceReport[];
}

export interface DetailedTrace {
  trace: Trace;
  runs: RunDetail[];
}

/** Runs every policy on every trace, and the lower bound. */
export async function runAll(traces: Trace[], options: SimOptions = {}): Promise<DetailedTrace[]> {
  const out: DetailedTrace[] = [];
  for (const trace of traces) {
    const runs: RunDetail[] = [];
    for (const p of POLICIES) runs.push(await simulate(trace, p, options));
    runs.push(lowerBound(trace, options.model));
    out.push({ trace, runs });
  }
  return out;
}

/** Ours' score over the lower bound's. */
export function boundRatio(runs: RunDetail[]): number {
  const ours = runs.find((r) => r.policy === "ours");
  const bound = runs.find((r) => r.policy === "bound");
  return ours && bound ? score(ours) / Math.max(1e-9, score(bound)) : NaN;
}

/** The limit on ours / bound. */
export const BOUND_RATIO_TARGET = 1.5;

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** The JSON document: `{ traces: [{ trace, results: [{ policy, ...figures }] }] }`. */
export function toReport(detailed: DetailedTrace[]): Report {
  return {
    traces: detailed.map(({ trace, runs }) => ({
      trace: trace.name,
      results: runs.map((r) => ({
        policy: r.policy,
        throttledRecordsPct: round(r.throttledRecordsPct, 4),
        throttledBytesPct: round(r.throttledBytesPct, 4),
        throttledGb: round(r.throttledGb, 3),
        scoreUsd: round(score(r), 2),
        shardHours: round(r.shardHours, 2),
        costUsd: round(r.costUsd, 2),
        calls: r.calls,
        maxCalls24h: r.maxCalls24h,
        minutesToAdequate: r.minutesToAdequate,
      })),
    })),
  };
}

/**
 * Checks the done-conditions; returns one line per condition missed (empty: all met). The bound
 * ratio is reported separately (`ratioShortfalls`).
 */
export function targetMisses(detailed: DetailedTrace[]): string[] {
  const misses: string[] = [];
  for (const { trace, runs } of detailed) {
    const by = (p: string) => runs.find((r) => r.policy === p)!;
    const ours = by("ours");
    const ref = by("reference");
    const name = trace.name;
    if (ours.throttledGb > ref.throttledGb + 1e-9)
      misses.push(
        `${name}: ours throttles ${ours.throttledBytesPct.toFixed(3)}% vs the AWS sample ${ref.throttledBytesPct.toFixed(3)}%`,
      );
    const peers = runs.filter((r) => ["reference", "fixed", "on-demand"].includes(r.policy));
    const best = peers.reduce((a, b) => (score(b) < score(a) ? b : a));
    if (score(ours) > score(best) + 1e-9)
      misses.push(
        `${name}: ours scores $${score(ours).toFixed(2)} vs ${best.policy} $${score(best).toFixed(2)}`,
      );
    // The bound counts its budget per calendar day (see bound.ts): only real runs are checked.
    for (const r of runs.filter((x) => x.policy !== "bound"))
      if (r.maxCalls24h > 10)
        misses.push(`${name}: ${r.policy} made ${r.maxCalls24h} calls in 24 h`);
    if (ours.violations.length > 0)
      misses.push(`${name}: ours made ${ours.violations.length} call(s) AWS rejects`);
  }
  return misses;
}

/** Traces where ours scores above BOUND_RATIO_TARGET x the lower bound. */
export function ratioShortfalls(detailed: DetailedTrace[]): string[] {
  return detailed
    .filter(({ runs }) => boundRatio(runs) > BOUND_RATIO_TARGET)
    .map(({ trace, runs }) => `${trace.name}: ours/bound ${boundRatio(runs).toFixed(2)}`);
}

/**
 * The weaker conditions an online policy can meet (online.ts): its score exceeds the best peer's
 * by no more than the first burst's unavoidable throttling, and its ratio to the bound plus that
 * throttling stays within BOUND_RATIO_TARGET. One line per trace that misses them.
 */
export function onlineMisses(detailed: DetailedTrace[]): string[] {
  const misses: string[] = [];
  for (const { trace, runs } of detailed) {
    const floor = firstBurstFloor(trace).scoreUsd;
    const ours = score(runs.find((r) => r.policy === "ours")!);
    const peers = runs.filter((r) => ["reference", "fixed", "on-demand"].includes(r.policy));
    const best = Math.min(...peers.map(score));
    if (ours > best + floor + 1e-9)
      misses.push(
        `${trace.name}: ours $${ours.toFixed(2)} > best $${best.toFixed(2)} + floor $${floor.toFixed(2)}`,
      );
    const ratio = onlineRatio(trace, runs);
    if (ratio > BOUND_RATIO_TARGET)
      misses.push(`${trace.name}: ours / (bound + floor) ${ratio.toFixed(2)}`);
  }
  return misses;
}

/** Ours' score over the bound's plus the first-burst floor. */
export function onlineRatio(trace: Trace, runs: RunDetail[]): number {
  const ours = runs.find((r) => r.policy === "ours");
  const bound = runs.find((r) => r.policy === "bound");
  const floor = firstBurstFloor(trace).scoreUsd;
  return ours && bound ? score(ours) / Math.max(1e-9, score(bound) + floor) : NaN;
}

/** A fixed-width table: one row per trace and policy. */
export function renderTable(detailed: DetailedTrace[]): string {
  const head = [
    "trace",
    "policy",
    "score $",
    "thr %",
    "cost $",
    "shard-h",
    "calls",
    "max/24h",
    "rejected",
    "adequate min",
    "/bound",
  ];
  const rows: string[][] = [];
  for (const { trace, runs } of detailed) {
    const bound = runs.find((r) => r.policy === "bound");
    for (const r of runs) {
      const provisioned = r.policy !== "on-demand";
      rows.push([
        trace.name,
        r.policy,
        score(r).toFixed(2),
        r.throttledBytesPct.toFixed(3),
        r.costUsd.toFixed(2),
        provisioned ? r.shardHours.toFixed(0) : "-",
        String(r.calls),
        String(r.maxCalls24h),
        String(r.violations.length),
        r.minutesToAdequate === null ? "-" : String(r.minutesToAdequate),
        bound ? (score(r) / Math.max(1e-9, score(bound))).toFixed(2) : "-",
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
