import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { AGGREGATES_TTL_DAYS, TUMBLING_WINDOW_SECONDS } from "../core/defaults";
import type { SecureTableArgs } from "../data/secureTable";
import { StreamBatchSettings, StreamConsumerArgs, checkStreamConsumer } from "./streamConsumer";
import type { Nested, Transforms } from "../core/transform";
import type { OperationsContext } from "../core/operations";
import { ArgumentErrors } from "../core/validate";

/**
 * Runtimes of Amazon Managed Service for Apache Flink accepted here. `SQL-1_0` (Kinesis Data
 * Analytics for SQL) is discontinued and deliberately absent.
 */
export const FLINK_RUNTIMES = ["FLINK-1_18", "FLINK-1_19", "FLINK-1_20", "FLINK-2_2"] as const;
export type FlinkRuntime = (typeof FLINK_RUNTIMES)[number];
/** The current long-term-support Flink line. */
export const DEFAULT_FLINK_RUNTIME: FlinkRuntime = "FLINK-1_20";
/** Property group the Flink application reads its wiring from (stream, table, window). */
export const FLINK_PROPERTY_GROUP = "FlowProperties";

/** An Apache Flink application (JAR or ZIP) in S3 that replaces the default Lambda aggregation. */
export interface FlinkApplicationArgs {
  /** ARN of the bucket holding the artifact. Required. */
  artifactBucketArn: pulumi.Input<string>;
  /** Object key of the artifact. Required. */
  artifactKey: string;
  /**
   * Object version, for versioned buckets (pins the code).
   * @default the latest version
   */
  artifactObjectVersion?: pulumi.Input<string>;
  /**
   * Flink runtime.
   * @default "FLINK-1_20" (`DEFAULT_FLINK_RUNTIME`)
   */
  runtime?: FlinkRuntime;
  /**
   * Initial parallelism (tasks).
   * @default 1
   */
  parallelism?: number;
  /**
   * Tasks per KPU (1 vCPU, 4 GB).
   * @default 1
   */
  parallelismPerKpu?: number;
  /**
   * Let the service scale parallelism with CPU.
   * @default true
   */
  autoScaling?: boolean;
  /**
   * Milliseconds between checkpoints.
   * @default 60000
   */
  checkpointIntervalMs?: number;
  /**
   * Extra entries of the `FlowProperties` property group.
   * @default none
   */
  properties?: Record<string, pulumi.Input<string>>;
  /**
   * Start the application after deployment.
   * @default true
   */
  start?: boolean;
}

/**
 * The alarm topic (`OperationsContext`) receives the function alarms; the log key and retention
 * apply to the log groups.
 */
export interface StreamAnalyticsArgs extends OperationsContext {
  /** The stream to analyse. Required. */
  stream: {
    name: pulumi.Input<string>;
    arn: pulumi.Input<string>;
    /**
     * Key the stream is encrypted with.
     * @default none
     */
    kmsKeyArn?: pulumi.Input<string>;
  };
  /** SQS queue receiving the details of batches the aggregator gave up on. Required. */
  onFailureQueueArn: pulumi.Input<string>;
  /**
   * Seconds per aggregation window (1-900).
   * @default 60 (`TUMBLING_WINDOW_SECONDS`)
   */
  windowSeconds?: number;
  /**
   * Days aggregate rows are kept.
   * @default 30 (`AGGREGATES_TTL_DAYS`)
   */
  aggregatesTtlDays?: number;
  /**
   * Customer-managed key for the aggregates table.
   * @default the AWS-managed key
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Deletion protection of the aggregates table.
   * @default true
   */
  deletionProtection?: boolean;
  /**
   * Keep the aggregates table in AWS on removal, replacement or destroy.
   * @default false
   */
  retainOnDelete?: boolean;
  /**
   * Use a Flink application instead of the Lambda aggregator.
   * @default the Lambda aggregator
   */
  flink?: FlinkApplicationArgs;
  /**
   * Event source mapping settings of the Lambda aggregator.
   * @default the stream defaults
   */
  batch?: StreamBatchSettings;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    application: aws.kinesisanalyticsv2.ApplicationArgs;
    applicationRole: aws.iam.RoleArgs;
    table: Nested<SecureTableArgs["transform"]>;
    aggregator: Nested<StreamConsumerArgs["transform"]>;
  }>;
}

/** Records every problem with the stage's arguments (`field` prefixes the names). */
export function checkAnalyticsArgs(
  errors: ArgumentErrors,
  field: string,
  args: Partial<StreamAnalyticsArgs>,
): ArgumentErrors {
  const f = (n: string) => (field ? `${field}.${n}` : n);
  const windowSeconds = args.windowSeconds ?? TUMBLING_WINDOW_SECONDS;
  const ttlDays = args.aggregatesTtlDays ?? AGGREGATES_TTL_DAYS;
  const flink = args.flink;
  errors
    .check(
      Number.isInteger(windowSeconds) && windowSeconds >= 1 && windowSeconds <= 900,
      f("windowSeconds"),
      `${windowSeconds} is outside 1-900 s (Lambda's tumbling window limit)`,
      "use 1 to 900",
    )
    .check(
      Number.isInteger(ttlDays) && ttlDays >= 1,
      f("aggregatesTtlDays"),
      `${ttlDays} is not a positive number of days`,
      "use 1 or more",
    );
  if (flink) {
    // Typed loosely: JavaScript callers and config can pass any string.
    const runtime: string = flink.runtime ?? DEFAULT_FLINK_RUNTIME;
    errors
      .check(
        (FLINK_RUNTIMES as readonly string[]).includes(runtime),
        f("flink.runtime"),
        runtime === "SQL-1_0"
          ? "Kinesis Data Analytics for SQL is discontinued (no new applications since 2025-10-15)"
          : `"${runtime}" is not a supported Flink runtime`,
        `use one of ${FLINK_RUNTIMES.join(", ")}`,
      )
      .check(
        flink.artifactKey.length > 0,
        f("flink.artifactKey"),
        "is empty",
        "name the JAR or ZIP object in the artifact bucket",
      )
      .checkPositiveInteger(flink.parallelism, f("flink.parallelism"));
  } else {
    checkStreamConsumer(errors, f("batch"), args.batch ?? {});
  }
  return errors;
}
