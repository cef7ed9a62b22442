import { z } from "zod";
import { intSetting, boolSetting } from "./settingFields";
import {
  CHANGE_EVENT_NAMES,
  DEFAULT_NOTIFY_EVENT_NAMES,
  DEFAULT_NOTIFY_SEVERITIES,
  NOTIFY_SEVERITIES,
} from "../components/streaming/changeNotifier";
import {
  API_QUOTA_PER_DAY,
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  ATHENA_BYTES_SCANNED_CUTOFF,
  ATHENA_RESULTS_EXPIRATION_DAYS,
  AGGREGATES_TTL_DAYS,
  DEDUPE_TTL_HOURS,
  FIREHOSE_BUFFER_INTERVAL_SECONDS,
  FIREHOSE_BUFFER_SIZE_MB,
  FLINK_PARALLELISM,
  ITERATOR_AGE_ALARM_MS,
  KINESIS_MAX_SHARDS,
  KINESIS_RETENTION_HOURS,
  KINESIS_RETENTION_HOURS_RANGE,
  KINESIS_SHARD_COUNT,
  STREAM_BATCH_SIZE,
  STREAM_BATCHING_WINDOW_SECONDS,
  STREAM_MAX_RECORD_AGE_SECONDS,
  STREAM_MAX_RETRY_ATTEMPTS,
  STREAM_PARALLELIZATION_FACTOR,
  TUMBLING_WINDOW_SECONDS,
} from "../components/core/defaults";
import { DEFAULT_FLINK_RUNTIME, FLINK_RUNTIMES } from "../components/streaming/streamAnalytics";
import { emailSchema } from "./config";
import { PARQUET_MIN_BUFFER_MB } from "../components/streaming/parquetArchive";

/** The realtime-analytics flow's settings: types, ranges, defaults and their descriptions. */
const e164 = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, { message: "is not an E.164 phone number (e.g. +4915123456789)" });
const severity = z.enum(NOTIFY_SEVERITIES);

