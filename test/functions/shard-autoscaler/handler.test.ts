import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  MetricAlarm,
  PutMetricAlarmCommand,
  PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  AddTagsToStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  LimitExceededException,
  ListTagsForStreamCommand,
  ResourceInUseException,
  UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { metricDataResponse } from "./support";
import { testArn } from "../../support/testAccount";
import { alarmDefinitions } from "../../../functions/shard-autoscaler/alarmSpec";
import { awsPorts, toMetricDataQuery } from "../../../functions/shard-autoscaler/aws";
import { parseTrigger } from "../../../functions/shard-autoscaler/events";
import {
  HandlerDeps,
  HandlerResult,
  makeHandler,
} from "../../../functions/shard-autoscaler/handler";
import {
  LEDGER_TAGS,
  decodeLedger,
  encodeLedger,
} from "../../../functions/shard-autoscaler/ledger";
import { DEFAULT_POLICY_CONFIG } from "../../../functions/shard-autoscaler/policy";
import { MINUTE_MS, SHARD_BYTES_PER_MINUTE } from "../../../functions/shard-autoscaler/rules";
import { ScalerSettings, parseSettings } from "../../../functions/shard-autoscaler/settings";

const STREAM = "clicks";
const STREAM_ARN = testArn("kinesis", `stream/${STREAM}`);
const TOPIC = testArn("sns", "scaling");
const settings: ScalerSettings = {
  streamName: STREAM,
  streamArn: STREAM_ARN,
  upAlarmName: "clicks-scale-up",
  downAlarmName: "clicks-scale-down",
  alarmActionArn: TOPIC,
  policy: { ...DEFAULT_POLICY_CONFIG, maxShards: 64 },
};
const T0 = Date.UTC(2026, 0, 10, 12, 0, 30);
const credentials = { accessKeyId: "x", secretAccessKey: "x" };

const scheduled = {
  version: "0",
  id: "e1",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  time: "2026-01-10T12:00:00Z",
  resources: [],
  detail: {},
};
const snsAlarm = (alarmName: string, state = "ALARM") => ({
  Records: [
    {
      EventSource: "aws:sns",
      Sns: {
        Message: JSON.stringify({
          AlarmName: alarmName,
          NewStateValue: state,
          OldStateValue: "OK",
          NewStateReason: "Threshold Crossed",
        }),
      },
    },
  ],
});

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

/**
 * A fake account: one stream (status, shards, tags), its metrics and the two alarms, served
 * through aws-sdk-client-mock with the real SDK clients.
 */
class World {
  status = "ACTIVE";
  shards = 4;
  mode = "PROVISIONED";
  tags: Record<string, string> = {};
  /** Demand in shard-equivalents per minute `ago` minutes back (throttled above capacity). */
  load: (ago: number) => number = () => 1;
  alarms = new Map<string, MetricAlarm>();
  /** PutMetricAlarm calls still to fail (throttled). */
  putAlarmFailures = 0;
  now = T0;
  readonly kinesis: AwsClientStub<KinesisClient>;
  readonly cw: AwsClientStub<CloudWatchClient>;

