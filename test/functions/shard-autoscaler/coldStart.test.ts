import * as CW from "@aws-sdk/client-cloudwatch";
import {
  AddTagsToStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListTagsForStreamCommand,
  UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { errorOf, metricDataResponse } from "./support";
import { makeHandler } from "../../../functions/shard-autoscaler/handler";
import { decodeLedger } from "../../../functions/shard-autoscaler/ledger";
import { DEFAULT_POLICY_CONFIG } from "../../../functions/shard-autoscaler/policy";
import { MINUTE_MS, SHARD_BYTES_PER_MINUTE } from "../../../functions/shard-autoscaler/rules";
import { AUTHORIZATION_ERRORS, lookbackMinutes } from "../../../functions/shard-autoscaler/scaler";
import { ScalerSettings } from "../../../functions/shard-autoscaler/settings";

const STREAM = "clicks";
const settings: ScalerSettings = {
  streamName: STREAM,
  streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${STREAM}`,
  upAlarmName: "clicks-scale-up",
  downAlarmName: "clicks-scale-down",
  alarmActionArn: "arn:aws:sns:us-east-1:123456789012:scaling",
  policy: { ...DEFAULT_POLICY_CONFIG, maxShards: 64 },
};
const T0 = Date.UTC(2026, 0, 10, 12, 0, 30);
const credentials = { accessKeyId: "x", secretAccessKey: "x" };
const scheduled = {
  source: "aws.events",
  "detail-type": "Scheduled Event",
  time: "2026-01-10T12:00:00Z",
};
const denied = (name: string) => Object.assign(new Error("not authorized"), { name });

/** Kinesis and CloudWatch mocked; `load(ago)` is the demand in shards `ago` minutes back. */
function mocks(shards: number, load: (ago: number) => number) {
  const kinesis: AwsClientStub<KinesisClient> = mockClient(KinesisClient);
  const cw: AwsClientStub<CW.CloudWatchClient> = mockClient(CW.CloudWatchClient);
  let tags: Record<string, string> = {};
  kinesis.on(DescribeStreamSummaryCommand).resolves({
    StreamDescriptionSummary: {
      StreamName: STREAM,
      StreamARN: settings.streamArn,
      StreamStatus: "ACTIVE",
      OpenShardCount: shards,
      StreamModeDetails: { StreamMode: "PROVISIONED" },
    } as never,
  });
  kinesis.on(ListTagsForStreamCommand).callsFake(() => ({
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    HasMoreTags: false,
  }));
  kinesis.on(AddTagsToStreamCommand).callsFake((input: { Tags: Record<string, string> }) => {
    tags = { ...tags, ...input.Tags };
    return {};
  });
  kinesis.on(UpdateShardCountCommand).resolves({});
  cw.on(CW.GetMetricDataCommand).callsFake((input: { StartTime: Date; EndTime: Date }) => {
    const ts: Date[] = [];
    const bytes: number[] = [];
    const minute0 = Math.floor(T0 / MINUTE_MS) * MINUTE_MS;
    for (let t = input.StartTime.getTime(); t < input.EndTime.getTime(); t += MINUTE_MS) {
      const ago = (minute0 - t) / MINUTE_MS;
      if (ago < 3) continue;
      ts.push(new Date(t));
      bytes.push(load(ago) * SHARD_BYTES_PER_MINUTE);
    }
    return metricDataResponse(ts, {
      bytes,
      records: bytes.map((b) => b / 2048),
      throttled: bytes.map(() => 0),
    });
  });
  cw.on(CW.DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  cw.on(CW.PutMetricAlarmCommand).resolves({});
  cw.on(CW.SetAlarmStateCommand).resolves({});
  const handler = () =>
    makeHandler({
      settings: () => settings,
      clients: () => ({
        kinesis: new KinesisClient({ region: "us-east-1", credentials }),
        cloudwatch: new CW.CloudWatchClient({ region: "us-east-1", credentials }),
      }),
      now: () => T0,
    });
  return {
    kinesis,
    cw,
    handler,
    ledger: () => decodeLedger(tags),
    restore: () => {
      kinesis.restore();
      cw.restore();
    },
  };
}

describe("shard-autoscaler: history survives cold starts (GetMetricData)", () => {
  // Bursts to 9 shards for 20 minutes every 3 hours, quiet for the last 40 minutes.
  const bursty = (ago: number) => (ago > 40 && ago % 180 < 20 ? 9 : 1);

  it("a fresh function reads the day's peaks from CloudWatch and holds for them", async () => {
    const w = mocks(12, bursty);
    try {
      const r = await w.handler()(scheduled);
      const query = w.cw.commandCalls(CW.GetMetricDataCommand)[0].args[0].input;
      const minutes = (query.EndTime!.getTime() - query.StartTime!.getTime()) / MINUTE_MS;
      expect(minutes).to.be.at.least(settings.policy.historyMinutes);
      expect(minutes).to.be.at.most(lookbackMinutes(settings.policy));
      // The quiet load alone allows 6; the bursts in the history need 9.
      expect(r.outcome?.decision).to.include({ action: "scale", target: 9 });
    } finally {
      w.restore();
    }
  });

  it("without those bursts in the history the same quiet hour goes further down", async () => {
    const w = mocks(12, () => 1);
    try {
      const r = await w.handler()(scheduled);
      expect(r.outcome?.decision).to.include({ action: "scale", target: 6 });
    } finally {
      w.restore();
    }
  });

  it("two cold functions in a row decide the same from the same CloudWatch history", async () => {
    const a = mocks(9, bursty);
    let first;
    try {
      first = (await a.handler()(scheduled)).outcome?.decision;
    } finally {
      a.restore();
    }
    const b = mocks(9, bursty);
    try {
      const second = (await b.handler()(scheduled)).outcome?.decision;
      expect(second).to.deep.equal(first);
      expect(second?.action).to.equal("none");
    } finally {
      b.restore();
    }
  });
});

describe("shard-autoscaler: authorization failures fail the invocation", () => {
  const throttling = (ago: number) => (ago <= 8 ? 12 : 2);

  it("UpdateShardCount refused (AccessDenied, AccessDeniedException, KMS): the call is forgotten and the handler throws", async () => {
    for (const name of ["AccessDeniedException", "AccessDenied", "KMSAccessDeniedException"]) {
      const w = mocks(4, throttling);
      w.kinesis.on(UpdateShardCountCommand).rejects(denied(name));
      try {
        const error = await errorOf(w.handler()(scheduled));
        expect(error, name).to.be.instanceOf(Error);
        expect((error as Error).name).to.equal("ScalerAuthorizationError");
        expect((error as Error).message).to.match(new RegExp(`UpdateShardCount.*${name}`));
        // The budget is not charged for a call AWS refused.
        expect(w.ledger().calls, name).to.deep.equal([]);
      } finally {
        w.restore();
      }
    }
  });

  it("GetMetricData or PutMetricAlarm refused: thrown too, never a warning and success", async () => {
    for (const fail of ["metrics", "alarms"] as const) {
      const w = mocks(4, throttling);
      if (fail === "metrics")
        w.cw.on(CW.GetMetricDataCommand).rejects(denied("AccessDeniedException"));
      else w.cw.on(CW.PutMetricAlarmCommand).rejects(denied("AccessDeniedException"));
      try {
        const error = await errorOf(w.handler()(scheduled));
        expect((error as Error | undefined)?.name, fail).to.equal("ScalerAuthorizationError");
      } finally {
        w.restore();
      }
    }
  });

  it("other AWS failures still return normally (the schedule retries them)", async () => {
    const w = mocks(4, throttling);
    w.kinesis.on(UpdateShardCountCommand).rejects(denied("LimitExceededException"));
    try {
      const r = await w.handler()(scheduled);
      expect(r.outcome).to.include({ result: "failed", error: "LimitExceededException" });
      expect(AUTHORIZATION_ERRORS.has("LimitExceededException")).to.equal(false);
    } finally {
      w.restore();
    }
  });
});
