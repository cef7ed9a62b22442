/**
 * The pack as the Pulumi CLI runs it: policy/index.ts started as its own process (the PolicyPack
 * gRPC server), queried over gRPC like the engine does. Checks that the offline evaluator gives the
 * same findings as the real analyzer, and that the rules cope with preview's unknown values.
 */
import type * as grpcTypes from "@grpc/grpc-js";
import {
  AnalyzeRequest,
  AnalyzeStackRequest,
  AnalyzerPropertyDependencies,
  AnalyzerResource,
  AnalyzerResourceOptions,
  EnforcementLevel,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { expect } from "chai";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { evaluatePolicies } from "../../policy/evaluate";
import { ALL_RULES } from "../../policy/rules";
import type { RecordedResource } from "../../scripts/harness/recorder";
import { CASES } from "./cases";
import { T, doc, goodFunction, res, urnOf } from "./fixtures";

// The same copies the generated gRPC stubs use (instanceof checks depend on it).
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structTypes;
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof emptyTypes;

const ROOT = path.resolve(__dirname, "../..");
/** The engine's marker for a value not known until the resource exists (a string or an array). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";

interface Finding {
  policy: string;
  urn: string;
  message: string;
  level: "mandatory" | "advisory";
}

const struct = (v: Record<string, unknown>) =>
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

describe("policy pack served by policy/index.ts (as `pulumi preview --policy-pack policy` runs it)", function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let client: AnalyzerClient;

  const unary = <Req, Res>(
    method: (req: Req, cb: (e: grpcTypes.ServiceError | null, r: Res) => void) => unknown,
    req: Req,
  ) =>
    new Promise<Res>((resolve, reject) =>
      method.call(client, req, (e: grpcTypes.ServiceError | null, r: Res) =>
        e ? reject(e) : resolve(r),
      ),
    );

  /** What the engine would report for these resources: Analyze per resource, then AnalyzeStack. */
  async function analyze(resources: RecordedResource[]): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const r of resources) {
      const req = new AnalyzeRequest()
        .setType(r.type)
        .setName(r.name)
        .setUrn(r.urn)
        .setProperties(struct(r.inputs))
        .setOptions(resourceOptions(r.parent));
      out.push(
        ...findings(await unary<AnalyzeRequest, AnalyzeResponse>(client.analyze, req), r.urn),
      );
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
    out.push(
      ...findings(
        await unary<AnalyzeStackRequest, AnalyzeResponse>(client.analyzeStack, stack),
        "",
      ),
    );
    return out.sort(order);
  }

  /** The evaluator's findings in the engine's terms (it prefixes the description to each message). */
  function evaluated(resources: RecordedResource[]): Finding[] {
    const describe = new Map(ALL_RULES.map((r) => [r.name, r.description]));
    return evaluatePolicies(resources)
      .map((v) => ({
        policy: v.policy,
        urn: v.urn,
        message: `${describe.get(v.policy)}\n${v.message}`,
        level: v.enforcementLevel,
      }))
      .sort(order);
  }

  before(async () => {
    const proc = spawn(process.execPath, ["--import", "tsx", "index.ts"], {
      cwd: path.join(ROOT, "policy"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    // The pack prints the port it listens on (loopback only), as the CLI expects.
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => reject(new Error(`no port after 90 s: ${err}`)), 90_000);
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.stderr?.on("data", (d: Buffer) => (err += d.toString()));
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`policy pack exited with ${code}: ${err}`));
      });
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    if (child && child.exitCode === null) child.kill();
  });

  it("serves every rule under the pack's name, at the rule's level", async () => {
    const info = await unary<emptyTypes.Empty, AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getName()).to.equal("aws-serverless-flows-secure-defaults");
    const served = info
      .getPoliciesList()
      .map((p) => [
        p.getName(),
        p.getEnforcementlevel() === EnforcementLevel.MANDATORY ? "mandatory" : "advisory",
      ]);
    expect(served).to.deep.equal(ALL_RULES.map((r) => [r.name, r.enforcementLevel]));
  });

  for (const rule of ALL_RULES) {
    it(`${rule.name}: the evaluator finds what the analyzer finds, on every fixture`, async () => {
      const cases = [...(CASES[rule.name]?.bad ?? []), ...(CASES[rule.name]?.good ?? [])];
      expect(cases).to.not.have.length(0);
      for (const c of cases) {
        expect(evaluated(c.resources), c.title).to.deep.equal(await analyze(c.resources));
      }
    });
  }

  it("values unknown during preview are skipped, not failed ('can't run') or flagged", async () => {
    const withDeps = (r: RecordedResource, deps: Record<string, string[]>) =>
      ({ ...r, propertyDependencies: deps }) as RecordedResource;
    const fn = goodFunction("api", UNKNOWN);
    const preview: RecordedResource[] = [
      res(T.queue, "q", { kmsMasterKeyId: UNKNOWN }),
      res(T.topic, "t", { kmsMasterKeyId: UNKNOWN }),
      res(T.stream, "s", { encryptionType: "KMS", kmsKeyId: UNKNOWN }),
      res(T.table, "d", { serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN } }),
      res(T.logGroup, "api", { name: UNKNOWN, retentionInDays: 14, kmsKeyId: UNKNOWN }),
      res(T.rolePolicy, "p", { role: UNKNOWN, policy: UNKNOWN }),
      res(T.policy, "m", {
        policy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: UNKNOWN }],
        },
      }),
      res(T.role, "r", {
        assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole" }),
        inlinePolicies: UNKNOWN_ARRAY,
      }),
      res(T.alarm, "a", { alarmActions: [UNKNOWN], metricName: "Errors" }),
      res(T.key, "k", { enableKeyRotation: true, policy: UNKNOWN }),
      res(T.bucket, "b", {}, { state: { bucket: UNKNOWN } }),
      withDeps(res(T.sse, "b", { bucket: UNKNOWN, rules: [{}] }), {
        bucket: [urnOf(T.bucket, "b")],
      }),
      withDeps(
        { ...fn, state: { ...fn.state, name: UNKNOWN } },
        { loggingConfig: [urnOf(T.logGroup, "api")] },
      ),
      // A function whose name and log group are both unknown: decided on `up`.
      res(
        T.fn,
        "later",
        { ...goodFunction("later", UNKNOWN).inputs },
        { state: { name: UNKNOWN } },
      ),
    ];
    expect(await analyze(preview)).to.deep.equal([]);
  });
});
