import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import { DashboardRow, metric } from "../observability/flowDashboard";
import type { Transform } from "../core/transform";
import type { SecureBucket } from "../storage/secureBucket";
import type { BundledFunction } from "../compute/lambdaFunction";

/** What an archive's dashboard reads. */
export interface ArchiveMetricsSource {
  deliveryStream: aws.kinesis.FirehoseDeliveryStream;
  workgroup: aws.athena.Workgroup;
  rawBucket: SecureBucket;
  transformFunction: BundledFunction;
}

/**
 * Dashboard rows: Firehose (records read from the stream, delivered to S3, success rate, data
 * freshness), the raw bucket's storage, and the Athena workgroup's queries.
 */
export function streamArchiveWidgets(
  a: ArchiveMetricsSource,
  title: string,
  freshnessAlarmSeconds?: number,
): DashboardRow[] {
  const m = (metricName: string, label: string, stat?: string, rightAxis?: boolean) =>
    metric(
      "AWS/Firehose",
      metricName,
      { DeliveryStreamName: a.deliveryStream.name },
      { label, stat, rightAxis },
    );
  const athena = (queryState: string, label: string) =>
    metric(
      "AWS/Athena",
      "ProcessedBytes",
      { QueryState: queryState, QueryType: "DML", WorkGroup: a.workgroup.name },
      { label },
    );
  return [
    {
      title: `Firehose ${title}`,
      widgets: [
        {
          title: "Records read and delivered",
          lines: [
            m("DataReadFromKinesisStream.Records", "read from the stream"),
            m("DeliveryToS3.Records", "delivered to S3"),
          ],
        },
        {
          title: "Delivery to S3 success (0-1)",
          stat: "Minimum",
          lines: [m("DeliveryToS3.Success", "success")],
          thresholds: [{ label: "alarm below", value: 1 }],
        },
        {
          title: "Data freshness and lag (s / ms)",
          stat: "Maximum",
          lines: [
            m("DeliveryToS3.DataFreshness", "oldest record not in S3 (s)"),
            m("KinesisMillisBehindLatest", "behind the stream (ms)", undefined, true),
          ],
          thresholds:
            freshnessAlarmSeconds !== undefined
              ? [{ label: "freshness alarm", value: freshnessAlarmSeconds }]
              : undefined,
        },
      ],
    },
    ...a.transformFunction.widgets(`Archive transformation ${title}`),
    ...a.rawBucket.widgets(`Raw events bucket ${title}`),
    {
      title: `Athena workgroup ${title}`,
      widgets: [
        {
          title: "Bytes scanned by queries",
          lines: [athena("SUCCEEDED", "succeeded"), athena("FAILED", "failed")],
        },
      ],
    },
  ];
}

/** What an archive's alarms watch and where they go. */
export interface ArchiveAlarmsSpec {
  deliveryStream: aws.kinesis.FirehoseDeliveryStream;
  topicArn: pulumi.Input<string>;
  /** Age of the oldest undelivered record that raises the freshness alarm. */
  freshnessSeconds: number;
  parent: pulumi.Resource;
  hook?: Transform<aws.cloudwatch.MetricAlarmArgs>;
}

/** Failed deliveries to S3, and records waiting longer than expected. */
export function createArchiveAlarms(name: string, spec: ArchiveAlarmsSpec): void {
  const { topicArn, parent, hook } = spec;
  const dimensions = { DeliveryStreamName: spec.deliveryStream.name };
  metricAlarm(
    `${name}-delivery-failures`,
    {
      description: `Firehose ${name} failed to deliver to S3 (see its log group and the errors/ prefix)`,
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.Success",
      dimensions,
      // 1 while every delivery succeeds; any failed put pulls the minimum below 1.
      statistic: "Minimum",
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
    },
    topicArn,
    parent,
    hook,
  );
  metricAlarm(
    `${name}-freshness`,
    {
      description: `Firehose ${name} holds records older than expected (delivery stuck or throttled)`,
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.DataFreshness",
      dimensions,
      statistic: "Maximum",
      threshold: spec.freshnessSeconds,
      comparisonOperator: "GreaterThanThreshold",
    },
    topicArn,
    parent,
    hook,
  );
}