  constructor() {
    this.kinesis = mockClient(KinesisClient);
    this.cw = mockClient(CloudWatchClient);
    this.writeAlarms(this.shards);
    this.kinesis.on(DescribeStreamSummaryCommand).callsFake(() => ({
      StreamDescriptionSummary: {
        StreamName: STREAM,
        StreamARN: STREAM_ARN,
        StreamStatus: this.status,
        OpenShardCount: this.shards,
        StreamModeDetails: { StreamMode: this.mode },
      },
    }));
    this.kinesis.on(ListTagsForStreamCommand).callsFake(() => ({
      Tags: Object.entries(this.tags).map(([Key, Value]) => ({ Key, Value })),
      HasMoreTags: false,
    }));
    this.kinesis.on(AddTagsToStreamCommand).callsFake((input: { Tags: Record<string, string> }) => {
      if (this.status !== "ACTIVE")
        throw new ResourceInUseException({ message: "UPDATING", $metadata: {} });
      this.tags = { ...this.tags, ...input.Tags };
      return {};
    });
    this.kinesis.on(UpdateShardCountCommand).callsFake((input: { TargetShardCount: number }) => {
      if (this.status !== "ACTIVE")
        throw new ResourceInUseException({ message: "UPDATING", $metadata: {} });
      this.status = "UPDATING";
      const from = this.shards;
      this.shards = input.TargetShardCount;
      return { CurrentShardCount: from, TargetShardCount: input.TargetShardCount };
    });
    this.cw.on(GetMetricDataCommand).callsFake((input: { StartTime: Date; EndTime: Date }) => {
      const ts: Date[] = [];
      const bytes: number[] = [];
      const records: number[] = [];
      const throttled: number[] = [];
      const minute0 = Math.floor(this.now / MINUTE_MS) * MINUTE_MS;
      for (let t = input.StartTime.getTime(); t < input.EndTime.getTime(); t += MINUTE_MS) {
        const at = Math.floor(t / MINUTE_MS) * MINUTE_MS;
        const ago = (minute0 - at) / MINUTE_MS;
        if (ago < 3) continue; // not published yet
        const demand = this.load(ago) * SHARD_BYTES_PER_MINUTE;
        const accepted = Math.min(demand, this.shards * SHARD_BYTES_PER_MINUTE);
        ts.push(new Date(at));
        bytes.push(accepted);
        records.push(accepted / 2048);
        throttled.push((demand - accepted) / 2048);
      }
      return metricDataResponse(ts, { bytes, records, throttled });
    });
    this.cw.on(DescribeAlarmsCommand).callsFake(() => ({
      MetricAlarms: [...this.alarms.values()],
    }));
    this.cw.on(PutMetricAlarmCommand).callsFake((input: PutMetricAlarmCommandInput) => {
      if (this.putAlarmFailures > 0) {
        this.putAlarmFailures--;
        throw awsError("Throttling", "Rate exceeded");
      }
      this.alarms.set(input.AlarmName!, {
        AlarmName: input.AlarmName,
        AlarmActions: input.AlarmActions,
        Metrics: input.Metrics,
        Threshold: input.Threshold,
        ComparisonOperator: input.ComparisonOperator,
        EvaluationPeriods: input.EvaluationPeriods,
        DatapointsToAlarm: input.DatapointsToAlarm,
        StateValue: this.alarms.get(input.AlarmName!)?.StateValue ?? "INSUFFICIENT_DATA",
      });
      return {};
    });
    this.cw
      .on(SetAlarmStateCommand)
      .callsFake((input: { AlarmName: string; StateValue: string }) => {
        const a = this.alarms.get(input.AlarmName);
        if (a) a.StateValue = input.StateValue as MetricAlarm["StateValue"];
        return {};
      });
  }

  /** The alarms as the scaler writes them for `shards`. */
  writeAlarms(shards: number): void {
    const d = alarmDefinitions(STREAM, shards, settings.policy);
    for (const [name, def] of [
      [settings.upAlarmName, d.up],
      [settings.downAlarmName, d.down],
    ] as const) {
      this.alarms.set(name, {
        AlarmName: name,
        AlarmActions: [TOPIC],
        Metrics: def.queries.map(toMetricDataQuery),
        Threshold: def.threshold,
        ComparisonOperator: def.comparisonOperator,
        EvaluationPeriods: def.evaluationPeriods,
        DatapointsToAlarm: def.datapointsToAlarm,
        StateValue: "OK",
      });
    }
  }

  /** The shard count the alarms' math is written for. */
  alarmShards(): number[] {
    return [...this.alarms.values()].map((a) => {
      const label = a.Metrics?.find((m) => m.ReturnData)?.Label ?? "";
      return Number(/of (\d+) shard/.exec(label)?.[1]);
    });
  }

  ledger() {
    return decodeLedger(this.tags);
  }

  handler(metrics?: HandlerDeps["metrics"]) {
    return makeHandler({
      metrics,
      settings: () => settings,
      clients: () => ({
        kinesis: new KinesisClient({ region: "us-east-1", credentials }),
        cloudwatch: new CloudWatchClient({ region: "us-east-1", credentials }),
      }),
      now: () => this.now,
    });
  }

  /** Calls of one command, on either client. */
  calls(command: { name: string }) {
    return [...this.kinesis.calls(), ...this.cw.calls()].filter(
      (c) => (c.args[0] as { constructor: { name: string } }).constructor.name === command.name,
    );
  }

