/**
 * The scaler's AWS I/O: ScalerPorts implemented with the SDK v3 Kinesis and CloudWatch clients.
 * Every method throws the SDK's error unchanged; runScaler decides what a failure means.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  MetricAlarm,
  MetricDataQuery,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  AddTagsToStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListTagsForStreamCommand,
  Tag,
  UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { AlarmDefinition, AlarmQuery, alarmDefinitions } from "./alarmSpec";
import { decodeLedger, encodeLedger } from "./ledger";
import type { MetricPoint } from "./policy";
import type { ScalerPorts } from "./scaler";
import type { ScalerSettings } from "./settings";

export interface AwsClients {
  kinesis: KinesisClient;
  cloudwatch: CloudWatchClient;
}

/** An error for a GetMetricData answer that came back without a usable status. */
export class MetricDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MetricDataError";
  }
}

/** AlarmQuery (our data) -> the SDK's MetricDataQuery. */
export function toMetricDataQuery(q: AlarmQuery): MetricDataQuery {
  return {
    Id: q.id,
    ReturnData: q.returnData,
    ...(q.expression !== undefined ? { Expression: q.expression } : {}),
    ...(q.label !== undefined ? { Label: q.label } : {}),
    ...(q.metric
      ? {
          MetricStat: {
            Metric: {
              Namespace: q.metric.namespace,
              MetricName: q.metric.metricName,
              Dimensions: Object.entries(q.metric.dimensions).map(([Name, Value]) => ({
                Name,
                Value,
              })),
            },
            Period: q.metric.period,
            Stat: q.metric.stat,
          },
        }
      : {}),
  };
}

/** Whether a described alarm is the definition we would write (the parts that depend on N). */
export function alarmMatches(
  actual: MetricAlarm | undefined,
  desired: AlarmDefinition,
  actionArn: string,
): boolean {
  if (!actual) return false;
  const expr = (metrics: MetricDataQuery[] | undefined) =>
    (metrics ?? []).find((m) => m.ReturnData)?.Expression;
  const want = desired.queries.find((q) => q.returnData)?.expression;
  return (
    expr(actual.Metrics) === want &&
    actual.Threshold === desired.threshold &&
    actual.ComparisonOperator === desired.comparisonOperator &&
    actual.EvaluationPeriods === desired.evaluationPeriods &&
    actual.DatapointsToAlarm === desired.datapointsToAlarm &&
    (actual.AlarmActions ?? []).includes(actionArn)
  );
}

export function awsPorts(clients: AwsClients, settings: ScalerSettings): ScalerPorts {
  const { kinesis, cloudwatch } = clients;
  const StreamARN = settings.streamArn;
  const definitions = (shards: number) => {
    const d = alarmDefinitions(settings.streamName, shards, settings.policy);
    return [
      { name: settings.upAlarmName, def: d.up },
      { name: settings.downAlarmName, def: d.down },
    ];
  };

  return {
    async describeStream() {
      const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN }));
      const s = out.StreamDescriptionSummary;
      return {
        status: s?.StreamStatus ?? "UNKNOWN",
        openShardCount: s?.OpenShardCount ?? 0,
        mode: s?.StreamModeDetails?.StreamMode ?? "PROVISIONED",
      };
    },

    async readLedger() {
      const tags: Tag[] = [];
      let start: string | undefined;
      for (let page = 0; page < 10; page++) {
        const out = await kinesis.send(
          new ListTagsForStreamCommand({ StreamARN, ExclusiveStartTagKey: start }),
        );
        tags.push(...(out.Tags ?? []));
        if (!out.HasMoreTags || !out.Tags?.length) break;
        start = out.Tags[out.Tags.length - 1].Key;
      }
      return decodeLedger(Object.fromEntries(tags.map((t) => [t.Key ?? "", t.Value])));
    },

    async writeLedger(ledger) {
      await kinesis.send(new AddTagsToStreamCommand({ StreamARN, Tags: encodeLedger(ledger) }));
    },

    async getMetrics(startMs, endMs) {
      const metric = (Id: string, MetricName: string): MetricDataQuery => ({
        Id,
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: "AWS/Kinesis",
            MetricName,
            Dimensions: [{ Name: "StreamName", Value: settings.streamName }],
          },
          Period: 60,
          Stat: "Sum",
        },
      });
      const queries = [
        metric("bytes", "IncomingBytes"),
        metric("records", "IncomingRecords"),
        metric("throttled", "WriteProvisionedThroughputExceeded"),
      ];
      const points = new Map<number, MetricPoint>();
      const at = (t: number) => {
        let p = points.get(t);
        if (!p) points.set(t, (p = { at: t, bytes: 0, records: 0, throttledRecords: 0 }));
        return p;
      };
      let NextToken: string | undefined;
      for (let page = 0; page < 20; page++) {
        const out = await cloudwatch.send(
          new GetMetricDataCommand({
            // Aligned to the 1-minute period, as CloudWatch recommends.
            StartTime: new Date(Math.floor(startMs / 60_000) * 60_000),
            EndTime: new Date(Math.floor(endMs / 60_000) * 60_000),
            ScanBy: "TimestampAscending",
            MetricDataQueries: queries,
            NextToken,
          }),
        );
        for (const r of out.MetricDataResults ?? []) {
          if (r.StatusCode !== "Complete" && r.StatusCode !== "PartialData")
            throw new MetricDataError(`GetMetricData ${r.Id}: status ${r.StatusCode}`);
          const field =
            r.Id === "bytes" ? "bytes" : r.Id === "records" ? "records" : "throttledRecords";
          (r.Timestamps ?? []).forEach((ts, i) => {
            at(ts.getTime())[field] = r.Values?.[i] ?? 0;
          });
        }
        NextToken = out.NextToken;
        if (!NextToken) break;
      }
      return [...points.values()].sort((a, b) => a.at - b.at);
    },

    async updateShardCount(target) {
      await kinesis.send(
        new UpdateShardCountCommand({
          StreamARN,
          TargetShardCount: target,
          ScalingType: "UNIFORM_SCALING",
        }),
      );
    },

    async alarmsMatch(shards) {
      const out = await cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: [settings.upAlarmName, settings.downAlarmName],
          AlarmTypes: ["MetricAlarm"],
        }),
      );
      const byName = new Map((out.MetricAlarms ?? []).map((a) => [a.AlarmName, a]));
      return definitions(shards).every(({ name, def }) =>
        alarmMatches(byName.get(name), def, settings.alarmActionArn),
      );
    },

    async writeAlarms(shards) {
      for (const { name, def } of definitions(shards)) {
        // PutMetricAlarm replaces the whole definition (tags set at creation are kept).
        await cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: name,
            AlarmDescription: def.description,
            ActionsEnabled: true,
            AlarmActions: [settings.alarmActionArn],
            Metrics: def.queries.map(toMetricDataQuery),
            Threshold: def.threshold,
            ComparisonOperator: def.comparisonOperator,
            EvaluationPeriods: def.evaluationPeriods,
            DatapointsToAlarm: def.datapointsToAlarm,
            TreatMissingData: def.treatMissingData,
          }),
        );
      }
      // Both re-evaluate from scratch against the new count, so one still breaching notifies again.
      for (const { name } of definitions(shards)) {
        await cloudwatch.send(
          new SetAlarmStateCommand({
            AlarmName: name,
            StateValue: "INSUFFICIENT_DATA",
            StateReason: `Shard count is now ${shards}: alarm rewritten by the shard autoscaler`,
          }),
        );
      }
    },
  };
}
