import * as pulumi from "@pulumi/pulumi";
import { Statement, allow } from "../security/iam";

/** Firehose limits for S3 buffering. */
export const BUFFER_MB = [1, 128] as const;
export const BUFFER_SECONDS = [0, 900] as const;

/** Where Firehose writes: one folder per UTC day, the partition Athena projects. */
export const RAW_PREFIX = "raw/dt=!{timestamp:yyyy-MM-dd}/";
/** Records Firehose could not deliver, by failure type, so they can be inspected and replayed. */
export const ERROR_PREFIX = "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";

/** A column of the raw-events Glue table. */
export interface GlueColumn {
  name: string;
  /** Hive type: string, double, bigint, boolean, map<string,string>, ... */
  type: string;
  comment?: string;
}

/**
 * The event fields every record may carry (see functions/lib/streamEvents.ts). The OpenX JSON SerDe
 * matches column names to JSON keys case-insensitively, so `eventid` reads `eventId`.
 */
export const EVENT_COLUMNS: GlueColumn[] = [
  { name: "eventid", type: "string", comment: "Client idempotency key (absent: content hash)" },
  { name: "type", type: "string", comment: "Event type" },
  { name: "severity", type: "string", comment: "info, low, medium, high or critical" },
  { name: "occurredat", type: "string", comment: "ISO-8601 or epoch ms, as the client sent it" },
  { name: "key", type: "string", comment: "Grouping key" },
  { name: "value", type: "double", comment: "Measured value" },
  { name: "attributes", type: "map<string,string>", comment: "Free-form string attributes" },
];

/** Glue table parameters for partition projection on `dt` (no crawler, no MSCK REPAIR). */
export function projectionParameters(
  bucket: string,
  retentionDays: number | undefined,
): Record<string, string> {
  return {
    EXTERNAL: "TRUE",
    classification: "json",
    compressionType: "gzip",
    "projection.enabled": "true",
    "projection.dt.type": "date",
    "projection.dt.format": "yyyy-MM-dd",
    // Relative to the query time: partitions older than the raw data's retention do not exist.
    "projection.dt.range": `NOW-${retentionDays ?? 3 * 365}DAYS,NOW`,
    "projection.dt.interval": "1",
    "projection.dt.interval.unit": "DAYS",
    "storage.location.template": `s3://${bucket}/raw/dt=\${dt}/`,
  };
}

/** The named queries users start from: daily mix, per-minute trend, duplicates, latest events. */
export function namedQueries(
  database: string,
  table: string,
): { name: string; description: string; query: string }[] {
  const t = `"${database}"."${table}"`;
  const today = "date_format(current_date, '%Y-%m-%d')";
  return [
    {
      name: "events-by-type-today",
      description: "Events and distinct event ids per type and severity, today (UTC)",
      query: [
        "SELECT type, severity, count(*) AS events, count(DISTINCT eventid) AS distinct_ids",
        `FROM ${t}`,
        `WHERE dt = ${today}`,
        "GROUP BY type, severity",
        "ORDER BY events DESC",
      ].join("\n"),
    },
    {
      name: "events-per-minute-last-hour",
      description: "Per-minute counts and value totals per type over the last hour",
      query: [
        "SELECT date_trunc('minute', try(from_iso8601_timestamp(occurredat))) AS minute, type,",
        "       count(*) AS events, sum(value) AS total",
        `FROM ${t}`,
        "WHERE dt >= date_format(current_date - interval '1' day, '%Y-%m-%d')",
        "  AND try(from_iso8601_timestamp(occurredat)) > current_timestamp - interval '1' hour",
        "GROUP BY 1, 2",
        "ORDER BY 1 DESC, 3 DESC",
      ].join("\n"),
    },
    {
      name: "duplicate-event-ids",
      description:
        "Event ids the raw stream carried more than once in the last 7 days (the processor stored each once)",
      query: [
        "SELECT eventid, count(*) AS copies, min(dt) AS first_day, max(dt) AS last_day",
        `FROM ${t}`,
        "WHERE dt >= date_format(current_date - interval '7' day, '%Y-%m-%d') AND eventid IS NOT NULL",
        "GROUP BY eventid",
        "HAVING count(*) > 1",
        "ORDER BY copies DESC",
        "LIMIT 100",
      ].join("\n"),
    },
    {
      name: "latest-events",
      description: "A sample of today's raw events",
      query: [`SELECT *`, `FROM ${t}`, `WHERE dt = ${today}`, "LIMIT 100"].join("\n"),
    },
  ];
}

/** `project_stack_name` in Glue's alphabet (lowercase letters, digits, underscores). */
export function glueName(...parts: string[]): string {
  return parts
    .join("_")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 255);
}

/** What Firehose's role may do: read the stream, write the raw bucket and its log, use the keys. */
export function firehoseStatements(refs: {
  streamArn: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  region: pulumi.Input<string>;
  streamKmsKeyArn?: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
}): Statement[] {
  const via = (service: string) => ({
    StringEquals: { "kms:ViaService": pulumi.interpolate`${service}.${refs.region}.amazonaws.com` },
  });
  const statements: Statement[] = [
    allow(
      [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetShardIterator",
        "kinesis:GetRecords",
        "kinesis:ListShards",
      ],
      [refs.streamArn],
    ),
    allow(
      [
        "s3:AbortMultipartUpload",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
        "s3:PutObject",
      ],
      [refs.bucketArn, pulumi.interpolate`${refs.bucketArn}/*`],
    ),
    allow(["logs:PutLogEvents"], [pulumi.interpolate`${refs.logGroupArn}:*`]),
  ];
  if (refs.streamKmsKeyArn) {
    statements.push(allow(["kms:Decrypt"], [refs.streamKmsKeyArn], via("kinesis")));
  }
  if (refs.kmsKeyArn) {
    statements.push(allow(["kms:GenerateDataKey", "kms:Decrypt"], [refs.kmsKeyArn], via("s3")));
  }
  return statements;
}
