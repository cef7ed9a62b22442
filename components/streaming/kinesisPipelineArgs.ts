import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ChangeNotifierArgs } from "./changeNotifier";
import type { KinesisIngestApiArgs } from "./kinesisIngestApi";
import type { ServiceKeyArgs } from "../security/kmsKey";
import type { SecureQueueArgs } from "../messaging/secureQueue";
import type { SecureTableArgs } from "../data/secureTable";
import type { StreamAnalyticsArgs } from "./streamAnalytics";
import type { StreamArchiveArgs } from "./streamArchive";
import type { StreamBatchSettings, StreamConsumerArgs } from "./streamConsumer";
import type { Nested, Transforms } from "../core/transform";
import type { OperationsContext } from "../core/operations";

export type StreamMode = "PROVISIONED" | "ON_DEMAND";

/** Settings of the business-logic consumer (`functions/stream-processor`). */
export interface ProcessorSettings extends StreamBatchSettings {
  /**
   * MB.
   * @default 256
   */
  memorySize?: number;
  /**
   * Seconds.
   * @default 30
   */
  timeout?: number;
  /**
   * Conditional dedupe writes in flight per invocation.
   * @default 16
   */
  claimConcurrency?: number;
  /**
   * Read through an enhanced fan-out consumer (dedicated throughput per shard).
   * @default false
   */
  enhancedFanOut?: boolean;
  /**
   * Run in these private subnets (it only needs DynamoDB: a gateway endpoint).
   * @default no VPC
   */
  vpc?: {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
}

/**
 * The operations fields (`OperationsContext`) apply to every alarm and log group of the pipeline.
 */
export interface KinesisPipelineArgs extends OperationsContext {
  /**
   * "PROVISIONED" (fixed shards, scaled by you or the shard autoscaler) or "ON_DEMAND".
   * @default "PROVISIONED"
   */
  streamMode?: StreamMode;
  /**
   * Shards of a provisioned stream (1-500).
   * @default 1 (`KINESIS_SHARD_COUNT`)
   */
  shardCount?: number;
  /**
   * Leave the shard count to something else (the shard autoscaler's UpdateShardCount): later
   * deployments do not reset it.
   * @default false
   */
  shardCountManagedExternally?: boolean;
  /**
   * Hours records stay readable (`KINESIS_RETENTION_HOURS_RANGE`).
   * @default 24 (`KINESIS_RETENTION_HOURS`)
   */
  retentionHours?: number;
  /**
   * Shard-level metrics to enable.
   * @default `KINESIS_SHARD_LEVEL_METRICS` (what the autoscaler reads)
   */
  shardLevelMetrics?: string[];
  /**
   * Customer-managed key for the stream, tables, topic and buckets.
   * @default a new `ServiceKey` with rotation, owned by the pipeline
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * The ingest API (stage, auth, throttle, quota, account logging role).
   * @default see `KinesisIngestApi`
   */
  ingest?: Omit<
    KinesisIngestApiArgs,
    | "streamName"
    | "streamArn"
    | "streamKmsKeyArn"
    | "logRetentionDays"
    | "logKmsKeyArn"
    | "alarmTopicArn"
  >;
  /**
   * The stream processor.
   * @default see `ProcessorSettings`
   */
  processor?: ProcessorSettings;
  /**
   * Hours an event id is remembered; at least `retentionHours`.
   * @default 24 (`DEDUPE_TTL_HOURS`)
   */
  dedupeTtlHours?: number;
  /**
   * The analytics stage (window, aggregate retention, optional Flink).
   * @default a per-minute Lambda aggregator
   */
  analytics?: Pick<StreamAnalyticsArgs, "windowSeconds" | "aggregatesTtlDays" | "flink" | "batch">;
  /**
   * Who is notified of which changes.
   * @default no subscribers; INSERTs of high and critical events
   */
  notifications?: Pick<
    ChangeNotifierArgs,
    | "emails"
    | "phoneNumbers"
    | "smsSeverities"
    | "eventNames"
    | "severities"
    | "displayName"
    | "batch"
  >;
  /**
   * The raw archive (buffering, retention, Athena limits).
   * @default see `StreamArchive`
   */
  archive?: Pick<
    StreamArchiveArgs,
    | "bufferingSizeMb"
    | "bufferingIntervalSeconds"
    | "keepRawJson"
    | "rawExpirationDays"
    | "resultsExpirationDays"
    | "bytesScannedCutoffPerQuery"
    | "columns"
    | "databaseName"
    | "workgroupName"
  >;
  /**
   * Deletion protection of the tables.
   * @default true
   */
  deletionProtection?: boolean;
  /**
   * Keep the data in AWS when the pipeline is removed, replaced or destroyed (Pulumi
   * `retainOnDelete`): the stream, the tables, the raw-events bucket and the pipeline's key that
   * encrypts them.
   * @default false
   */
  retainOnDelete?: boolean;
  /**
   * Let `pulumi destroy` empty the buckets and the workgroup.
   * @default false
   */
  forceDestroy?: boolean;
  /**
   * Iterator age (ms) at which the stream's consumers count as behind.
   * @default 60000
   */
  iteratorAgeAlarmMs?: number;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    stream: aws.kinesis.StreamArgs;
    /** The processor's enhanced fan-out consumer (with `processor.enhancedFanOut`). */
    streamConsumer: aws.kinesis.StreamConsumerArgs;
    /** Every alarm of the pipeline itself (stream, processor lag, on-failure queue). */
    alarm: aws.cloudwatch.MetricAlarmArgs;
    key: Nested<ServiceKeyArgs["transform"]>;
    onFailureQueue: Nested<SecureQueueArgs["transform"]>;
    dedupeTable: Nested<SecureTableArgs["transform"]>;
    dataTable: Nested<SecureTableArgs["transform"]>;
    ingest: Nested<KinesisIngestApiArgs["transform"]>;
    processor: Nested<StreamConsumerArgs["transform"]>;
    analytics: Nested<StreamAnalyticsArgs["transform"]>;
    notifier: Nested<ChangeNotifierArgs["transform"]>;
    archive: Nested<StreamArchiveArgs["transform"]>;
  }>;
}
