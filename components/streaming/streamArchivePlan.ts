import * as pulumi from "@pulumi/pulumi";
import { Statement, allow } from "../security/iam";
import { PARQUET_TABLE_PARAMETERS, schemaReadStatement } from "./parquetArchive";

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
 * The columns of an archived line, as functions/archive-transform writes them: the effective event
 * id and normalised time computed exactly as the stream processor does, the record's stream
 * position, and the data's JSON text. Lower-case keys: what the OpenX JSON SerDe reads.
 */
export const EVENT_COLUMNS: GlueColumn[] = [
  {
    name: "eventid",
    type: "string",
    comment: "Effective event id: the client's eventId, else sha256: content hash (the dedupe key)",
  },
  { name: "idsource", type: "string", comment: "client or content" },
  { name: "type", type: "string", comment: "Event type" },
  { name: "severity", type: "string", comment: "info, low, medium, high or critical" },
  {
    name: "occurredat",
    type: "string",
    comment: "ISO-8601 UTC, normalised from the client's ISO text or epoch ms (else arrival time)",
  },
  { name: "key", type: "string", comment: "Grouping key" },
  { name: "value", type: "double", comment: "Measured value" },
  { name: "attributes", type: "map<string,string>", comment: "Free-form string attributes" },
  { name: "partitionkey", type: "string", comment: "Kinesis partition key" },
  { name: "sequencenumber", type: "string", comment: "Kinesis sequence number" },
  { name: "shardid", type: "string", comment: "Kinesis shard" },
  { name: "arrivedat", type: "string", comment: "ISO-8601 UTC time Kinesis received the record" },
  {
    name: "valid",
    type: "boolean",
    comment: "false: the processor refuses this record (see error)",
  },
  { name: "error", type: "string", comment: "Why the record is not a valid event" },
  { name: "payload", type: "string", comment: "The data's JSON text as sent" },
];

/** Glue table parameters for partition projection on `dt` (no crawler, no MSCK REPAIR). */
export function projectionParameters(
  bucket: string,
  retentionDays: number | undefined,
): Record<string, string> {
  return {
    EXTERNAL: "TRUE",
    ...PARQUET_TABLE_PARAMETERS,
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
        `WHERE dt = ${today} AND valid`,
        "GROUP BY type, severity",
        "ORDER BY events DESC",
      ].join("\n"),
    },
    {
      name: "events-per-minute-last-hour",
      description: "Per-minute counts and value totals per type over the last hour",
      query: [
        // occurredat is normalised to ISO-8601 UTC at archive time, epoch-ms events included.
        "SELECT date_trunc('minute', from_iso8601_timestamp(occurredat)) AS minute, type,",
        "       count(*) AS events, sum(value) AS total",
        `FROM ${t}`,
        "WHERE dt >= date_format(current_date - interval '1' day, '%Y-%m-%d') AND valid",
        "  AND from_iso8601_timestamp(occurredat) > current_timestamp - interval '1' hour",
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
        // eventid is the effective id, content hashes included: the duplicates the processor drops.
        "WHERE dt >= date_format(current_date - interval '7' day, '%Y-%m-%d') AND valid",
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

/**
 * What Firehose's role may do: run the transformation, read the stream, write the raw bucket and
 * its log, use the keys.
 */
export function firehoseStatements(refs: {
  /** The transformation Lambda Firehose invokes on each buffer. */
  transformFunctionArn: pulumi.Input<string>;
  streamArn: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** The Glue table whose schema the Parquet conversion reads. */
  account: pulumi.Input<string>;
  databaseName: string;
  tableName: string;
  streamKmsKeyArn?: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
}): Statement[] {
  const via = (service: string) => ({
    StringEquals: { "kms:ViaService": pulumi.interpolate`${service}.${refs.region}.amazonaws.com` },
  });
  const statements: Statement[] = [
    // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
    allow(
      ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
      [refs.transformFunctionArn],
    ),
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
    // Firehose's S3 destination actions
    // (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3),
    // each on the resource type the reference gives it: bucket actions on the bucket, object
    // actions on its objects.
    allow(
      ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      [refs.bucketArn],
    ),
    allow(
      ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
      [pulumi.interpolate`${refs.bucketArn}/*`],
    ),
    allow(["logs:PutLogEvents"], [pulumi.interpolate`${refs.logGroupArn}:*`]),
    schemaReadStatement(refs),
  ];
  if (refs.streamKmsKeyArn) {
    statements.push(allow(["kms:Decrypt"], [refs.streamKmsKeyArn], via("kinesis")));
  }
  if (refs.kmsKeyArn) {
    statements.push(allow(["kms:GenerateDataKey", "kms:Decrypt"], [refs.kmsKeyArn], via("s3")));
  }
  return statements;
}
