/**
 * Cold-start measurement: a fresh Node process per run loads a function's archive (index.js, the
 * loader, as the Lambda runtime does) and handles one sample event; every SDK call goes to the
 * local stub. The baseline is a handler that imports only the function's SDK clients and makes
 * one call with each.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { bundleFunction } from "../../components/compute/bundle";

/** A cheap call per SDK client, for the baselines. */
const BASELINE_CALLS: Record<string, { client: string; command: string }> = {
  "client-dynamodb": { client: "DynamoDBClient", command: "DescribeLimitsCommand" },
  "client-s3": { client: "S3Client", command: "ListBucketsCommand" },
  "client-sqs": { client: "SQSClient", command: "ListQueuesCommand" },
  "client-sns": { client: "SNSClient", command: "ListTopicsCommand" },
  "client-kinesis": { client: "KinesisClient", command: "ListStreamsCommand" },
  "client-cloudwatch": { client: "CloudWatchClient", command: "ListDashboardsCommand" },
};

/** Runs in the child: times loading `entry` and handling the event, prints one result line. */
const HARNESS = `
const { performance } = require("node:perf_hooks");
// Nothing leaves the machine: a connection to anything but loopback fails before DNS.
const net = require("node:net");
const connect = net.Socket.prototype.connect;
let refused = 0;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const host = first && typeof first === "object" ? first.host ?? "localhost" : args[1] ?? "localhost";
  if (!(first && first.path) && !["127.0.0.1", "localhost", "::1"].includes(host)) {
    refused++;
    throw new Error("benchmark: refused a connection to " + host);
  }
  return connect.apply(this, args);
};
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const mod = require(process.env.BENCH_ENTRY);
const loaded = performance.now();
const context = {
  awsRequestId: "bench", functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:bench", memoryLimitInMB: "256",
  logGroupName: "bench", logStreamName: "bench", callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10000,
};
Promise.resolve()
  .then(() => mod.handler(JSON.parse(process.env.BENCH_EVENT), context))
  .then(() => "ok", (e) => "threw " + (e && e.name))
  .then((outcome) => {
    const done = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    process.stdout.write("\\nBENCH_RESULT " + JSON.stringify({ loadMs: loaded - t0, initMs: done - t0, cpuMs, outcome, refused }) + "\\n");
  });
`;

export interface RunResult {
  loadMs: number;
  initMs: number;
  /** CPU time (user + system) of the same span: the work, less sensitive to a busy machine. */
  cpuMs: number;
  outcome: string;
  /** Connections to non-loopback hosts the harness refused (a sample that escaped the stub). */
  refused: number;
}

/** One fresh process: loads `entry`, handles `event` with `env` set. */
export function runOnce(
  entry: string,
  event: unknown,
  env: Record<string, string>,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", HARNESS],
      {
        env: {
          PATH: process.env.PATH ?? "",
          ...env,
          BENCH_ENTRY: entry,
          BENCH_EVENT: JSON.stringify(event),
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
        if (!line)
          return reject(new Error(`${entry}: no result (${error?.message ?? ""} ${stderr})`));
        resolve(JSON.parse(line.slice("BENCH_RESULT ".length)) as RunResult);
      },
    );
  });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The SDK clients a bundle carries: each keeps its package name (for the User-Agent). */
export function sdkClients(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/"@aws-sdk\/(client-[a-z0-9-]+)"/g)) {
    if (BASELINE_CALLS[m[1]]) found.add(m[1]);
  }
  return [...found].sort();
}

/** Source of the baseline handler for these clients: import, construct, one call each. */
export function baselineSource(clients: string[]): string {
  const lines = clients.map((c, i) => {
    const { client, command } = BASELINE_CALLS[c];
    return `import { ${client} as C${i}, ${command} as K${i} } from "@aws-sdk/${c}";`;
  });
  const calls = clients.map((_, i) => `new C${i}({}).send(new K${i}({})).catch(() => undefined)`);
  return `${lines.join("\n")}\nexport const handler = async () => Promise.all([${calls.join(", ")}]);\n`;
}

/** Writes an archive's files into `dir` and returns the path of its index.js. */
export function writeArchive(dir: string, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return path.join(dir, "index.js");
}

/** Bundles the baseline of `name` under `work` (inside the repository, so packages resolve). */
export function baselineBundle(work: string, name: string, clients: string[]) {
  const functionsDir = path.join(work, "baselines");
  fs.mkdirSync(path.join(functionsDir, name), { recursive: true });
  fs.writeFileSync(path.join(functionsDir, name, "handler.ts"), baselineSource(clients));
  return bundleFunction(name, functionsDir);
}