  restore(): void {
    this.kinesis.restore();
    this.cw.restore();
  }
}

describe("shard-autoscaler handler: scaling", () => {
  let world: World;
  let result: HandlerResult;

  beforeEach(() => {
    world = new World();
  });
  afterEach(() => world.restore());

  it("scales up on a scheduled run: ledger first, UpdateShardCount with UNIFORM_SCALING, alarms rewritten", async () => {
    world.load = (ago) => (ago <= 8 ? 12 : 2); // throttled: 12 on 4 shards
    result = await world.handler()(scheduled);
    expect(result.trigger).to.equal("schedule");
    expect(result.outcome?.result).to.equal("scaled");
    const updates = world.calls(UpdateShardCountCommand);
    expect(updates).to.have.length(1);
    expect(updates[0].args[0].input).to.deep.equal({
      StreamARN: STREAM_ARN,
      TargetShardCount: 8,
      ScalingType: "UNIFORM_SCALING",
    });
    // The ledger entry was written before the call.
    const tagWrite = world.calls(AddTagsToStreamCommand)[0];
    expect(tagWrite.calledBefore(updates[0])).to.equal(true);
    const ledger = world.ledger();
    expect(ledger.calls).to.deep.equal([{ at: T0, from: 4, to: 8, emergency: true }]);
    expect(ledger.goal?.shards).to.be.above(8);
    // Both alarms now describe 8 shards and re-evaluate from INSUFFICIENT_DATA.
    expect(world.alarmShards()).to.deep.equal([8, 8]);
    const states = world.calls(SetAlarmStateCommand).map((c) => c.args[0].input);
    expect(states).to.have.length(2);
    for (const s of states) expect(s).to.include({ StateValue: "INSUFFICIENT_DATA" });
    const put = world.calls(PutMetricAlarmCommand)[0].args[0].input as PutMetricAlarmCommandInput;
    expect(put.AlarmActions).to.deep.equal([TOPIC]);
    expect(put.Metrics?.find((m) => m.ReturnData)?.Expression).to.contain(
      String(8 * SHARD_BYTES_PER_MINUTE),
    );
  });

  it("counts a run that decided to scale as one ScalingDecisions figure, an ignored event as none", async () => {
    const figures: [string, string, number][] = [];
    const metrics = {
      addMetric: (name: string, unit: string, value: number) =>
        void figures.push([name, unit, value]),
    };
    world.load = (ago) => (ago <= 8 ? 12 : 2);
    await world.handler(metrics as unknown as HandlerDeps["metrics"])(scheduled);
    expect(figures).to.deep.equal([["ScalingDecisions", "Count", 1]]);
    await world.handler(metrics as unknown as HandlerDeps["metrics"])({ hello: "world" });
    expect(figures).to.have.length(1);
  });

  it("runs on an SNS alarm notification too, and ignores unknown events without calling AWS", async () => {
    world.load = () => 12;
    result = await world.handler()(snsAlarm(settings.upAlarmName));
    expect(result.trigger).to.equal("alarm");
    expect(world.calls(UpdateShardCountCommand)).to.have.length(1);

    const other = new World();
    try {
      world.restore();
      const r = await other.handler()({ hello: "world" });
      expect(r.trigger).to.equal("unknown");
      expect(other.kinesis.calls()).to.have.length(0);
      expect(other.cw.calls()).to.have.length(0);
    } finally {
      other.restore();
      world = new World();
    }
  });

  it("continues a multi-step change on the next run once the stream is ACTIVE again", async () => {
    world.load = () => 12;
    const handler = world.handler();
    await handler(scheduled);
    expect(world.shards).to.equal(8);
    // While UPDATING: nothing but a describe (and the ledger read).
    world.now += MINUTE_MS;
    const during = await handler(scheduled);
    expect(during.outcome?.decision.reason).to.match(/UPDATING/);
    expect(world.calls(UpdateShardCountCommand)).to.have.length(1);
    expect(world.calls(GetMetricDataCommand)).to.have.length(1);
    world.status = "ACTIVE";
    world.now += 2 * MINUTE_MS;
    await handler(scheduled);
    const targets = world
      .calls(UpdateShardCountCommand)
      .map((c) => (c.args[0].input as { TargetShardCount: number }).TargetShardCount);
    // A level the day's history knows: its band (12 plus half the headroom), not 12 / 0.6.
    expect(targets).to.deep.equal([8, 14]);
    expect(world.alarmShards()).to.deep.equal([14, 14]);
  });

  it("reconciles alarms written for a different shard count, and leaves matching ones alone", async () => {
    world.writeAlarms(2);
    world.load = () => 3; // 0.75 on 4 shards: no change
    result = await world.handler()(scheduled);
    expect(result.outcome?.decision.action).to.equal("none");
    expect(result.outcome?.alarms).to.equal("rewritten");
    expect(world.alarmShards()).to.deep.equal([4, 4]);
    world.cw.resetHistory();
    result = await world.handler()(scheduled);
    expect(result.outcome?.alarms).to.equal("unchanged");
    expect(world.calls(PutMetricAlarmCommand)).to.have.length(0);
  });

  it("drops a ledger entry for a call that never took effect", async () => {
    world.tags = encodeLedger({
      calls: [{ at: T0 - 5 * MINUTE_MS, from: 4, to: 8, emergency: false }],
    });
    world.load = () => 3;
    await world.handler()(scheduled);
    expect(world.ledger().calls).to.deep.equal([]);
  });
});

