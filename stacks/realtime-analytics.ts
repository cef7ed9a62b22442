import * as pulumi from "@pulumi/pulumi";
import { KINESIS_SHARD_COUNT } from "../components/core/defaults";
import { KinesisPipeline } from "../components/streaming/kinesisPipeline";
import { defineFlow } from "./flow";
import { clientApi } from "./realtimeClientApi";
import { RealtimeAnalyticsSettings, settingsSchema } from "./realtimeAnalyticsSettings";

export type { RealtimeAnalyticsSettings } from "./realtimeAnalyticsSettings";

/** Shards the stream starts with; undefined for an ON_DEMAND stream. */
function plannedShards(s: RealtimeAnalyticsSettings): number | undefined {
  return s.streamMode === "PROVISIONED" ? (s.shardCount ?? KINESIS_SHARD_COUNT) : undefined;
}

/**
 * realtime-analytics: API Gateway (Kinesis proxy) -> Kinesis stream -> analytics stage (per-minute
 * aggregates) and the stream processor (dedupe) -> DynamoDB -> DynamoDB Streams -> notifier ->
 * SNS (email/SMS); Firehose -> S3 (raw, by day) -> Glue -> Athena.
 *
 * Provides its stream (stacks/flowExports.ts) to the flows that depend on it: kinesis-autoscale
 * resizes it. When that flow is on, the stream ignores shard-count drift, so deployments never
 * undo the autoscaler's UpdateShardCount.
 */
export const realtimeAnalytics = defineFlow<RealtimeAnalyticsSettings, "realtime-analytics">({
  slug: "realtime-analytics",
  componentName: "RealtimeAnalytics",
  summary:
    "API Gateway Kinesis proxy -> Kinesis -> aggregates + dedupe Lambda -> DynamoDB -> Streams -> SNS; Firehose -> S3 -> Athena",
  settings: settingsSchema,
  plan: (s) => ({ stream: { mode: s.streamMode, shardCount: plannedShards(s) } }),
  build(flow, s, ctx) {
    const network = s.privateSubnets ? ctx.network() : undefined;
    // The processor only talks to DynamoDB: the gateway endpoint, no internet route.
    const vpc = network?.functionVpc(
      "realtime-processor",
      "Stream processor: no ingress, HTTPS to VPC endpoints only",
      { destination: "vpc", parent: flow },
    );
    const autoscaled = ctx.flows.includes("kinesis-autoscale") && s.streamMode === "PROVISIONED";

    const pipeline = new KinesisPipeline(
      "realtime",
      {
        streamMode: s.streamMode,
        shardCount: plannedShards(s),
        shardCountManagedExternally: autoscaled,
        retentionHours: s.retentionHours,
        dedupeTtlHours: s.dedupeTtlHours,
        ingest: {
          authorization: (s.auth ?? (ctx.isDev ? "none" : "iam")) === "iam" ? "AWS_IAM" : "NONE",
          throttleRateLimit: s.throttleRateLimit,
          throttleBurstLimit: s.throttleBurstLimit,
          quotaLimit: s.quotaPerDay,
          quotaPeriod: "DAY",
          manageAccountLogsRole: s.manageApiGatewayAccountRole,
        },
        processor: {
          batchSize: s.processorBatchSize,
          maximumBatchingWindowInSeconds: s.processorBatchingWindowSeconds,
          parallelizationFactor: s.parallelizationFactor,
          maximumRetryAttempts: s.maxRetryAttempts,
          maximumRecordAgeInSeconds: s.maxRecordAgeSeconds,
          enhancedFanOut: s.enhancedFanOut,
          vpc,
        },
        analytics: {
          windowSeconds: s.windowSeconds,
          aggregatesTtlDays: s.aggregatesTtlDays,
          flink: s.flink,
        },
        notifications: {
          emails: s.notifyEmails,
          phoneNumbers: s.notifyPhoneNumbers,
          severities: s.notifySeverities,
          eventNames: s.notifyEventNames,
          smsSeverities: s.smsSeverities,
          displayName: "Realtime",
        },
        archive: {
          bufferingSizeMb: s.firehoseBufferSizeMb,
          bufferingIntervalSeconds: s.firehoseBufferIntervalSeconds,
          keepRawJson: s.archiveRawJson,
          rawExpirationDays: s.rawExpirationDays,
          resultsExpirationDays: s.athenaResultsExpirationDays,
          bytesScannedCutoffPerQuery: s.athenaBytesScannedCutoffMb * 1024 ** 2,
        },
        deletionProtection: !ctx.isDev,
        forceDestroy: ctx.isDev,
        retainOnDelete: ctx.retainData,
        iteratorAgeAlarmMs: s.iteratorAgeAlarmMs,
        ...ctx.operations,
      },
      { parent: flow },
    );

    const subscriptions = clientApi(
      flow,
      ctx,
      pipeline.notifier.topicArn,
      pipeline.analytics.aggregatesTable,
    );
    ctx.dashboard(pipeline, subscriptions);
    ctx.provide("realtime-analytics", {
      stream: {
        name: pipeline.streamName,
        arn: pipeline.streamArn,
        shardCount: pipeline.shardCount,
        mode: pipeline.streamMode,
      },
    });

    return {
      ingestUrl: pipeline.ingest.url,
      putRecordUrl: pulumi.interpolate`${pipeline.ingest.url}/record`,
      putRecordsUrl: pulumi.interpolate`${pipeline.ingest.url}/records`,
      apiKeyId: pipeline.ingest.apiKeyId,
      streamName: pipeline.streamName,
      streamArn: pipeline.streamArn,
      dataTable: pipeline.dataTable.name,
      dedupeTable: pipeline.dedupeTable.name,
      aggregatesTable: pipeline.analytics.aggregatesTable.name,
      aggregatesUrl: pulumi.interpolate`${subscriptions.url}/aggregates`,
      notificationTopicArn: pipeline.notifier.topicArn,
      subscriptionsUrl: pulumi.interpolate`${subscriptions.url}/subscriptions`,
      userPoolId: subscriptions.userPoolId,
      userPoolClientId: subscriptions.userPoolClientIds!.apply((ids) => ids[0]),
      onFailureQueueUrl: pipeline.onFailureQueue.url,
      rawBucket: pipeline.archive.rawBucket.name,
      athenaWorkgroup: pipeline.archive.workgroupName,
      athenaDatabase: pipeline.archive.databaseName,
      athenaTable: pipeline.archive.tableName,
    };
  },
});
