import type * as aws from "@pulumi/aws";
import { DashboardRow, metric } from "../observability/flowDashboard";
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
