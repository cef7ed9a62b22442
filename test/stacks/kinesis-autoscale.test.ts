import { expect } from "chai";
import { StackRun, runStack, stackFindings } from "../../scripts/harness/runStack";
import { ConfigError, loadConfig } from "../../stacks/config";
import { kinesisAutoscale } from "../../stacks/kinesis-autoscale";
import { realtimeAnalytics } from "../../stacks/realtime-analytics";
import { FLOWS, flowConfigSpecs, orderFlows } from "../../stacks/registry";
import { SETTINGS_ENV, parseSettings } from "../../functions/shard-autoscaler/settings";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";

const NS = "aws-serverless-flows";
const T = {
  stream: "aws:kinesis/stream:Stream",
  fn: "aws:lambda/function:Function",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  scaler: "serverless:streaming:ShardAutoscaler",
  own: "serverless:streaming:ScalableStream",
};

function flowTree(run: StackRun, slug: string) {
  const root = run.resources.find((r) => r.type.startsWith("serverless:flow:") && r.name === slug)!;
  return [root, ...run.recorder.descendants(root.urn)];
}

function scalerSettings(run: StackRun) {
  const fn = run.recorder.get(T.fn, "shard-autoscaler");
  const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
  return parseSettings(env[SETTINGS_ENV]);
}

describe("flow kinesis-autoscale: on its own", () => {
  let run: StackRun;

  before(async () => {
    run = await runStack({
      stack: "test",
      config: {
        [`${NS}:flows`]: '["kinesis-autoscale"]',
        [`${NS}:kinesis-autoscale`]: JSON.stringify({
          minShards: 2,
          maxShards: 32,
          streamShardCount: 4,
          holdHistoryMinutes: 2880,
        }),
      },
      flows: [kinesisAutoscale],
    });
  });

  it("deploys its own encrypted provisioned stream and scales it", () => {
    const tree = flowTree(run, "kinesis-autoscale");
    const streams = tree.filter((r) => r.type === T.stream);
    expect(streams).to.have.length(1);
    expect(streams[0].inputs).to.include({ shardCount: 4, encryptionType: "KMS" });
    expect(tree.filter((r) => r.type === T.scaler)).to.have.length(1);
    const s = scalerSettings(run);
    expect(s.streamArn).to.equal(streams[0].state.arn);
    expect(s.policy).to.include({ minShards: 2, maxShards: 32, holdHistoryMinutes: 2880 });
    const out = run.outputs.kinesisAutoscale as Record<string, unknown>;
    expect(out).to.include({ attachedTo: "own stream", streamArn: streams[0].state.arn });
    expect(out.scalerFunctionName).to.be.a("string");
    expect(out.scaleUpAlarmName).to.be.a("string");
  });

  it("writes the first alarms for the stream's initial shard count", () => {
    const up = run.recorder.get(T.alarm, "shard-autoscaler-scale-up");
    const out = (up.inputs.metricQueries as { returnData: boolean; expression?: string }[]).find(
      (q) => q.returnData,
    );
    expect(out?.expression).to.contain(`/ ${4 * 60 * 1024 * 1024}`);
  });

  it("passes the secure-defaults policy pack", () => {
    const mine = new Set(flowTree(run, "kinesis-autoscale").map((r) => r.urn));
    const findings = withoutKnownGrantFindings(stackFindings(run)).filter((v) => mine.has(v.urn));
    expect(findings).to.deep.equal([]);
  });
});