export const settingsSchema = z
  .object({
    streamMode: z
      .enum(["PROVISIONED", "ON_DEMAND"])
      .default("PROVISIONED")
      .describe(
        "PROVISIONED (fixed shards, resized by kinesis-autoscale when that flow is on) or ON_DEMAND. Default: PROVISIONED.",
      ),
    shardCount: z
      .number()
      .int()
      .min(1)
      .max(KINESIS_MAX_SHARDS)
      .optional()
      .describe(
        `Shards of a PROVISIONED stream (1 MB/s or 1,000 records/s in each). Default: ${KINESIS_SHARD_COUNT}.`,
      ),
    retentionHours: intSetting(
      KINESIS_RETENTION_HOURS_RANGE[0],
      KINESIS_RETENTION_HOURS_RANGE[1],
      KINESIS_RETENTION_HOURS,
    ).describe(
      `Hours records stay in the stream (replay window). Default: ${KINESIS_RETENTION_HOURS}.`,
    ),
    // The same spelling as every flow's `auth` (the REST API's own AWS_IAM/NONE stay internal).
    auth: z
      .enum(["iam", "none"], {
        message:
          'must be "iam" or "none" (the spelling of every flow; AWS_IAM and NONE are now iam and none)',
      })
      .optional()
      .describe(
        'Auth of the ingest API on top of its API key: "iam" (SigV4) or "none" (dev stacks only). Default: iam outside dev, none in dev.',
      ),
    throttleRateLimit: z
      .number()
      .positive()
      .default(API_THROTTLE_RATE)
      .describe(
        `Ingest requests per second (stage and usage plan). Default: ${API_THROTTLE_RATE}.`,
      ),
    throttleBurstLimit: intSetting(1, undefined, API_THROTTLE_BURST).describe(
      `Ingest burst above the rate. Default: ${API_THROTTLE_BURST}.`,
    ),
    quotaPerDay: intSetting(1, undefined, API_QUOTA_PER_DAY).describe(
      `Ingest requests per API key per day. Default: ${API_QUOTA_PER_DAY}.`,
    ),
    // One setting per account and region: two stacks managing it overwrite each other (and the
    // first `pulumi destroy` unsets it for both), so no stack takes it unless told to.
    manageApiGatewayAccountRole: boolSetting(false).describe(
      "Set the region's account-wide API Gateway CloudWatch Logs role, which REST API access logs need. It is one setting per account and region: opt in from exactly one stack, or set it once outside Pulumi. Default: false (the existing role is used).",
    ),
    privateSubnets: boolSetting(true).describe(
      "Run the stream processor in the shared VPC's private subnets (DynamoDB through its gateway endpoint, no internet egress). Default: true.",
    ),
    processorBatchSize: intSetting(1, 10000, STREAM_BATCH_SIZE).describe(
      `Records per processor invocation. Default: ${STREAM_BATCH_SIZE}.`,
    ),
    processorBatchingWindowSeconds: intSetting(0, 300, STREAM_BATCHING_WINDOW_SECONDS).describe(
      `Seconds Lambda gathers records before invoking the processor. Default: ${STREAM_BATCHING_WINDOW_SECONDS}.`,
    ),
    parallelizationFactor: intSetting(1, 10, STREAM_PARALLELIZATION_FACTOR).describe(
      `Concurrent processor batches per shard (order kept per partition key). Default: ${STREAM_PARALLELIZATION_FACTOR}.`,
    ),
    maxRetryAttempts: intSetting(-1, 10000, STREAM_MAX_RETRY_ATTEMPTS).describe(
      `Retries of a failing batch before it goes to the on-failure queue (-1: until it expires). Default: ${STREAM_MAX_RETRY_ATTEMPTS}.`,
    ),
    maxRecordAgeSeconds: z
      .number()
      .int()
      .refine((v) => v === -1 || (v >= 60 && v <= 604800), {
        message: "must be -1 or 60-604800",
      })
      .default(STREAM_MAX_RECORD_AGE_SECONDS)
      .describe(
        `Records older than this go to the on-failure queue (-1: never). Default: ${STREAM_MAX_RECORD_AGE_SECONDS}.`,
      ),
    enhancedFanOut: boolSetting(false).describe(
      "Give the processor an enhanced fan-out consumer (dedicated 2 MB/s per shard; billed per consumer-shard hour). Default: false.",
    ),
    dedupeTtlHours: intSetting(1, undefined, DEDUPE_TTL_HOURS).describe(
      `Hours an event id is remembered for de-duplication; at least retentionHours. Default: ${DEDUPE_TTL_HOURS}.`,
    ),
    windowSeconds: intSetting(1, 900, TUMBLING_WINDOW_SECONDS).describe(
      `Aggregation window of the analytics stage. Default: ${TUMBLING_WINDOW_SECONDS}.`,
    ),
    aggregatesTtlDays: intSetting(1, undefined, AGGREGATES_TTL_DAYS).describe(
      `Days aggregate rows are kept. Default: ${AGGREGATES_TTL_DAYS}.`,
    ),
    flink: z
      .object({
        artifactBucketArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$/, { message: "is not an S3 bucket ARN" })
          .describe("ARN of the bucket holding the application JAR/ZIP. Required with flink."),
        artifactKey: z
          .string()
          .min(1)
          .describe("Object key of the application JAR/ZIP. Required with flink."),
        runtime: z
          .enum(FLINK_RUNTIMES)
          .default(DEFAULT_FLINK_RUNTIME)
          .describe(`Flink runtime. Default: ${DEFAULT_FLINK_RUNTIME}.`),
        parallelism: intSetting(1, undefined, FLINK_PARALLELISM).describe(
          `Initial parallelism. Default: ${FLINK_PARALLELISM}.`,
        ),
      })
      .strict()
      .optional()
      .describe(
        "Run the analytics stage as an Amazon Managed Service for Apache Flink application from this S3 artifact instead of the Lambda aggregator. Default: none (Lambda).",
      ),
    notifyEmails: z
      .array(emailSchema)
      .default([])
      .describe(
        "Email addresses notified of matching events (confirm the subscription mail). Default: none.",
      ),
    notifyPhoneNumbers: z
      .array(e164)
      .default([])
      .describe(
        "Phone numbers (E.164) notified by SMS (the account must be out of the SMS sandbox). Default: none.",
      ),
    notifySeverities: z
      .array(severity)
      .default(DEFAULT_NOTIFY_SEVERITIES)
      .describe(
        `Event severities that notify; empty: all. Default: ${DEFAULT_NOTIFY_SEVERITIES.join(", ")}.`,
      ),
    notifyEventNames: z
      .array(z.enum(CHANGE_EVENT_NAMES))
      .min(1)
      .default(DEFAULT_NOTIFY_EVENT_NAMES)
      .describe(
        `Data-table changes that notify (INSERT, MODIFY, REMOVE). Default: ${DEFAULT_NOTIFY_EVENT_NAMES.join(", ")}.`,
      ),
    smsSeverities: z
      .array(severity)
      .optional()
      .describe(
        "Only these severities are sent by SMS (email gets all notifications). Default: all.",
      ),
    firehoseBufferSizeMb: intSetting(PARQUET_MIN_BUFFER_MB, 128, FIREHOSE_BUFFER_SIZE_MB).describe(
      `MB Firehose buffers before writing Parquet to S3 (${PARQUET_MIN_BUFFER_MB}-128: conversion needs ${PARQUET_MIN_BUFFER_MB}). Default: ${FIREHOSE_BUFFER_SIZE_MB}.`,
    ),
    archiveRawJson: boolSetting(false).describe(
      "Also keep the source JSON (GZIP, under raw/json/) beside the Parquet archive. Default: false.",
    ),
    firehoseBufferIntervalSeconds: intSetting(0, 900, FIREHOSE_BUFFER_INTERVAL_SECONDS).describe(
      `Seconds Firehose buffers before writing to S3. Default: ${FIREHOSE_BUFFER_INTERVAL_SECONDS}.`,
    ),
    rawExpirationDays: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Days raw events are kept in S3. Default: kept until deleted."),
    athenaResultsExpirationDays: intSetting(1, undefined, ATHENA_RESULTS_EXPIRATION_DAYS).describe(
      `Days Athena query results are kept. Default: ${ATHENA_RESULTS_EXPIRATION_DAYS}.`,
    ),
    athenaBytesScannedCutoffMb: intSetting(
      10,
      undefined,
      ATHENA_BYTES_SCANNED_CUTOFF / 1024 ** 2,
    ).describe(
      `Athena cancels queries scanning more MB. Default: ${ATHENA_BYTES_SCANNED_CUTOFF / 1024 ** 2}.`,
    ),
    iteratorAgeAlarmMs: intSetting(1, undefined, ITERATOR_AGE_ALARM_MS).describe(
      `Iterator age (ms) at which the consumers alarm as behind. Default: ${ITERATOR_AGE_ALARM_MS}.`,
    ),
  })
  .strict()
  .superRefine(
    (s, ctx) => {
      if (s.streamMode === "ON_DEMAND" && s.shardCount !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["shardCount"],
          message: "is set on an ON_DEMAND stream (it sizes itself); drop it or use PROVISIONED",
        });
      }
      if (
        typeof s.dedupeTtlHours === "number" &&
        typeof s.retentionHours === "number" &&
        s.dedupeTtlHours < s.retentionHours
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["dedupeTtlHours"],
          message: `must be at least retentionHours (${s.retentionHours}) so a replay finds every earlier event`,
        });
      }
    },
    // Cross-field checks run even when a field is invalid, so one run reports every problem.
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  );

export type RealtimeAnalyticsSettings = z.infer<typeof settingsSchema>;
