/**
 * The plan snapshot: `npm run snapshot:update` rewrites test/fixtures/plans/<stack>.snapshot.json
 * from the dev and prod plans. Each resource is kept as its type and the sha256 of its inputs in
 * a canonical form (keys sorted), so a refactor that must not change the plans (moves, renames of
 * private code) is checked by test/stacks/planSnapshot.test.ts, and an intended change shows up
 * in review as the URNs whose hash moved.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedResource } from "./harness/recorder";
import { runStack } from "./harness/runStack";
import { readStackConfig } from "./harness/stackFile";

/** The stacks whose plans are snapshotted (the committed `Pulumi.<stack>.yaml` files). */
export const SNAPSHOT_STACKS = ["dev", "prod"] as const;

export const SNAPSHOT_DIR = path.resolve(__dirname, "..", "test", "fixtures", "plans");

/** One resource of the snapshot. */
export interface SnapshotEntry {
  type: string;
  /** The first 16 hex digits of the sha256 of `canonicalJson(inputs)` (enough to see a change). */
  inputs: string;
}

/** URN -> entry, URNs sorted. */
export type PlanSnapshot = Record<string, SnapshotEntry>;

/**
 * JSON of a value with object keys sorted at every depth, so equal inputs give equal text
 * whatever order the program built them in. `undefined` fields are dropped, as Pulumi drops
 * them when it serializes inputs. Resolve promises first (`resolveDeep`).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalize(v)));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalize(v);
    }
    return out;
  }
  return value;
}

/**
 * The value with every promise in it awaited: assets and archives (a function's code) keep their
 * contents in promise fields (`text`, `assets`), which JSON would print as `{}`.
 */
export async function resolveDeep(value: unknown): Promise<unknown> {
  const v: unknown = await value;
  if (Array.isArray(v)) return Promise.all(v.map(resolveDeep));
  if (v && typeof v === "object") {
    const entries = await Promise.all(
      Object.entries(v).map(async ([k, x]) => [k, await resolveDeep(x)] as const),
    );
    return Object.fromEntries(entries);
  }
  return v;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The snapshot of recorded resources (URNs sorted, so the file diffs line by line). */
export async function snapshotOf(resources: readonly RecordedResource[]): Promise<PlanSnapshot> {
  const out: PlanSnapshot = {};
  for (const r of [...resources].sort((a, b) => a.urn.localeCompare(b.urn))) {
    if (out[r.urn]) throw new Error(`duplicate URN in the plan: ${r.urn}`);
    out[r.urn] = {
      type: r.type,
      inputs: sha256(canonicalJson(await resolveDeep(r.inputs))).slice(0, 16),
    };
  }
  return out;
}

/** Runs the real program for `Pulumi.<stack>.yaml` under mocks and snapshots what it registers. */
export async function planSnapshot(stack: string): Promise<PlanSnapshot> {
  const run = await runStack({ stack, config: readStackConfig(stack) });
  return snapshotOf(run.resources);
}

/** Which URNs a plan adds, removes or changes (type or inputs) against a snapshot. */
export interface SnapshotDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export function diffSnapshots(expected: PlanSnapshot, actual: PlanSnapshot): SnapshotDiff {
  const same = (a: SnapshotEntry, b: SnapshotEntry) => a.type === b.type && a.inputs === b.inputs;
  return {
    added: Object.keys(actual).filter((u) => !(u in expected)),
    removed: Object.keys(expected).filter((u) => !(u in actual)),
    changed: Object.keys(actual).filter((u) => u in expected && !same(expected[u], actual[u])),
  };
}

/** A readable account of a diff, empty when the plans match. */
export function describeDiff(stack: string, diff: SnapshotDiff): string {
  const parts = (["added", "removed", "changed"] as const)
    .filter((k) => diff[k].length > 0)
    .map((k) => `${k} (${diff[k].length}):\n${diff[k].map((u) => `  ${u}`).join("\n")}`);
  if (parts.length === 0) return "";
  return (
    `the ${stack} plan differs from test/fixtures/plans/${stack}.snapshot.json ` +
    `(if intended, run \`npm run snapshot:update\` and list the change in the PR):\n` +
    parts.join("\n")
  );
}

export function snapshotFile(stack: string, dir: string = SNAPSHOT_DIR): string {
  return path.join(dir, `${stack}.snapshot.json`);
}

export function readSnapshot(stack: string, dir?: string): PlanSnapshot {
  return JSON.parse(fs.readFileSync(snapshotFile(stack, dir), "utf8")) as PlanSnapshot;
}

async function main(): Promise<void> {
  fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  for (const stack of SNAPSHOT_STACKS) {
    const snapshot = await planSnapshot(stack);
    fs.writeFileSync(snapshotFile(stack), JSON.stringify(snapshot, null, 2) + "\n");
    process.stdout.write(`${snapshotFile(stack)}: ${Object.keys(snapshot).length} resources\n`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
