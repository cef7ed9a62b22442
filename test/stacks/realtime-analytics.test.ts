import { expect } from "chai";
import { z } from "zod";
import { StackRun, runStack, stackFindings } from "../../scripts/harness/runStack";
import { ConfigError } from "../../stacks/config";
import { defineFlow } from "../../stacks/flow";
import { realtimeAnalytics } from "../../stacks/realtime-analytics";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";

const NS = "aws-serverless-flows";
const T = {
  stream: "aws:kinesis/stream:Stream",
  fn: "aws:lambda/function:Function",
  table: "aws:dynamodb/table:Table",
  method: "aws:apigateway/method:Method",
  sub: "aws:sns/topicSubscription:TopicSubscription",
  esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
};

/** Stands in for kinesis-autoscale: reads what this flow provides, as that flow will. */
const probe = defineFlow({
  slug: "kinesis-autoscale",
  componentName: "Probe",
  summary: "reads the provided stream",
  settings: z.object({}).strict(),
  dependsOn: ["realtime-analytics"],
  build: (_flow, _settings, ctx) => {
    const shared = ctx.dependency("realtime-analytics")?.stream;
    return {
      streamName: shared?.name,
      streamArn: shared?.arn,
      shardCount: shared?.shardCount,
      mode: shared?.mode,
    };
  },
});

describe("flow realtime-analytics", () => {
  let run: StackRun;
  const get = (type: string, name: string) => run.recorder.get(type, name);
  const out = () => run.outputs.realtimeAnalytics as Record<string, unknown>;

  before(async () => {
    run = await runStack({
      stack: "test",
      config: {
        [`${NS}:flows`]: '["realtime-analytics","kinesis-autoscale"]',
        [`${NS}:environment`]: "prod",
        [`${NS}:realtime-analytics`]: JSON.stringify({
          shardCount: 2,
          notifyEmails: ["oncall@example.com"],
          notifyPhoneNumbers: ["+14155550123"],
          smsSeverities: ["critical"],
          firehoseBufferIntervalSeconds: 60,
        }),
      },
      flows: [realtimeAnalytics, probe],
    });
  });

  it("outputs the ingest URL and key id, stream, tables, topic, raw bucket and Athena names", () => {
    const o = out();
    const stage = get("aws:apigateway/stage:Stage", "realtime-ingest").state;
    expect(o.ingestUrl).to.equal(stage.invokeUrl);
    expect(o.ingestUrl).to.match(
      /^https:\/\/[0-9a-f]+\.execute-api\.us-east-1\.amazonaws\.com\/v1$/,
    );
    expect(o.putRecordsUrl).to.equal(`${o.ingestUrl}/records`);
    expect(o.apiKeyId).to.be.a("string").with.length.above(0);
    expect(o.streamName).to.equal(get(T.stream, "realtime").state.name);
    expect(o.dataTable).to.equal(get(T.table, "realtime-events").state.name);
    expect(o.dedupeTable).to.equal(get(T.table, "realtime-dedupe").state.name);
    expect(o.aggregatesTable).to.equal(get(T.table, "realtime-analytics-aggregates").state.name);
    expect(o.notificationTopicArn).to.equal(
      get("aws:sns/topic:Topic", "realtime-notify").state.arn,
    );
    expect(o.rawBucket).to.equal(get("aws:s3/bucket:Bucket", "realtime-archive-raw").state.bucket);
    expect(o.athenaWorkgroup).to.equal("aws-serverless-flows-test-realtime-archive");
    expect(o.athenaDatabase).to.equal("aws_serverless_flows_test_realtime_archive");
    expect(o.athenaTable).to.equal("raw_events");
  });

  it("provides the stream to the flow that declares dependsOn realtime-analytics", () => {
    const shared = run.outputs.kinesisAutoscale as Record<string, unknown>;
    expect(shared).to.deep.equal({
      streamName: get(T.stream, "realtime").state.name,
      streamArn: get(T.stream, "realtime").state.arn,
      shardCount: 2,
      mode: "PROVISIONED",
    });
  });

  it("keeps production protections outside dev: auth, deletion protection, no force-destroy", () => {
    for (const route of ["record", "records"]) {
      expect(get(T.method, `realtime-ingest-${route}`).inputs).to.include({
        authorization: "AWS_IAM",
        apiKeyRequired: true,
      });
    }
    for (const t of run.recorder.byType(T.table)) {
      expect(t.inputs.deletionProtectionEnabled, t.name).to.equal(true);
    }
    for (const b of run.recorder.byType("aws:s3/bucket:Bucket")) {
      expect(b.inputs.forceDestroy, b.name).to.equal(false);
    }
  });

  it("subscribes the configured email and SMS endpoints", () => {
    expect(get(T.sub, "realtime-notify-email-0").inputs).to.include({
      protocol: "email",
      endpoint: "oncall@example.com",
    });
    const sms = get(T.sub, "realtime-notify-sms-0").inputs;
    expect(sms).to.include({ protocol: "sms", endpoint: "+14155550123" });
    expect(JSON.parse(sms.filterPolicy as string)).to.deep.equal({ severity: ["critical"] });
  });

  it("runs the processor in private subnets that reach only VPC endpoints", () => {
    const vpc = get(T.fn, "realtime-processor").inputs.vpcConfig as {
      subnetIds: string[];
      securityGroupIds: string[];
    };
    const privateSubnets = run.recorder
      .byType("aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"));
    expect(vpc.subnetIds).to.have.length(privateSubnets.length).and.length.above(1);
    const rules = run.recorder
      .byType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
      .filter((r) => r.name.startsWith("realtime-processor"));
    expect(rules.map((r) => r.inputs.cidrIpv4 ?? r.inputs.prefixListId)).not.to.include(
      "0.0.0.0/0",
    );
    expect(rules.length).to.be.at.least(2);
    expect(
      run.recorder.byType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
    ).to.have.length(0);
    // The other consumers call SNS or only DynamoDB from Lambda's own network.
    expect(get(T.fn, "realtime-notify-notifier").inputs.vpcConfig).to.equal(undefined);
  });

  it("sends every alarm to the stack's alarm topic", () => {
    const alarmTopic = run.recorder.byType("aws:sns/topic:Topic").find((t) => t.name === "alarms")!
      .state.arn;
    const alarms = run.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.length).to.be.at.least(15);
    for (const a of alarms) expect(a.inputs.alarmActions, a.name).to.deep.equal([alarmTopic]);
  });

  it("passes the policy pack with no findings", () => {
    expect(
      withoutKnownGrantFindings(stackFindings(run)).map((v) => `${v.policy}: ${v.message}`),
    ).to.deep.equal([]);
  });
});