describe("shard-autoscaler handler: AWS failures", () => {
  let world: World;

  beforeEach(() => {
    world = new World();
    world.load = () => 12;
  });
  afterEach(() => world.restore());

  it("ResourceInUse on UpdateShardCount: no backoff, the entry is forgotten, alarms untouched", async () => {
    world.kinesis
      .on(UpdateShardCountCommand)
      .rejects(new ResourceInUseException({ message: "being updated", $metadata: {} }));
    const r = await world.handler()(scheduled);
    expect(r.outcome).to.include({
      result: "failed",
      error: "ResourceInUseException",
      alarms: "skipped",
    });
    const ledger = world.ledger();
    expect(ledger.calls).to.deep.equal([]);
    expect(ledger.backoff).to.equal(undefined);
    expect(world.calls(PutMetricAlarmCommand)).to.have.length(0);
  });

  it("LimitExceeded on UpdateShardCount: exponential backoff in the ledger, alarms kept on the real count", async () => {
    world.kinesis
      .on(UpdateShardCountCommand)
      .rejects(new LimitExceededException({ message: "10 per 24 hours", $metadata: {} }));
    world.writeAlarms(2); // stale alarms get fixed for the real 4 shards
    const handler = world.handler();
    const r = await handler(scheduled);
    expect(r.outcome).to.include({ result: "failed", error: "LimitExceededException" });
    expect(world.ledger().calls).to.deep.equal([]);
    expect(world.ledger().backoff).to.deep.equal({ until: T0 + 2 * MINUTE_MS, attempts: 1 });
    expect(world.alarmShards()).to.deep.equal([4, 4]);

    // Inside the backoff: no metrics read, no call.
    world.now = T0 + MINUTE_MS;
    world.kinesis.resetHistory();
    world.cw.resetHistory();
    const waiting = await handler(scheduled);
    expect(waiting.outcome?.decision.reason).to.match(/backing off/);
    expect(world.calls(UpdateShardCountCommand)).to.have.length(0);
    expect(world.calls(GetMetricDataCommand)).to.have.length(0);

    // After it: one more try, and the next wait doubles.
    world.now = T0 + 2 * MINUTE_MS;
    await handler(scheduled);
    expect(world.calls(UpdateShardCountCommand)).to.have.length(1);
    expect(world.ledger().backoff).to.deep.equal({
      until: T0 + 2 * MINUTE_MS + 4 * MINUTE_MS,
      attempts: 2,
    });
  });

  it("never retries in a tight loop: an hour of per-minute runs against a persistent LimitExceeded", async () => {
    world.kinesis
      .on(UpdateShardCountCommand)
      .rejects(new LimitExceededException({ message: "limit", $metadata: {} }));
    const handler = world.handler();
    for (let m = 0; m < 60; m++) {
      world.now = T0 + m * MINUTE_MS;
      const r = await handler(scheduled);
      expect(r.outcome).to.not.equal(undefined);
    }
    // Tries at 0, 2, 6, 14, 30 (waits 2, 4, 8, 16, 32 minutes).
    expect(world.calls(UpdateShardCountCommand)).to.have.length(5);
  });

  it("a successful call clears the backoff", async () => {
    world.tags = encodeLedger({ calls: [], backoff: { until: T0 - 1, attempts: 3 } });
    const r = await world.handler()(scheduled);
    expect(r.outcome?.result).to.equal("scaled");
    expect(world.ledger().backoff).to.equal(undefined);
  });

  it("Kinesis throttling on DescribeStreamSummary: logged, nothing else called, no throw", async () => {
    world.kinesis
      .on(DescribeStreamSummaryCommand)
      .rejects(new LimitExceededException({ message: "Rate exceeded", $metadata: {} }));
    const r = await world.handler()(scheduled);
    expect(r.outcome).to.include({
      result: "failed",
      error: "LimitExceededException",
      alarms: "skipped",
    });
    expect(world.calls(UpdateShardCountCommand)).to.have.length(0);
    expect(world.cw.calls()).to.have.length(0);
  });

  it("ListTagsForStream failing: no call without the ledger, alarms still reconciled", async () => {
    world.kinesis.on(ListTagsForStreamCommand).rejects(awsError("LimitExceededException"));
    world.writeAlarms(2);
    const r = await world.handler()(scheduled);
    expect(r.outcome).to.include({ result: "failed", alarms: "rewritten" });
    expect(world.calls(UpdateShardCountCommand)).to.have.length(0);
  });

  it("AddTagsToStream failing before the call: the call is not made", async () => {
    world.kinesis.on(AddTagsToStreamCommand).rejects(awsError("ThrottlingException"));
    const r = await world.handler()(scheduled);
    expect(r.outcome).to.include({ result: "failed", error: "ThrottlingException" });
    expect(world.calls(UpdateShardCountCommand)).to.have.length(0);
  });

  it("GetMetricData throttled: no decision on missing data, backoff recorded, alarms reconciled", async () => {
    world.cw.on(GetMetricDataCommand).rejects(awsError("Throttling", "Rate exceeded"));
    world.writeAlarms(2);
    world.load = () => 0; // would scale down if missing data were read as idle
    const r = await world.handler()(scheduled);
    expect(r.outcome).to.include({ result: "failed", error: "Throttling", alarms: "rewritten" });
    expect(r.outcome?.decision.reason).to.match(/metrics unavailable/);
    expect(world.calls(UpdateShardCountCommand)).to.have.length(0);
    expect(world.ledger().backoff).to.deep.equal({ until: T0 + 2 * MINUTE_MS, attempts: 1 });
  });

  it("GetMetricData answering InternalError is a failure, not an idle stream", async () => {
    world.cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: "bytes", StatusCode: "InternalError", Timestamps: [], Values: [] }],
    });
    world.load = () => 0;
    const r = await world.handler()(scheduled);
    expect(r.outcome).to.include({ result: "failed", error: "MetricDataError" });
    expect(world.calls(UpdateShardCountCommand)).to.have.length(0);
  });

  it("PutMetricAlarm failing after a change: the change stands, the next ACTIVE run fixes the alarms", async () => {
    world.putAlarmFailures = 1;
    const handler = world.handler();
    const r = await handler(scheduled);
    expect(r.outcome).to.include({ result: "scaled", alarms: "failed" });
    expect(world.alarmShards()).to.deep.equal([4, 4]);
    world.status = "ACTIVE";
    world.load = () => 4; // 0.5 on 8 shards: nothing to do but reconcile
    world.now += 3 * MINUTE_MS;
    const next = await handler(scheduled);
    expect(next.outcome?.alarms).to.equal("rewritten");
    expect(world.alarmShards()).to.deep.equal([8, 8]);
  });

  it("alarm reconciliation failing is reported, not thrown", async () => {
    world.cw.on(DescribeAlarmsCommand).rejects(awsError("Throttling"));
    world.load = () => 3;
    const r = await world.handler()(scheduled);
    expect(r.outcome).to.include({ result: "none", alarms: "failed" });
  });
});

