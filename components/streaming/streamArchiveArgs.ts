import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ATHENA_BYTES_SCANNED_CUTOFF,
  ATHENA_RESULTS_EXPIRATION_DAYS,
  FIREHOSE_BUFFER_INTERVAL_SECONDS,
  FIREHOSE_BUFFER_SIZE_MB,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import type { SecureBucketArgs } from "../storage/secureBucket";
import type { BundledFunctionArgs } from "../compute/lambdaFunction";
import type { Nested, Transforms } from "../core/transform";
import type { OperationsContext } from "../core/operations";
import { ArgumentErrors } from "../core/validate";
import { BUFFER_MB, BUFFER_SECONDS, GlueColumn, glueName } from "./streamArchivePlan";
import { PARQUET_MIN_BUFFER_MB } from "./parquetArchive";

/**
 * The alarm topic (`OperationsContext`) receives the delivery alarms; the log key and retention
 * apply to Firehose's error log group.
 */
export interface StreamArchiveArgs extends OperationsContext {
  /** The Kinesis stream to archive. Required. */
  streamArn: pulumi.Input<string>;
  /**
   * Key the stream is encrypted with; Firehose may decrypt with it (through Kinesis only).
   * @default none
   */
  streamKmsKeyArn?: pulumi.Input<string>;
  /**
   * Customer-managed key for the raw and results buckets (SSE-KMS with bucket keys) and the Athena
   * results. Readers need `kms:Decrypt` on it.
   * @default SSE-S3
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * MB Firehose buffers before writing an object (64-128: Parquet conversion needs 64 or more).
   * @default 64 (`FIREHOSE_BUFFER_SIZE_MB`)
   */
  bufferingSizeMb?: number;
  /**
   * Seconds Firehose buffers before writing (0-900).
   * @default 300 (`FIREHOSE_BUFFER_INTERVAL_SECONDS`)
   */
  bufferingIntervalSeconds?: number;
  /**
   * Also keep the source JSON (GZIP, under `RAW_JSON_PREFIX`) beside the Parquet archive, through
   * Firehose's source-record backup.
   * @default false
   */
  keepRawJson?: boolean;
  /**
   * Days raw objects are kept.
   * @default kept until deleted
   */
  rawExpirationDays?: number;
  /**
   * Days Athena results are kept.
   * @default 30 (`ATHENA_RESULTS_EXPIRATION_DAYS`)
   */
  resultsExpirationDays?: number;
  /**
   * Columns of the raw-events table.
   * @default `EVENT_COLUMNS`
   */
  columns?: GlueColumn[];
  /**
   * Glue database name.
   * @default `<project>_<stack>_<name>` in Glue's alphabet
   */
  databaseName?: string;
  /**
   * Glue table name.
   * @default "raw_events"
   */
  tableName?: string;
  /**
   * Athena workgroup name.
   * @default `<project>-<stack>-<name>`
   */
  workgroupName?: string;
  /**
   * Athena cancels queries scanning more bytes.
   * @default 10 GiB (`ATHENA_BYTES_SCANNED_CUTOFF`)
   */
  bytesScannedCutoffPerQuery?: number;
  /**
   * Let `pulumi destroy` remove buckets with objects and the workgroup with its history.
   * @default false
   */
  forceDestroy?: boolean;
  /**
   * Keep the raw-events bucket in AWS on removal, replacement or destroy.
   * @default false
   */
  retainOnDelete?: boolean;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    deliveryStream: aws.kinesis.FirehoseDeliveryStreamArgs;
    role: aws.iam.RoleArgs;
    database: aws.glue.CatalogDatabaseArgs;
    table: aws.glue.CatalogTableArgs;
    workgroup: aws.athena.WorkgroupArgs;
    /** Firehose's delivery-error log group and its stream. */
    logGroup: aws.cloudwatch.LogGroupArgs;
    logStream: aws.cloudwatch.LogStreamArgs;
    rolePolicy: aws.iam.RolePolicyArgs;
    /** Every named query; names end in the query's. */
    namedQuery: aws.athena.NamedQueryArgs;
    /** Both alarms (delivery failures, freshness). */
    alarm: aws.cloudwatch.MetricAlarmArgs;
    rawBucket: Nested<SecureBucketArgs["transform"]>;
    resultsBucket: Nested<SecureBucketArgs["transform"]>;
    /** The Firehose transformation Lambda (functions/archive-transform). */
    transformFunction: Nested<BundledFunctionArgs["transform"]>;
  }>;
}

