/**
 * Starts a policy pack the way `pulumi preview --policy-pack <dir>` does, and talks to it as the
 * engine does. The CLI's nodejs language host (RunPlugin, kind "analyzer") runs
 * `node <@pulumi/pulumi/cmd/run-policy-pack resolved from the pack> <engine address> <pack dir>`
 * with the pack directory as working directory and PULUMI_NODEJS_{PROJECT,STACK,DRY_RUN} and
 * PULUMI_CONFIG in the environment; the runner registers the ts-node bundled with @pulumi/pulumi
 * with type-checking and the pack's tsconfig.json, then loads the pack's package.json `main`.
 * The pack prints the port of its Analyzer gRPC server (loopback) on stdout, which the engine
 * dials. (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go, RunPlugin.)
 */
import type * as grpcTypes from "@grpc/grpc-js";
import {
  AnalyzeRequest,
  AnalyzeStackRequest,
  AnalyzerPropertyDependencies,
  AnalyzerResource,
  AnalyzerResourceOptions,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
  type AnalyzeResponse,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { evaluatePolicies } from "../../policy/evaluate";
import { ALL_RULES } from "../../policy/rules";
import type { RecordedResource } from "../../scripts/harness/recorder";

// The same copies the generated gRPC stubs use (instanceof checks depend on it).
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
export const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structTypes;
export const { Empty } = fromPulumi(
  "google-protobuf/google/protobuf/empty_pb",
) as typeof emptyTypes;

export const ROOT = path.resolve(__dirname, "../..");
export const PACK_DIR = path.join(ROOT, "policy");

export interface Finding {
  policy: string;
  urn: string;
  message: string;
  level: "mandatory" | "advisory";
}

/** A started pack: its process, its output so far, and a client once it listens. */
export interface RunningPack {
  child: ChildProcess;
  /** Resolves with a connected client, or rejects with the runner's stderr when it exits. */
  ready: Promise<AnalyzerClient>;
  stderr: () => string;
  /** Closes the client and stops the process (SIGTERM), waiting until it has exited. */
  stop: () => Promise<void>;
}

/** Starts the pack in `dir` through @pulumi/pulumi's policy-pack runner, as the CLI does. */
export function startPack(dir: string, timeoutMs: number): RunningPack {
  // Resolved from the pack, as the language host's locateModule does.
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_NODEJS_PROJECT: "aws-serverless-flows",
    PULUMI_NODEJS_STACK: "dev",
    PULUMI_NODEJS_DRY_RUN: "true",
    PULUMI_CONFIG: "{}",
  };
  // What mocha's own process was started with (tsx) is not what the CLI gives the pack.
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith("TS_NODE_")) delete env[k];
  // The engine address is unused by a nodejs pack (it serves; the engine dials it).
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", dir], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let client: AnalyzerClient | undefined;
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<AnalyzerClient>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no port after ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m && !client) {
        clearTimeout(timer);
        client = new AnalyzerClient(`127.0.0.1:${m[1]}`, grpc.credentials.createInsecure());
        resolve(client);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited with ${code}: ${err}`));
    });
  });
  // A start that fails is reported through `ready`; this keeps the rejection from going unhandled.
  ready.catch(() => undefined);
  return {
    child,
    ready,
    stderr: () => err,
    stop: async () => {
      client?.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await exited;
      }
    },
  };
}

/** A unary call as a promise. */
export function unary<Req, Res>(
  client: AnalyzerClient,
  method: (req: Req, cb: (e: grpcTypes.ServiceError | null, r: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) =>
    method.call(client, req, (e: grpcTypes.ServiceError | null, r: Res) =>
      e ? reject(e) : resolve(r),
    ),
  );
}

export const struct = (v: Record<string, unknown>) =>
  Struct.fromJavaScript(
    JSON.parse(JSON.stringify(v)) as Parameters<typeof Struct.fromJavaScript>[0],
  );

function resourceOptions(parent: string | null): AnalyzerResourceOptions {
  const o = new AnalyzerResourceOptions();
  if (parent) o.setParent(parent);
  return o;
}

function findings(resp: AnalyzeResponse, urn: string): Finding[] {
  return resp.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    urn: d.getUrn() || urn,
    message: d.getMessage(),
    level: d.getEnforcementlevel() === EnforcementLevel.MANDATORY ? "mandatory" : "advisory",
  }));
}

const order = (a: Finding, b: Finding) =>
  JSON.stringify([a.policy, a.urn, a.message]) < JSON.stringify([b.policy, b.urn, b.message])
    ? -1
    : 1;

/** What the engine would report for these resources: Analyze per resource, then AnalyzeStack. */
export async function analyze(
  client: AnalyzerClient,
  resources: readonly RecordedResource[],
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const r of resources) {
    const req = new AnalyzeRequest()
      .setType(r.type)
      .setName(r.name)
      .setUrn(r.urn)
      .setProperties(struct(r.inputs))
      .setOptions(resourceOptions(r.parent));
    out.push(...findings(await unary(client, client.analyze, req), r.urn));
  }
  const stack = new AnalyzeStackRequest().setResourcesList(
    resources.map((r) => {
      const ar = new AnalyzerResource()
        .setType(r.type)
        .setName(r.name)
        .setUrn(r.urn)
        .setProperties(struct(r.state))
        .setOptions(resourceOptions(r.parent))
        .setDependenciesList(r.dependsOn);
      if (r.parent) ar.setParent(r.parent);
      const deps =
        (r as { propertyDependencies?: Record<string, string[]> }).propertyDependencies ?? {};
      for (const [key, urns] of Object.entries(deps)) {
        ar.getPropertydependenciesMap().set(
          key,
          new AnalyzerPropertyDependencies().setUrnsList(urns),
        );
      }
      return ar;
    }),
  );
  out.push(...findings(await unary(client, client.analyzeStack, stack), ""));
  return out.sort(order);
}

/**
 * Per-policy config as `--policy-pack-config` sends it (each entry keeps its rule's level: the
 * engine always sends one). `{}` resets it.
 */
export async function configure(
  client: AnalyzerClient,
  config: Record<string, Record<string, unknown>> = {},
): Promise<void> {
  const req = new ConfigureAnalyzerRequest();
  for (const [name, props] of Object.entries(config)) {
    const level = ALL_RULES.find((r) => r.name === name)?.enforcementLevel;
    req
      .getPolicyconfigMap()
      .set(
        name,
        new PolicyConfig()
          .setEnforcementlevel(
            level === "mandatory" ? EnforcementLevel.MANDATORY : EnforcementLevel.ADVISORY,
          )
          .setProperties(struct(props)),
      );
  }
  await unary<ConfigureAnalyzerRequest, emptyTypes.Empty>(client, client.configure, req);
}

/** The evaluator's findings in the engine's terms (it prefixes the description to each message). */
export function evaluated(
  resources: readonly RecordedResource[],
  config?: Record<string, Record<string, unknown>>,
): Finding[] {
  const describe = new Map(ALL_RULES.map((r) => [r.name, r.description]));
  return evaluatePolicies(resources, { config })
    .map((v) => ({
      policy: v.policy,
      urn: v.urn,
      message: `${describe.get(v.policy)}\n${v.message}`,
      level: v.enforcementLevel,
    }))
    .sort(order);
}