describe("flow kinesis-autoscale: attached to realtime-analytics", () => {
  let run: StackRun;

  before(async () => {
    run = await runStack({
      stack: "test",
      config: {
        [`${NS}:flows`]: '["realtime-analytics","kinesis-autoscale"]',
        [`${NS}:realtime-analytics`]: JSON.stringify({ shardCount: 2 }),
        [`${NS}:kinesis-autoscale`]: JSON.stringify({ maxShards: 8 }),
      },
      flows: [realtimeAnalytics, kinesisAutoscale],
    });
  });

  it("scales the realtime-analytics stream instead of creating one", () => {
    expect(flowTree(run, "kinesis-autoscale").filter((r) => r.type === T.stream)).to.deep.equal([]);
    const streams = run.resources.filter((r) => r.type === T.stream);
    expect(streams).to.have.length(1);
    const s = scalerSettings(run);
    expect(s.streamArn).to.equal(streams[0].state.arn);
    expect(s.streamName).to.equal(streams[0].state.name);
    const out = run.outputs.kinesisAutoscale as Record<string, unknown>;
    expect(out.attachedTo).to.equal("realtime-analytics");
    // Alarms written for that stream's 2 shards.
    const up = run.recorder.get(T.alarm, "shard-autoscaler-scale-up");
    const expr = (up.inputs.metricQueries as { returnData: boolean; expression?: string }[]).find(
      (q) => q.returnData,
    )?.expression;
    expect(expr).to.contain(`/ ${2 * 60 * 1024 * 1024}`);
  });

  it("has no policy findings", () => {
    const mine = new Set(flowTree(run, "kinesis-autoscale").map((r) => r.urn));
    expect(
      withoutKnownGrantFindings(stackFindings(run)).filter((v) => mine.has(v.urn)),
    ).to.deep.equal([]);
  });
});

describe("flow kinesis-autoscale: config", () => {
  it("declares its dependency on realtime-analytics, so the registry builds it after that flow", () => {
    expect(kinesisAutoscale.dependsOn).to.deep.equal(["realtime-analytics"]);
    const slugs = FLOWS.map((f) => f.slug);
    expect(slugs.indexOf("kinesis-autoscale")).to.be.above(slugs.indexOf("realtime-analytics"));
    // Whatever order a list gives them in.
    const order = orderFlows([kinesisAutoscale, realtimeAnalytics]).map((f) => f.slug);
    expect(order).to.deep.equal(["realtime-analytics", "kinesis-autoscale"]);
  });

  const problemsOf = (raw: Record<string, string>): string[] => {
    try {
      loadConfig(raw, flowConfigSpecs([realtimeAnalytics, kinesisAutoscale]));
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    return [];
  };

  it("refuses an on-demand realtime-analytics stream in the config check, before any resource", () => {
    const problems = problemsOf({
      [`${NS}:flows`]: '["realtime-analytics","kinesis-autoscale"]',
      [`${NS}:realtime-analytics`]: JSON.stringify({ streamMode: "ON_DEMAND" }),
    });
    expect(problems).to.have.length(1);
    expect(problems[0])
      .to.match(/^kinesis-autoscale: .*ON_DEMAND/)
      .and.match(/set realtime-analytics\.streamMode to PROVISIONED/);
  });

  it("refuses shard bounds that exclude the realtime-analytics stream's shard count", () => {
    const problems = problemsOf({
      [`${NS}:flows`]: '["realtime-analytics","kinesis-autoscale"]',
      [`${NS}:realtime-analytics`]: JSON.stringify({ streamMode: "PROVISIONED", shardCount: 8 }),
      [`${NS}:kinesis-autoscale`]: JSON.stringify({ minShards: 1, maxShards: 4 }),
    });
    expect(problems).to.deep.equal([
      "kinesis-autoscale: the realtime-analytics stream starts with 8 shards, outside minShards-maxShards (1-4) (fix: widen the bounds or change realtime-analytics.shardCount)",
    ]);
    expect(
      problemsOf({
        [`${NS}:flows`]: '["realtime-analytics","kinesis-autoscale"]',
        [`${NS}:realtime-analytics`]: JSON.stringify({ streamMode: "PROVISIONED", shardCount: 2 }),
      }),
    ).to.deep.equal([]);
  });

  it("reports every bad setting at once", () => {
    const result = kinesisAutoscale.settings.safeParse({
      minShards: 10,
      maxShards: 4,
      scaleDownThreshold: 0.7,
      streamShardCount: 20,
      holdHistoryMinutes: 59,
      bogus: true,
    });
    expect(result.success).to.equal(false);
    const paths = result.error!.issues.map((i) => i.path.join(".") || i.code);
    expect(paths).to.include.members([
      "minShards",
      "scaleDownThreshold",
      "streamShardCount",
      "holdHistoryMinutes",
    ]);
    expect(result.error!.issues.some((i) => i.code === "unrecognized_keys")).to.equal(true);
  });

  it("fills every default", () => {
    const result = kinesisAutoscale.settings.safeParse({});
    expect(result.success).to.equal(true);
    expect(result.data).to.deep.include({
      minShards: 1,
      maxShards: 64,
      scheduleMinutes: 1,
      holdHistoryMinutes: 10080,
    });
  });
});