/** An archive's args with every default resolved. */
export type ArchivePlan = ReturnType<typeof planArchive>;

export function planArchive(name: string, args: Partial<StreamArchiveArgs>) {
  return {
    bufferMb: args.bufferingSizeMb ?? FIREHOSE_BUFFER_SIZE_MB,
    bufferSeconds: args.bufferingIntervalSeconds ?? FIREHOSE_BUFFER_INTERVAL_SECONDS,
    retention: args.logRetentionDays ?? LOG_RETENTION_DAYS,
    resultsDays: args.resultsExpirationDays ?? ATHENA_RESULTS_EXPIRATION_DAYS,
    cutoff: args.bytesScannedCutoffPerQuery ?? ATHENA_BYTES_SCANNED_CUTOFF,
    databaseName: args.databaseName ?? glueName(pulumi.getProject(), pulumi.getStack(), name),
    tableName: args.tableName ?? "raw_events",
    workgroupName: args.workgroupName ?? `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
  };
}

/**
 * Records every problem with an archive's arguments (`field` prefixes the names; `name` is the
 * archive's, which its default database and workgroup names derive from).
 */
export function checkArchiveArgs(
  errors: ArgumentErrors,
  field: string,
  name: string,
  args: Partial<StreamArchiveArgs>,
): ArgumentErrors {
  const f = (n: string) => (field ? `${field}.${n}` : n);
  const p = planArchive(name, args);
  const { databaseName, tableName, workgroupName, bufferMb, bufferSeconds } = p;
  const { retention, resultsDays, cutoff } = p;
  const positiveDays = (d: number | undefined) =>
    d === undefined || (Number.isInteger(d) && d >= 1);
  return errors
    .check(
      Number.isInteger(bufferMb) && bufferMb >= PARQUET_MIN_BUFFER_MB && bufferMb <= BUFFER_MB[1],
      f("bufferingSizeMb"),
      `${bufferMb} is outside ${PARQUET_MIN_BUFFER_MB}-${BUFFER_MB[1]} MB (Parquet conversion needs at least ${PARQUET_MIN_BUFFER_MB})`,
      `use ${PARQUET_MIN_BUFFER_MB} to ${BUFFER_MB[1]}`,
    )
    .check(
      Number.isInteger(bufferSeconds) &&
        bufferSeconds >= BUFFER_SECONDS[0] &&
        bufferSeconds <= BUFFER_SECONDS[1],
      f("bufferingIntervalSeconds"),
      `${bufferSeconds} is outside ${BUFFER_SECONDS.join("-")} s`,
      `use ${BUFFER_SECONDS.join(" to ")}`,
    )
    .check(
      positiveDays(args.rawExpirationDays),
      f("rawExpirationDays"),
      `${args.rawExpirationDays} is not a positive number of days`,
      "use 1 or more, or leave it unset to keep raw data",
    )
    .check(
      positiveDays(resultsDays),
      f("resultsExpirationDays"),
      `${resultsDays} is not a positive number of days`,
      "use 1 or more",
    )
    .check(
      /^[a-z0-9_]{1,255}$/.test(databaseName),
      f("databaseName"),
      `"${databaseName}" is not a Glue database name`,
      "use lowercase letters, digits and underscores",
    )
    .check(
      /^[a-z0-9_]{1,255}$/.test(tableName),
      f("tableName"),
      `"${tableName}" is not a Glue table name`,
      "use lowercase letters, digits and underscores",
    )
    .check(
      /^[A-Za-z0-9._-]{1,128}$/.test(workgroupName),
      f("workgroupName"),
      `"${workgroupName}" is not an Athena workgroup name`,
      "use up to 128 letters, digits, '.', '-' and '_'",
    )
    .check(
      cutoff >= 10 * 1024 ** 2,
      f("bytesScannedCutoffPerQuery"),
      `${cutoff} is below Athena's minimum of 10 MB`,
      "use 10485760 or more",
    )
    .checkLogRetention(retention, f("logRetentionDays"));
}
