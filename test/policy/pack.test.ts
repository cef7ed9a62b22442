/**
 * The pack as the Pulumi CLI runs it: policy/ started through @pulumi/pulumi's policy-pack runner
 * (which type-checks it with its bundled ts-node and policy/tsconfig.json), queried over gRPC as
 * the engine does (./packRunner). Checks that the offline evaluator gives the same findings as the
 * real analyzer, on every fixture and on the full dev plan, that the rules cope with preview's
 * unknown values, and that the runner refuses a pack that does not type-check.
 */
import type { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { EnforcementLevel, type AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { expect } from "chai";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ALL_RULES } from "../../policy/rules";
import type { RecordedResource } from "../../scripts/harness/recorder";
import { plan } from "../../scripts/plan";
import { CASES } from "./cases";
import { isKnownGrantFinding } from "./expectedFailures";
import { T, doc, goodFunction, res, urnOf } from "./fixtures";
import {
  Empty,
  PACK_DIR,
  ROOT,
  type RunningPack,
  analyze as analyzeWith,
  configure as configureWith,
  evaluated,
  startPack,
  unary,
} from "./packRunner";

/** The engine's marker for a value not known until the resource exists (a string or an array). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";

/** Type-checking the whole pack with the runner's ts-node takes a while on a shared machine. */
const START_MS = 240_000;

describe("policy pack through @pulumi/pulumi's runner (as `pulumi preview --policy-pack policy`)", function () {
  this.timeout(START_MS + 120_000);
  let pack: RunningPack | undefined;
  let client: AnalyzerClient;
  const analyze = (resources: readonly RecordedResource[]) => analyzeWith(client, resources);
  const configure = (config?: Record<string, Record<string, unknown>>) =>
    configureWith(client, config);

  before(async () => {
    pack = startPack(PACK_DIR, START_MS);
    client = await pack.ready;
  });

  after(async () => {
    await pack?.stop();
  });

  it("serves every rule under the pack's name, at the rule's level", async () => {
    const info = await unary<emptyTypes.Empty, AnalyzerInfo>(
      client,
      client.getAnalyzerInfo,
      new Empty(),
    );
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

  it("on the full dev plan, the analyzer finds what the evaluator finds: nothing but the known grant findings", async () => {
    const devPlan = await plan("dev");
    const resources = devPlan.resources as unknown as RecordedResource[];
    const served = await analyze(resources);
    expect(served).to.deep.equal(evaluated(resources));
    const unexpected = served.filter(
      (f) => !isKnownGrantFinding({ ...f, message: f.message.split("\n").slice(1).join("\n") }),
    );
    expect(unexpected, JSON.stringify(unexpected, null, 2)).to.deep.equal([]);
  });

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
    /** Access logs to a log group the stack creates (its ARN unknown), for both API stages. */
    const unknownLogs = { destinationArn: UNKNOWN, format: "{}" };
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
        accessLogSettings: unknownLogs,
        defaultRouteSettings: { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
      }),
      res(T.restStage, "rest", {
        restApi: UNKNOWN,
        stageName: "v1",
        accessLogSettings: unknownLogs,
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

describe("the runner refuses a pack that does not type-check", function () {
  this.timeout(START_MS + 60_000);
  let dir: string;
  let pack: RunningPack | undefined;

  before(() => {
    // A copy of the pack beside a link to this repository's node_modules, as an install would have.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
    fs.cpSync(PACK_DIR, dir, {
      recursive: true,
      filter: (src) => path.basename(src) !== "node_modules",
    });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    // A plain type error, and one that only strict mode (policy/tsconfig.json) reports.
    fs.appendFileSync(
      path.join(dir, "rules/util.ts"),
      '\nexport const injectedCount: number = "three";\nexport function injectedEcho(v) {\n  return v;\n}\n',
    );
  });

  after(async () => {
    await pack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("exits with the TypeScript errors instead of serving", async () => {
    pack = startPack(dir, START_MS);
    const started = await pack.ready.then(
      () => "served",
      (e: Error) => e.message,
    );
    expect(started).to.match(/policy pack exited with [1-9]/);
    expect(started).to.contain("Unable to compile TypeScript");
    expect(started).to.match(/rules\/util\.ts\(\d+,\d+\): error TS2322/);
    expect(started).to.match(/rules\/util\.ts\(\d+,\d+\): error TS7006/);
  });
});