describe("flow realtime-analytics in dev", () => {
  let run: StackRun;
  before(async () => {
    run = await runStack({
      stack: "dev",
      config: {
        [`${NS}:flows`]: '["realtime-analytics"]',
        [`${NS}:environment`]: "dev",
        [`${NS}:realtime-analytics`]: JSON.stringify({
          streamMode: "ON_DEMAND",
          privateSubnets: false,
          manageApiGatewayAccountRole: false,
        }),
      },
      flows: [realtimeAnalytics],
    });
  });

  it("relaxes protections for teardown and lets the API key alone authenticate", () => {
    const r = run.recorder;
    expect(r.get(T.method, "realtime-ingest-records").inputs.authorization).to.equal("NONE");
    for (const t of r.byType(T.table)) expect(t.inputs.deletionProtectionEnabled).to.equal(false);
    for (const b of r.byType("aws:s3/bucket:Bucket")) expect(b.inputs.forceDestroy).to.equal(true);
    expect(
      r.get("aws:athena/workgroup:Workgroup", "realtime-archive").inputs.forceDestroy,
    ).to.equal(true);
  });

  it("builds an on-demand stream, no VPC and no account logging role when told so", () => {
    const s = run.recorder.get(T.stream, "realtime").inputs;
    expect(s.streamModeDetails).to.deep.equal({ streamMode: "ON_DEMAND" });
    expect(s.shardCount).to.equal(undefined);
    expect(run.recorder.byType("aws:ec2/vpc:Vpc")).to.have.length(0);
    expect(run.recorder.byType("aws:apigateway/account:Account")).to.have.length(0);
  });
});

describe("flow realtime-analytics settings", () => {
  const problems = async (settings: object) => {
    try {
      await runStack({
        stack: "test",
        config: {
          [`${NS}:flows`]: '["realtime-analytics"]',
          [`${NS}:realtime-analytics`]: JSON.stringify(settings),
        },
        flows: [realtimeAnalytics],
      });
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
  };

  it("rejects invalid settings, every problem in one error", async () => {
    const p = await problems({
      streamMode: "ON_DEMAND",
      shardCount: 2,
      retentionHours: 48,
      dedupeTtlHours: 24,
      notifyEmails: ["ops@example"],
      notifyPhoneNumbers: ["0049 151 2345"],
      notifySeverities: ["urgent"],
      flink: { artifactBucketArn: "arn:aws:s3:::apps", artifactKey: "a.jar", runtime: "SQL-1_0" },
      shards: 3,
    });
    const text = p.join("\n");
    for (const field of [
      "realtime-analytics.shardCount",
      "realtime-analytics.dedupeTtlHours",
      "realtime-analytics.notifyEmails.0",
      "realtime-analytics.notifyPhoneNumbers.0",
      "realtime-analytics.notifySeverities.0",
      "realtime-analytics.flink.runtime",
      '"shards"',
    ]) {
      expect(text).to.include(field);
    }
    expect(text).to.include("E.164");
  });

  it("documents every setting with its default", () => {
    const json = z.toJSONSchema(realtimeAnalytics.settings as z.ZodType, { io: "input" }) as {
      properties: Record<string, { description?: string }>;
    };
    for (const [key, prop] of Object.entries(json.properties)) {
      expect(prop.description, key).to.match(/Default: .+\.$/);
    }
  });
});
