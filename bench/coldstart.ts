/**
 * Cold-start benchmark: `npm run bench:coldstart [-- --runs 7] [--only items-api,files-api] [--json]`.
 *
 * For every function under functions/: its bundle size, and the median over `--runs` fresh Node
 * processes of the time to load its archive (index.js -> bundle.js with source maps on) and handle
 * one sample event (./coldstart/events.ts), next to a baseline that imports only the function's
 * SDK clients and makes one call each. Every AWS call goes to a local stub (AWS_ENDPOINT_URL) that
 * answers 403 AccessDenied, so nothing leaves the machine. `noMapsMs` loads bundle.js directly
 * (no source maps): the cost of readable stack traces.
 *
 * `--json` prints `{ node, runs, functions: [{ name, bundleBytes, mapBytes, initMs, loadMs,
 * noMapsMs, baselineInitMs, cpuMs, baselineCpuMs, baselineBytes, awsCalls, refused, outcome }] }`;
 * cpuMs is the CPU time of the same span, steadier than wall time on a busy machine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FUNCTIONS_DIR, bundleFunction } from "../components/compute/bundle";
import { SAMPLES } from "./coldstart/events";
import { baselineBundle, median, runOnce, sdkClients, writeArchive } from "./coldstart/measure";
import { startStub } from "./coldstart/stub";

interface Args {
  runs: number;
  json: boolean;
  /** Functions to measure. Default: all. */
  only?: string[];
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    if (flag === "--json") args.json = true;
    else if (flag === "--runs") {
      const n = Number(inline ?? argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error("--runs takes 1 to 100");
      args.runs = n;
    } else if (flag === "--only") {
      args.only = (inline ?? argv[++i] ?? "").split(",").filter(Boolean);
    } else
      throw new Error(`unexpected argument "${argv[i]}" (use --runs <n>, --only a,b and --json)`);
  }
  return args;
}

export interface FunctionResult {
  name: string;
  bundleBytes: number;
  mapBytes: number;
  initMs: number;
  loadMs: number;
  noMapsMs: number;
  baselineInitMs: number;
  /** CPU time of the same spans: the work itself, steadier than wall time on a busy machine. */
  cpuMs: number;
  baselineCpuMs: number;
  baselineBytes: number;
  /** Calls that reached the stub in one run: the sample event got past validation to the SDK. */
  awsCalls: number;
  /** Connections elsewhere, refused: 0, or the sample would have left the machine. */
  refused: number;
  outcome: string;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export async function measureAll(runs: number, only?: string[]): Promise<FunctionResult[]> {
  const work = path.resolve(__dirname, "..", ".tmp", "coldstart");
  fs.rmSync(work, { recursive: true, force: true });
  const stub = await startStub();
  const names = fs
    .readdirSync(FUNCTIONS_DIR)
    .filter((n) => fs.existsSync(path.join(FUNCTIONS_DIR, n, "handler.ts")))
    .filter((n) => !only || only.includes(n))
    .sort();
  const results: FunctionResult[] = [];
  try {
    for (const name of names) {
      const bundle = bundleFunction(name);
      const baseline = baselineBundle(work, name, sdkClients(bundle.code));
      const entry = writeArchive(path.join(work, "archives", name), bundle.files);
      const baseEntry = writeArchive(
        path.join(work, "archives", `${name}.baseline`),
        baseline.files,
      );
      const sample = SAMPLES[name] ?? { env: {}, event: {} };
      const env = {
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIDBENCH",
        AWS_SECRET_ACCESS_KEY: "bench",
        AWS_SESSION_TOKEN: "bench",
        AWS_ENDPOINT_URL: stub.url,
        AWS_ENDPOINT_URL_KINESIS: stub.h2url,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_LAMBDA_FUNCTION_NAME: name,
        ...Object.fromEntries(
          Object.entries(sample.env).map(([k, v]) => [k, v.replace("{endpoint}", stub.url)]),
        ),
      };
      const before = stub.requests();
      const first = await runOnce(entry, sample.event, env);
      const awsCalls = stub.requests() - before;
      const full = [first];
      const bare = [];
      const base = [];
      for (let i = 0; i < runs; i++) {
        if (i > 0) full.push(await runOnce(entry, sample.event, env));
        bare.push(await runOnce(path.join(path.dirname(entry), "bundle.js"), sample.event, env));
        base.push(await runOnce(baseEntry, {}, env));
      }
      results.push({
        name,
        bundleBytes: bundle.code.length,
        mapBytes: bundle.map.length,
        initMs: round(median(full.map((r) => r.initMs))),
        loadMs: round(median(full.map((r) => r.loadMs))),
        noMapsMs: round(median(bare.map((r) => r.initMs))),
        baselineInitMs: round(median(base.map((r) => r.initMs))),
        cpuMs: round(median(full.map((r) => r.cpuMs))),
        baselineCpuMs: round(median(base.map((r) => r.cpuMs))),
        baselineBytes: baseline.code.length,
        awsCalls,
        refused: first.refused,
        outcome: first.outcome,
      });
    }
  } finally {
    await stub.close();
  }
  return results;
}

export function renderTable(results: FunctionResult[]): string {
  const kib = (b: number) => (b / 1024).toFixed(0);
  const rows = [
    [
      "function",
      "bundle KiB",
      "map KiB",
      "init ms",
      "no maps ms",
      "baseline ms",
      "x baseline",
      "CPU ms",
      "baseline CPU ms",
      "x baseline CPU",
      "AWS calls",
    ],
    ...results.map((r) => [
      r.name,
      kib(r.bundleBytes),
      kib(r.mapBytes),
      r.initMs.toFixed(1),
      r.noMapsMs.toFixed(1),
      r.baselineInitMs.toFixed(1),
      (r.initMs / r.baselineInitMs).toFixed(2),
      r.cpuMs.toFixed(1),
      r.baselineCpuMs.toFixed(1),
      (r.cpuMs / r.baselineCpuMs).toFixed(2),
      String(r.awsCalls),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "),
    )
    .join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const functions = await measureAll(args.runs, args.only);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ node: process.version, runs: args.runs, functions }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `Node ${process.version}, median of ${args.runs} fresh processes per figure\n`,
    );
    process.stdout.write(`${renderTable(functions)}\n`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
