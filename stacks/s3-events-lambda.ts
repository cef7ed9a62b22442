import type * as pulumi from "@pulumi/pulumi";
import { objectIngestEnvironment } from "../functions/object-ingest/env";
import { objectProcessorEnvironment } from "../functions/object-processor/env";
import { z } from "zod";
import { intSetting, boolSetting } from "./settingFields";
import { DEFAULT_UPLOAD_CONFIG } from "../functions/files-api/upload";
import { BucketNotifications } from "../components/storage/bucketNotifications";
import {
  LAMBDA_ASYNC_RETRIES,
  QUEUE_WORKER_TIMEOUT_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
} from "../components/core/defaults";
import { metricAlarm } from "../components/observability/alarms";
import { allow } from "../components/security/iam";
import { objectUploadsApiOutputs, readObjectsStatements } from "../components/api/objectUploadsApi";
import { BundledFunction } from "../components/compute/lambdaFunction";
import { QueueConsumer } from "../components/compute/queueConsumer";
import { SecureBucket } from "../components/storage/secureBucket";
import { SecureQueue } from "../components/messaging/secureQueue";
import { tableGrants } from "../components/data/secureTable";
import { idTable } from "./flowTables";
import { defineFlow } from "./flow";
import { queueConsumerFields } from "./objectUploadSettings";
import { objectsApi, objectsApiFields } from "./objectsApi";

const settingsSchema = z
  .object({
    ...objectsApiFields({
      uploadPrefix: `Key prefix uploads are written under; only objects created there are processed. Default: ${DEFAULT_UPLOAD_CONFIG.keyPrefix}.`,
      maxUploadBytes: `Largest upload the presign route signs, in bytes. Default: ${DEFAULT_UPLOAD_CONFIG.maxUploadBytes}.`,
    }),
    processorTimeoutSeconds: intSetting(1, 900, QUEUE_WORKER_TIMEOUT_SECONDS).describe(
      `Timeout of the processor; the work queue's visibility timeout is ${VISIBILITY_TIMEOUT_FACTOR}x this. Default: ${QUEUE_WORKER_TIMEOUT_SECONDS}.`,
    ),
    ...queueConsumerFields({
      batchSize: "Messages per processor invocation. Default: 10.",
      maxConcurrency: "Concurrent processor invocations the work queue may drive. Default: 5.",
      maxReceiveCount: "Receives before a work message moves to the DLQ. Default: 5.",
    }),
    ingestRetries: intSetting(0, LAMBDA_ASYNC_RETRIES, LAMBDA_ASYNC_RETRIES).describe(
      `Lambda's retries of a failed S3 invocation before it goes to the ingest failures queue. Default: ${LAMBDA_ASYNC_RETRIES}.`,
    ),
    privateSubnets: boolSetting(true).describe(
      "Run the functions in the shared VPC's private subnets, as the other flows do (S3 and DynamoDB through gateway endpoints; the ingest function reaches SQS through NAT or an sqs interface endpoint). Default: true.",
    ),
  })
  .strict();

export type S3EventsLambdaSettings = z.infer<typeof settingsSchema>;

/**
 * s3-events-lambda: S3 invokes an ingest function for each new object; it puts the event on an
 * SQS work queue (with DLQ), whose consumer processes the object and writes DynamoDB. An API
 * lists and reads the processed objects and signs uploads.
 */