describe("shard-autoscaler handler: parsing", () => {
  it("recognises CloudWatch alarm notifications and scheduled events", () => {
    expect(parseTrigger(snsAlarm("a", "ALARM"))).to.deep.equal({
      kind: "alarm",
      alarms: [{ alarmName: "a", newState: "ALARM", oldState: "OK", reason: "Threshold Crossed" }],
    });
    expect(parseTrigger(scheduled)).to.deep.equal({
      kind: "schedule",
      time: "2026-01-10T12:00:00Z",
    });
    expect(
      parseTrigger({ Records: [{ EventSource: "aws:sns", Sns: { Message: "not json" } }] }).kind,
    ).to.equal("unknown");
    expect(parseTrigger(null).kind).to.equal("unknown");
  });

  it("parses the settings environment variable and names every problem", () => {
    expect(parseSettings(JSON.stringify(settings))).to.deep.equal(settings);
    const partial = parseSettings(JSON.stringify({ ...settings, policy: { maxShards: 8 } }));
    expect(partial.policy).to.deep.equal({ ...DEFAULT_POLICY_CONFIG, maxShards: 8 });
    expect(() => parseSettings(undefined)).to.throw(/SCALER_SETTINGS is not set/);
    expect(() => parseSettings("{")).to.throw(/not valid JSON/);
    expect(() =>
      parseSettings(
        JSON.stringify({ streamName: "s", policy: { minShards: 9, maxShards: 2, bogus: 1 } }),
      ),
    )
      .to.throw(/streamArn/)
      .and.match(/policy\.bogus: unknown/)
      .and.match(/minShards/);
  });

  it("reads tags across pages", async () => {
    const world = new World();
    try {
      const ledgerTags = encodeLedger({
        calls: [{ at: T0 - MINUTE_MS * 90, from: 2, to: 4, emergency: false }],
      });
      world.kinesis
        .on(ListTagsForStreamCommand)
        .resolvesOnce({ Tags: [{ Key: "team", Value: "data" }], HasMoreTags: true })
        .resolvesOnce({
          Tags: Object.entries(ledgerTags).map(([Key, Value]) => ({ Key, Value })),
          HasMoreTags: false,
        });
      world.load = () => 3;
      await world.handler()(scheduled);
      const listCalls = world.calls(ListTagsForStreamCommand).map((c) => c.args[0].input);
      expect(listCalls[1]).to.include({ ExclusiveStartTagKey: "team" });
      expect(Object.keys(world.tags)).to.not.include(LEDGER_TAGS.calls); // nothing rewritten
    } finally {
      world.restore();
    }
  });

  it("merges GetMetricData pages into one datapoint per minute", async () => {
    const world = new World();
    try {
      const t1 = new Date(T0 - 5 * MINUTE_MS);
      const t2 = new Date(T0 - 4 * MINUTE_MS);
      world.cw
        .on(GetMetricDataCommand)
        .resolvesOnce({
          NextToken: "page2",
          MetricDataResults: [
            { Id: "bytes", StatusCode: "PartialData", Timestamps: [t1], Values: [100] },
            { Id: "records", StatusCode: "PartialData", Timestamps: [t1], Values: [10] },
          ],
        })
        .resolvesOnce({
          MetricDataResults: [
            { Id: "bytes", StatusCode: "Complete", Timestamps: [t2], Values: [200] },
            { Id: "records", StatusCode: "Complete", Timestamps: [t2], Values: [20] },
            { Id: "throttled", StatusCode: "Complete", Timestamps: [t1], Values: [3] },
          ],
        });
      const ports = awsPorts(
        {
          kinesis: new KinesisClient({ region: "us-east-1", credentials }),
          cloudwatch: new CloudWatchClient({ region: "us-east-1", credentials }),
        },
        settings,
      );
      const points = await ports.getMetrics(T0 - 10 * MINUTE_MS + 1234, T0);
      expect(points).to.deep.equal([
        { at: t1.getTime(), bytes: 100, records: 10, throttledRecords: 3 },
        { at: t2.getTime(), bytes: 200, records: 20, throttledRecords: 0 },
      ]);
      const inputs = world.calls(GetMetricDataCommand).map((c) => c.args[0].input);
      expect(inputs[1]).to.include({ NextToken: "page2" });
      expect((inputs[0] as { StartTime: Date }).StartTime.getTime() % MINUTE_MS).to.equal(0);
    } finally {
      world.restore();
    }
  });
});
