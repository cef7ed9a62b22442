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
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
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

  /**
   * Per-policy config as `--policy-pack-config` sends it (each entry keeps its rule's level: the
   * engine always sends one). `{}` resets it.
   */
  async function configure(config: Record<string, Record<string, unknown>> = {}): Promise<void> {
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
    await unary<ConfigureAnalyzerRequest, emptyTypes.Empty>(client.configure, req);
  }

  /** The evaluator's findings in the engine's terms (it prefixes the description to each message). */
  function evaluated(
    resources: RecordedResource[],
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
        await configure(c.config);
        try {
          expect(evaluated(c.resources, c.config), c.title).to.deep.equal(
            await analyze(c.resources),
          );
        } finally {
          if (c.config) await configure();
        }
      }
    });
  }

  it("values unknown during preview are skipped, not failed ('can't run') or flagged", async () => {
    const withDeps = (r: RecordedResource, deps: Record<string, string[]>) =>
      ({ ...r, propertyDependencies: deps }) as RecordedResource;
    const fn = goodFunction("api", UNKNOWN);
    /** A resource of a new stack: its outputs not assigned yet. */
    const fresh = (type: string, name: string, inputs: Record<string, unknown>) =>
      res(type, name, inputs, {
        state: { arn: UNKNOWN, id: UNKNOWN, name: UNKNOWN, url: UNKNOWN },
      });
    const on = (r: RecordedResource, key: string, target: string) =>
      withDeps(r, { [key]: [target] });
    const q = urnOf(T.queue, "q");
    const b = urnOf(T.bucket, "b");
    const t = urnOf(T.topic, "t");
    const preview: RecordedResource[] = [
      fresh(T.queue, "q", { kmsMasterKeyId: UNKNOWN, redrivePolicy: UNKNOWN }),
      fresh(T.queue, "dlq", { sqsManagedSseEnabled: true }),
      on(res(T.queuePolicy, "q", { queueUrl: UNKNOWN, policy: UNKNOWN }), "queueUrl", q),
      on(
        res(T.queuePolicy, "dlq", { queueUrl: UNKNOWN, policy: UNKNOWN }),
        "queueUrl",
        urnOf(T.queue, "dlq"),
      ),
      fresh(T.topic, "t", { kmsMasterKeyId: UNKNOWN }),
      on(res(T.topicPolicy, "t", { arn: UNKNOWN, policy: UNKNOWN }), "arn", t),
      res(T.subscription, "t-q", { topic: UNKNOWN, protocol: "sqs", endpoint: UNKNOWN }),
      res(T.stream, "s", { encryptionType: "KMS", kmsKeyId: UNKNOWN }),
      res(T.table, "d", {
        serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
        billingMode: "PAY_PER_REQUEST",
      }),
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
      res(T.bucket, "b", {}, { state: { bucket: UNKNOWN, arn: UNKNOWN } }),
      on(res(T.sse, "b", { bucket: UNKNOWN, rules: [{}] }), "bucket", b),
      on(res(T.bucketPolicy, "b", { bucket: UNKNOWN, policy: UNKNOWN }), "bucket", b),
      on(
        res(T.publicAccessBlock, "b", {
          bucket: UNKNOWN,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
        "bucket",
        b,
      ),
      on(
        res(T.versioning, "b", { bucket: UNKNOWN, versioningConfiguration: UNKNOWN }),
        "bucket",
        b,
      ),
      on(res(T.lifecycle, "b", { bucket: UNKNOWN, rules: UNKNOWN_ARRAY }), "bucket", b),
      res(T.notification, "b", { bucket: UNKNOWN, queues: [{ queueArn: UNKNOWN }] }),
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
      res(T.esm, "q-later", {
        eventSourceArn: UNKNOWN,
        functionName: UNKNOWN,
        functionResponseTypes: ["ReportBatchItemFailures"],
      }),
      res(T.esm, "s-later", { eventSourceArn: UNKNOWN, functionName: UNKNOWN }),
      res(T.httpStage, "api", {
        apiId: UNKNOWN,
        accessLogSettings: { destinationArn: UNKNOWN, format: "{}" },
        defaultRouteSettings: { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
      }),
      res(T.restStage, "rest", {
        restApi: UNKNOWN,
        stageName: "v1",
        accessLogSettings: { destinationArn: UNKNOWN, format: "{}" },
      }),
      res(T.methodSettings, "rest", {
        restApi: UNKNOWN,
        stageName: "v1",
        methodPath: "*/*",
        settings: { throttlingRateLimit: 1, throttlingBurstLimit: 1 },
      }),
      res(T.ingressRule, "open", {
        securityGroupId: UNKNOWN,
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
      }),
    ];
    expect(await analyze(preview)).to.deep.equal([]);
  });
});