export const s3EventsLambda = defineFlow<S3EventsLambdaSettings>({
  slug: "s3-events-lambda",
  componentName: "S3EventsLambda",
  summary: "S3 event -> Lambda -> SQS (+DLQ) -> Lambda -> DynamoDB, API for reads and uploads",
  settings: settingsSchema,
  build(flow, s, ctx) {
    const parent = { parent: flow };
    const common = {
      ...ctx.operations,
    };
    const bucket = new SecureBucket(
      "lambda-objects",
      { forceDestroy: ctx.isDev, retainOnDelete: ctx.retainData },
      parent,
    );
    const table = idTable("processed-objects", ctx, flow);
    const work = new SecureQueue(
      "object-work",
      {
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_FACTOR * s.processorTimeoutSeconds,
        consumerTimeoutSeconds: s.processorTimeoutSeconds,
        maxReceiveCount: s.maxReceiveCount,
        alarmTopicArn: ctx.operations.alarmTopicArn,
      },
      parent,
    );

    // The ingest function's asynchronous failures (Lambda invocation records wrapping the S3
    // event) get their own queue: in the work DLQ they would sit among work messages, and a redrive
    // of that DLQ would feed them to the processor, which cannot read them. README, "Redrive".
    const ingestFailures = new SecureQueue(
      "object-ingest-failures",
      { maxReceiveCount: s.maxReceiveCount, alarmTopicArn: ctx.operations.alarmTopicArn },
      parent,
    );
    if (ctx.operations.alarmTopicArn) {
      metricAlarm(
        "object-ingest-failures-depth",
        {
          description:
            "S3 events the ingest function failed to queue (run the redrive in the README)",
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: ingestFailures.name },
          statistic: "Maximum",
        },
        ctx.operations.alarmTopicArn,
        flow,
      );
    }

    const network = s.privateSubnets ? ctx.network() : undefined;
    const vpc = network?.functionVpc(
      "s3-lambda-functions",
      "s3-events-lambda functions: no ingress, HTTPS egress only",
      { parent: flow },
    );

    const ingest = new BundledFunction(
      "object-ingest",
      {
        ...common,
        code: "object-ingest",
        description: "Receives S3 object events and queues them for processing",
        environment: objectIngestEnvironment<pulumi.Input<string>>({ queueUrl: work.url }),
        statements: [allow(["sqs:SendMessage"], [work.arn])],
        // S3 invokes asynchronously: after the retries the event lands in its own queue, not lost.
        onFailureQueueArn: ingestFailures.arn,
        asyncRetries: s.ingestRetries,
        vpc,
      },
      parent,
    );
    new BucketNotifications(
      "lambda-objects",
      {
        bucket,
        functions: [
          {
            id: "object-ingest",
            functionArn: ingest.arn,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: s.uploadPrefix,
          },
        ],
      },
      parent,
    );

    const processor = new QueueConsumer(
      "object-processor",
      {
        ...common,
        code: "object-processor",
        description: "Processes queued object events into DynamoDB",
        queue: { arn: work.arn, visibilityTimeoutSeconds: work.visibilityTimeoutSeconds },
        timeout: s.processorTimeoutSeconds,
        batchSize: s.batchSize,
        maximumConcurrency: s.maxConcurrency,
        environment: objectProcessorEnvironment<pulumi.Input<string>>({ tableName: table.name }),
        statements: [
          ...readObjectsStatements(bucket, s.uploadPrefix),
          ...tableGrants(table, ["PutItem"]),
        ],
        vpc,
      },
      parent,
    );

    const api = objectsApi(
      "objects-api",
      s,
      {
        description: "Reads processed objects and signs uploads (s3-events-lambda flow)",
        bucket,
        table,
        objectsDescription: "Lists and reads processed objects",
        uploadsDescription: "Signs upload URLs into the objects bucket",
        order: ["objects", "uploads"],
        network,
      },
      ctx,
      parent,
    );

    ctx.dashboard(api, bucket, ingest, ingestFailures, work, processor, table);
    return {
      ...objectUploadsApiOutputs(api),
      bucketName: bucket.name,
      workQueueUrl: work.url,
      dlqUrl: work.dlq.url,
      dlqArn: work.dlq.arn,
      ingestFailuresQueueUrl: ingestFailures.url,
      tableName: table.name,
      ingestFunction: ingest.name,
      processorFunction: processor.function.name,
    };
  },
});
