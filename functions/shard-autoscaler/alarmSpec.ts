/**
 * The two scaling alarms for a given shard count, as data. One definition serves the component
 * (which creates the alarms) and the Lambda (which rewrites them after every change), so what
 * Pulumi creates and what the scaler writes are the same alarm. Pure: no SDK types.
 */
import type { PolicyConfig } from "./policy";
import { SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE } from "./rules";

/** One entry of an alarm's metric-math query list (PutMetricAlarm `Metrics`). */
export interface AlarmQuery {
  id: string;
  expression?: string;
  label?: string;
  returnData: boolean;
  metric?: {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    period: number;
    stat: string;
  };
}

/** An alarm without its name and actions (the caller adds those). */
export interface AlarmDefinition {
  description: string;
  comparisonOperator: "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: "notBreaching" | "breaching";
  queries: AlarmQuery[];
}

/** 1-minute periods: Kinesis stream-level metrics are published per minute. */
export const ALARM_PERIOD_SECONDS = 60;

/**
 * Utilisation of `shards` shards by the stream's demand, per minute: the larger of the byte and
 * record ratios against the write limits, where demand is accepted plus throttled traffic
 * (throttled records are given the average size of the accepted ones). Missing minutes count as
 * idle.
 */
export function utilisationQueries(streamName: string, shards: number): AlarmQuery[] {
  const metric = (id: string, metricName: string): AlarmQuery => ({
    id,
    returnData: false,
    metric: {
      namespace: "AWS/Kinesis",
      metricName,
      dimensions: { StreamName: streamName },
      period: ALARM_PERIOD_SECONDS,
      stat: "Sum",
    },
  });
  const expr = (id: string, expression: string): AlarmQuery => ({
    id,
    expression,
    returnData: false,
  });
  const bytesCapacity = shards * SHARD_BYTES_PER_MINUTE;
  const recordsCapacity = shards * SHARD_RECORDS_PER_MINUTE;
  return [
    metric("bytes", "IncomingBytes"),
    metric("records", "IncomingRecords"),
    metric("throttled", "WriteProvisionedThroughputExceeded"),
    expr("b", "FILL(bytes, 0)"),
    expr("r", "FILL(records, 0)"),
    expr("t", "FILL(throttled, 0)"),
    {
      id: "utilisation",
      expression: `MAX([(b + t * IF(r > 0, b / r, 0)) / ${bytesCapacity}, (r + t) / ${recordsCapacity}])`,
      label: `Write utilisation of ${shards} shard${shards === 1 ? "" : "s"} (accepted + throttled)`,
      returnData: true,
    },
  ];
}

/** The scale-up and scale-down alarm definitions for a stream at `shards` shards. */
export function alarmDefinitions(
  streamName: string,
  shards: number,
  policy: Pick<
    PolicyConfig,
    "scaleUpThreshold" | "scaleDownThreshold" | "scaleUpDatapoints" | "quietMinutes"
  >,
): { up: AlarmDefinition; down: AlarmDefinition } {
  const queries = utilisationQueries(streamName, shards);
  const count = `${shards} shard${shards === 1 ? "" : "s"}`;
  return {
    up: {
      description:
        `Kinesis stream ${streamName} (${count}) is at or above ${policy.scaleUpThreshold} write ` +
        `utilisation: the shard autoscaler adds shards. Rewritten by the autoscaler after every change.`,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: policy.scaleUpThreshold,
      evaluationPeriods: policy.scaleUpDatapoints,
      datapointsToAlarm: policy.scaleUpDatapoints,
      treatMissingData: "notBreaching",
      queries,
    },
    down: {
      description:
        `Kinesis stream ${streamName} (${count}) stayed below ${policy.scaleDownThreshold} write ` +
        `utilisation for ${policy.quietMinutes} min: the shard autoscaler removes shards. Rewritten by the autoscaler after every change.`,
      comparisonOperator: "LessThanThreshold",
      threshold: policy.scaleDownThreshold,
      evaluationPeriods: policy.quietMinutes,
      datapointsToAlarm: policy.quietMinutes,
      // No datapoints means no traffic: that is quiet.
      treatMissingData: "breaching",
      queries,
    },
  };
}
