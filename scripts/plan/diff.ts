import { PlanCost, estimateCost } from "./cost";
import type { PlanDocument, PlanResource, PlanViolation } from "./document";
import { replaceReasons } from "./replaceOnChanges";

export type ChangeKind = "create" | "update" | "replace" | "delete";

/** One input property that differs, by its dotted path (arrays compare whole). */
export interface PropertyChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  type: string;
  name: string;
  /** Changed inputs (update, replace); empty for create and delete. */
  properties: PropertyChange[];
  /** For a replace: the properties that force it (see replaceOnChanges.ts). */
  replaceBecause: string[];
}

/** The `--diff BASE.json` document (also `--format json`). */
export interface PlanDiff {
  stack: string;
  baseStack: string;
  counts: Record<ChangeKind | "same", number>;
  changes: ResourceChange[];
  /** Findings of the new plan, and which of them the base did not have / which it had only. */
  violations: PlanViolation[];
  newViolations: PlanViolation[];
  resolvedViolations: PlanViolation[];
  cost: {
    monthlyUsd: number;
    baseMonthlyUsd: number;
    deltaUsd: number;
    byFlow: Record<string, { monthlyUsd: number; baseMonthlyUsd: number; deltaUsd: number }>;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);
// Plain JSON has no undefined: a missing key and null (an unknown) are the same value.
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The leaf paths where two plain-JSON values differ (an array is one leaf). */
export function changedProperties(before: unknown, after: unknown, path = ""): PropertyChange[] {
  if (same(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedProperties(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return [{ path, before: before ?? null, after: after ?? null }];
}

const cents = (n: number) => Math.round(n * 100);
const violationKey = (v: PlanViolation) => `${v.policy}\u0000${v.urn}\u0000${v.message}`;

/** A saved plan without `cost` (written before the estimate existed) is priced here. */
function costOf(doc: PlanDocument, region: string): PlanCost {
  return doc.cost ?? estimateCost(doc.resources, region);
}

/**
 * Compares a plan with a saved base plan by URN: what `pulumi up` would create, update, replace
 * or delete going from the base to this program, the findings that appear or go, and the change
 * in fixed monthly cost. A URN that disappears and another that appears are a delete and a
 * create (Pulumi does the same without an alias).
 */
export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
  const before = new Map<string, PlanResource>(base.resources.map((r) => [r.urn, r]));
  const after = new Map<string, PlanResource>(head.resources.map((r) => [r.urn, r]));
  const changes: ResourceChange[] = [];
  let unchanged = 0;
  for (const r of head.resources) {
    const old = before.get(r.urn);
    if (!old) {
      changes.push({
        kind: "create",
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: [],
        replaceBecause: [],
      });
      continue;
    }
    const properties = changedProperties(old.inputs, r.inputs);
    if (properties.length === 0) {
      unchanged++;
      continue;
    }
    const because = replaceReasons(
      r.type,
      properties.map((p) => p.path),
    );
    changes.push({
      kind: because.length ? "replace" : "update",
      urn: r.urn,
      type: r.type,
      name: r.name,
      properties,
      replaceBecause: because,
    });
  }
  for (const r of base.resources) {
    if (!after.has(r.urn)) {
      changes.push({
        kind: "delete",
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: [],
        replaceBecause: [],
      });
    }
  }
  const order: ChangeKind[] = ["replace", "delete", "update", "create"];
  changes.sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.urn.localeCompare(b.urn),
  );
  const counts = { create: 0, update: 0, replace: 0, delete: 0, same: unchanged };
  for (const c of changes) counts[c.kind]++;

  const baseKeys = new Set(base.violations.map(violationKey));
  const headKeys = new Set(head.violations.map(violationKey));
  const headCost = head.cost;
  const baseCost = costOf(base, headCost.region);
  const flows = [
    ...new Set([...Object.keys(headCost.byFlow), ...Object.keys(baseCost.byFlow)]),
  ].sort();
  return {
    stack: head.stack,
    baseStack: base.stack,
    counts,
    changes,
    violations: head.violations,
    newViolations: head.violations.filter((v) => !baseKeys.has(violationKey(v))),
    resolvedViolations: base.violations.filter((v) => !headKeys.has(violationKey(v))),
    cost: {
      monthlyUsd: headCost.monthlyUsd,
      baseMonthlyUsd: baseCost.monthlyUsd,
      deltaUsd: (cents(headCost.monthlyUsd) - cents(baseCost.monthlyUsd)) / 100,
      byFlow: Object.fromEntries(
        flows.map((f) => {
          const now = headCost.byFlow[f] ?? 0;
          const was = baseCost.byFlow[f] ?? 0;
          return [
            f,
            { monthlyUsd: now, baseMonthlyUsd: was, deltaUsd: (cents(now) - cents(was)) / 100 },
          ];
        }),
      ),
    },
  };
}
