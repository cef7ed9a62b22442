import * as pulumi from "@pulumi/pulumi";
import type { AlarmSpec } from "../observability/alarms";
import { MetricWidget, metric } from "../observability/flowDashboard";

/** What the pipeline's own alarms watch. */
export interface PipelineAlarmRefs {
  streamName: pulumi.Input<string>;
  processorFunctionName: pulumi.Input<string>;
  onFailureQueueName: pulumi.Input<string>;
}

/**
 * The pipeline's own alarms by name suffix: consumers behind, producers and consumers
 * throttled, the processor behind, and records a consumer gave up on.
 */
export function pipelineAlarmSpecs(
  name: string,
  iteratorAge: number,
  refs: PipelineAlarmRefs,
): [string, AlarmSpec][] {
  const stream = { StreamName: refs.streamName };
  const behind = { statistic: "Maximum", threshold: iteratorAge, datapointsToAlarm: 3 };
  return [
    [
      "iterator-age",
      {
        description: `Consumers of stream ${name} fall behind: the oldest unread record is older than ${iteratorAge} ms`,
        namespace: "AWS/Kinesis",
        metricName: "GetRecords.IteratorAgeMilliseconds",
        dimensions: stream,
        ...behind,
        comparisonOperator: "GreaterThanThreshold",
      },
    ],
    [
      "write-throttled",
      {
        description: `Producers of stream ${name} are throttled (add shards or spread partition keys)`,
        namespace: "AWS/Kinesis",
        metricName: "WriteProvisionedThroughputExceeded",
        dimensions: stream,
      },
    ],
    [
      "read-throttled",
      {
        description: `Consumers of stream ${name} are throttled for minutes (too many consumers per shard: use enhanced fan-out, or add shards)`,
        namespace: "AWS/Kinesis",
        metricName: "ReadProvisionedThroughputExceeded",
        dimensions: stream,
        // Brief read throttling with several polling consumers is normal and retried.
        datapointsToAlarm: 3,
      },
    ],
    [
      "processor-iterator-age",
      {
        description: `The stream processor of ${name} falls behind (errors, throttles or too few shards)`,
        namespace: "AWS/Lambda",
        metricName: "IteratorAge",
        dimensions: { FunctionName: refs.processorFunctionName },
        ...behind,
        comparisonOperator: "GreaterThanThreshold",
      },
    ],
    [
      "consumer-gave-up",
      {
        description: `A consumer of ${name} gave up on records: the on-failure queue holds their shard and sequence numbers (replay them from the stream)`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: refs.onFailureQueueName },
        statistic: "Maximum",
      },
    ],
  ];
}

/**
 * Widgets of a Kinesis stream: records and bytes in, write and read throttling, the oldest
 * unread record's age (against `iteratorAgeAlarmMs` when given), and the shards reporting
 * shard-level metrics each minute (the open shards, as resharding changes them).
 */
export function kinesisStreamWidgets(
  streamName: pulumi.Input<string>,
  iteratorAgeAlarmMs?: number,
): MetricWidget[] {
  const stream = { StreamName: streamName };
  const m = (metricName: string, label: string, rightAxis?: boolean) =>
    metric("AWS/Kinesis", metricName, stream, { label, rightAxis });
  return [
    {
      title: "Incoming records and bytes",
      lines: [m("IncomingRecords", "records"), m("IncomingBytes", "bytes", true)],
    },
    {
      title: "Throttled requests",
      lines: [
        m("WriteProvisionedThroughputExceeded", "writes throttled"),
        m("ReadProvisionedThroughputExceeded", "reads throttled"),
      ],
    },
    {
      title: "Iterator age (ms)",
      stat: "Maximum",
      unit: "ms",
      lines: [m("GetRecords.IteratorAgeMilliseconds", "oldest unread record")],
      thresholds:
        iteratorAgeAlarmMs !== undefined
          ? [{ label: "alarm", value: iteratorAgeAlarmMs }]
          : undefined,
    },
    {
      title: "Open shards",
      stat: "SampleCount",
      lines: [
        {
          id: "shards",
          label: "shards reporting",
          // One series per shard (shard-level metrics are on); each present datapoint counts 1.
          expression: pulumi.interpolate`SUM(SEARCH('{AWS/Kinesis,ShardId,StreamName} StreamName="${streamName}" MetricName="IncomingRecords"', 'SampleCount', 60) * 0 + 1)`,
        },
      ],
    },
  ];
}
