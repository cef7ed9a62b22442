/** The simulator's outputs: the JSON document (format fixed by the issue) and a printed table. */
import { POLICIES, PolicyResult, RunDetail, SimOptions, simulate } from "./simulate";
import { Trace } from "./traces";

export interface TraceReport {
  trace: string;
  results: PolicyResult[];
}

export interface Report {
  traces: TraceReport[];
}

export interface DetailedTrace {
  trace: Trace;
  runs: RunDetail[];
}

/** Runs every policy on every trace. */
export async function runAll(traces: Trace[], options: SimOptions = {}): Promise<DetailedTrace[]> {
  const out: DetailedTrace[] = [];
  for (const trace of traces) {
    const runs: RunDetail[] = [];
    for (const p of POLICIES) runs.push(await simulate(trace, p, options));
    out.push({ trace, runs });
  }
  return out;
}

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
        shardHours: round(r.shardHours, 2),
        costUsd: round(r.costUsd, 2),
        calls: r.calls,
        maxCalls24h: r.maxCalls24h,
        minutesToAdequate: r.minutesToAdequate,
      })),
    })),
  };
}

/** Checks the targets; returns one line per target missed (empty: all met). */
export function targetMisses(detailed: DetailedTrace[]): string[] {
  const misses: string[] = [];
  for (const { trace, runs } of detailed) {
    const by = (p: string) => runs.find((r) => r.policy === p)!;
    const ours = by("ours");
    const ref = by("reference");
    const od = by("on-demand");
    const name = trace.name;
    if (
      ref.throttledRecordsPct > 0
        ? ours.throttledRecordsPct >= ref.throttledRecordsPct
        : ours.throttledRecordsPct > 0
    )
      misses.push(
        `${name}: ours throttles ${ours.throttledRecordsPct.toFixed(3)}% vs reference ${ref.throttledRecordsPct.toFixed(3)}%`,
      );
    if (ours.costUsd > ref.costUsd)
      misses.push(
        `${name}: ours costs $${ours.costUsd.toFixed(2)} vs reference $${ref.costUsd.toFixed(2)}`,
      );
    if (name === "step-10x" && (ours.minutesToAdequate ?? Infinity) > 15)
      misses.push(`${name}: adequate after ${ours.minutesToAdequate} min (target 15)`);
    for (const r of runs)
      if (r.maxCalls24h > 10)
        misses.push(`${name}: ${r.policy} made ${r.maxCalls24h} calls in 24 h`);
    if (ours.violations.length > 0)
      misses.push(`${name}: ours made ${ours.violations.length} call(s) AWS rejects`);
    if (trace.sustained && ours.costUsd > od.costUsd / 3)
      misses.push(
        `${name}: ours costs $${ours.costUsd.toFixed(2)}, more than a third of on-demand $${od.costUsd.toFixed(2)}`,
      );
  }
  return misses;
}

/** A fixed-width table: one row per trace and policy. */
export function renderTable(detailed: DetailedTrace[]): string {
  const head = [
    "trace",
    "policy",
    "thr rec %",
    "thr bytes %",
    "shard-h",
    "cost $",
    "calls",
    "max/24h",
    "rejected",
    "adequate min",
  ];
  const rows: string[][] = [];
  for (const { trace, runs } of detailed) {
    for (const r of runs) {
      const provisioned = r.policy !== "on-demand";
      rows.push([
        trace.name,
        r.policy,
        r.throttledRecordsPct.toFixed(3),
        r.throttledBytesPct.toFixed(3),
        provisioned ? r.shardHours.toFixed(0) : "-",
        r.costUsd.toFixed(2),
        String(r.calls),
        String(r.maxCalls24h),
        String(r.violations.length),
        r.minutesToAdequate === null ? "-" : String(r.minutesToAdequate),
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
