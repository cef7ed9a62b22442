import type { PlanResource } from "./resource";
import { PRICES_AS_OF, UsagePrice, pricesFor } from "./prices";
import { HOURS_PER_MONTH, Line, PRICERS, obj } from "./pricers";

export { HOURS_PER_MONTH } from "./pricers";

/** Resources at the top of the tree that are not a flow (the shared VPC, alarm topic...). */
export const SHARED = "shared";

/** One line of the fixed monthly cost. */
export interface CostItem {
  /** The flow slug the resource belongs to (its top-level component), or "shared". */
  flow: string;
  type: string;
  urn: string;
  name: string;
  /** What is charged, e.g. "NAT gateway-hours". */
  what: string;
  /** How many units a month (hours x count, keys, alarm metrics...). */
  quantity: number;
  unitUsd: number;
  monthlyUsd: number;
  /** The pricing page of the figure. */
  source: string;
}

/** The plan's cost estimate (the JSON plan's `cost`). */
export interface PlanCost {
  region: string;
  pricesAsOf: string;
  /** Fixed monthly cost: what the stack costs with no traffic at all. */
  monthlyUsd: number;
  byFlow: Record<string, number>;
  byType: Record<string, number>;
  items: CostItem[];
  /** Prices paid per use, to multiply by expected traffic. */
  usage: UsagePrice[];
  /** Assumptions the figures rest on. */
  notes: string[];
}

/** Resource types the estimate prices (for the README and tests). */
export const PRICED_TYPES = Object.keys(PRICERS);

/** Splits `total` cents over weights so the parts sum to it exactly (largest remainder). */
export function allocateCents(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const parts = raw.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i]++;
    left--;
  }
  return parts;
}

/** The flow of every resource: the name of its top-level ancestor ("shared" for the stack's own). */
export function flowOf(resources: PlanResource[]): Map<string, string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out = new Map<string, string>();
  for (const r of resources) {
    let top = r;
    while (top.parent && byUrn.has(top.parent)) top = byUrn.get(top.parent)!;
    out.set(r.urn, top.type.startsWith("serverless:flow:") ? top.name : SHARED);
  }
  return out;
}

/**
 * Estimates the stack's fixed monthly cost (what it costs idle, at list price) from the plan's
 * resources and their inputs. Free allowances that are per account (3 dashboards, 10 alarm
 * metrics) are spread over the stack's dashboards and alarms pro rata, assuming the stack is
 * alone in the account. Throws a PriceTableError for a region without a price table.
 */
export function estimateCost(resources: PlanResource[], region: string): PlanCost {
  const table = pricesFor(region);
  const byArn = new Map<string, PlanResource>();
  for (const r of resources) {
    const arn = obj(r.state).arn;
    if (typeof arn === "string") byArn.set(arn, r);
  }
  const flows = flowOf(resources);
  const lines: { r: PlanResource; line: Line }[] = [];
  for (const r of resources) {
    for (const line of PRICERS[r.type]?.(r, table.fixed, { byArn }) ?? []) lines.push({ r, line });
  }

  // Cents per line; a free group's total is computed once and split back exactly.
  const cents = lines.map(({ line }) => Math.round(line.quantity * line.unitUsd * 100));
  const free: Record<string, number> = {
    dashboards: table.fixed.freeDashboards,
    alarmMetrics: table.fixed.freeAlarmMetrics,
  };
  for (const group of Object.keys(free)) {
    const idx = lines.flatMap((l, i) => (l.line.freeGroup === group ? [i] : []));
    const units = idx.reduce((a, i) => a + lines[i].line.quantity, 0);
    if (units === 0) continue;
    const exact = idx.reduce((a, i) => a + lines[i].line.quantity * lines[i].line.unitUsd, 0);
    const total = Math.round((exact * Math.max(0, units - free[group]) * 100) / units);
    const parts = allocateCents(
      total,
      idx.map((i) => lines[i].line.quantity * lines[i].line.unitUsd),
    );
    idx.forEach((i, k) => (cents[i] = parts[k]));
  }

  const items: CostItem[] = lines.map(({ r, line }, i) => ({
    flow: flows.get(r.urn) ?? SHARED,
    type: r.type,
    urn: r.urn,
    name: r.name,
    what: line.what,
    quantity: Number(line.quantity.toFixed(4)),
    unitUsd: line.unitUsd,
    monthlyUsd: cents[i] / 100,
    source: line.source,
  }));
  const sumBy = (key: (item: CostItem, i: number) => string) => {
    const out: Record<string, number> = {};
    items.forEach((item, i) => (out[key(item, i)] = (out[key(item, i)] ?? 0) + cents[i]));
    return Object.fromEntries(
      Object.entries(out)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, v / 100]),
    );
  };
  const byFlow = sumBy((item) => item.flow);
  for (const flow of new Set(flows.values())) byFlow[flow] ??= 0;
  return {
    region,
    pricesAsOf: PRICES_AS_OF,
    monthlyUsd: cents.reduce((a, b) => a + b, 0) / 100,
    byFlow: Object.fromEntries(Object.entries(byFlow).sort(([a], [b]) => a.localeCompare(b))),
    byType: sumBy((item) => item.type),
    items,
    usage: table.usage,
    notes: [
      `${HOURS_PER_MONTH} hours a month, on-demand list prices of ${region} as of ${PRICES_AS_OF}, no tax or discounts.`,
      `The account's free ${table.fixed.freeDashboards} dashboards and ${table.fixed.freeAlarmMetrics} alarm metrics are spread over this stack's, as if it were alone in the account.`,
      "Fixed cost only: traffic (requests, GB, LCUs, MAUs) is priced per use in `usage`.",
    ],
  };
}
