import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ApiBackedLambda } from "../components/apiBackedLambda";
import { BucketNotifications } from "../components/bucketNotifications";
import { VISIBILITY_TIMEOUT_FACTOR } from "../components/defaults";
import { allow } from "../components/iam";
import { BundledFunction } from "../components/lambdaFunction";
import { QueueConsumer } from "../components/queueConsumer";
import { SecureBucket } from "../components/secureBucket";
import { SecureQueue } from "../components/secureQueue";
import { SecureTable, tableGrants } from "../components/secureTable";
import { defineFlow } from "./flow";
import { threeTierLambdaFields } from "./three-tier-lambda";

const DEFAULT_CONTENT_TYPES = ["image/png", "image/jpeg", "application/pdf", "text/plain"];

const settingsSchema = z
  .object({
    uploadPrefix: z
      .string()
      .regex(/^([A-Za-z0-9!_.*'()-]+\/)+$/, { message: "must be a key prefix ending in /" })
      .default("uploads/")
      .describe(
        "Key prefix uploads are written under; only objects created there are processed. Default: uploads/.",
      ),
    maxUploadBytes: z
      .number()
      .int()
      .min(1)
      .max(5 * 1024 ** 3)
      .default(10 * 1024 * 1024)
      .describe("Largest upload the presign route signs, in bytes. Default: 10485760."),
    allowedContentTypes: z
      .array(z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, { message: "is not a MIME type" }))
      .min(1)
      .default(DEFAULT_CONTENT_TYPES)
      .describe(
        `MIME types the presign route accepts. Default: ${DEFAULT_CONTENT_TYPES.join(", ")}.`,
      ),
    auth: threeTierLambdaFields.auth,
    processorTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(900)
      .default(30)
      .describe(
        "Timeout of the processor; the work queue's visibility timeout is 6x this. Default: 30.",
      ),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(10)
      .describe("Messages per processor invocation. Default: 10."),
    maxConcurrency: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .default(5)
      .describe("Concurrent processor invocations the work queue may drive. Default: 5."),
    maxReceiveCount: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe("Receives before a work message moves to the DLQ. Default: 5."),
    ingestRetries: z
      .number()
      .int()
      .min(0)
      .max(2)
      .default(2)
      .describe(
        "Lambda's retries of a failed S3 invocation before it goes to the DLQ. Default: 2.",
      ),
    privateSubnets: z
      .boolean()
      .default(false)
      .describe(
        "Run the functions in the shared VPC's private subnets (the ingest function then reaches SQS through NAT). Default: false.",
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
      alarmTopicArn: ctx.alarmTopicArn,
      logKmsKeyArn: ctx.logKmsKeyArn,
      logRetentionDays: ctx.logRetentionDays,
    };
    const bucket = new SecureBucket(
      "lambda-objects",
      { forceDestroy: ctx.isDev, retainOnDelete: ctx.retainData },
      parent,
    );
    const uploads = pulumi.interpolate`${bucket.arn}/${s.uploadPrefix}*`;
    const table = new SecureTable(
      "processed-objects",
      {
        hashKey: { name: "id", type: "S" },
        deletionProtection: !ctx.isDev,
        retainOnDelete: ctx.retainData,
      },
      parent,
    );
    const work = new SecureQueue(
      "object-work",
      {
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_FACTOR * s.processorTimeoutSeconds,
        consumerTimeoutSeconds: s.processorTimeoutSeconds,
        maxReceiveCount: s.maxReceiveCount,
        alarmTopicArn: ctx.alarmTopicArn,
      },
      parent,
    );

    const network = s.privateSubnets ? ctx.network() : undefined;
    const vpc = network
      ? {
          subnetIds: network.privateSubnetIds,
          securityGroupIds: [
            network.egressOnlySecurityGroup(
              "s3-lambda-functions",
              "s3-events-lambda functions: no ingress, HTTPS egress only",
              { parent: flow },
            ).id,
          ],
        }
      : undefined;

    const ingest = new BundledFunction(
      "object-ingest",
      {
        ...common,
        code: "object-ingest",
        description: "Receives S3 object events and queues them for processing",
        environment: { QUEUE_URL: work.url },
        statements: [allow(["sqs:SendMessage"], [work.arn])],
        // S3 invokes asynchronously: after the retries the event lands in the DLQ, not lost.
        onFailureQueueArn: work.dlq.arn,
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
        environment: { TABLE_NAME: table.name },
        statements: [
          allow(["s3:GetObject", "s3:GetObjectVersion"], [uploads]),
          ...tableGrants(table, { write: true }),
        ],
        vpc,
      },
      parent,
    );

    const api = new ApiBackedLambda(
      "objects-api",
      {
        description: "Reads processed objects and signs uploads (s3-events-lambda flow)",
        auth: s.auth,
        existingTable: { name: table.name, arn: table.arn },
        handlers: {
          objects: {
            code: "objects-api",
            routes: ["GET /objects", "GET /objects/{ref}"],
            tableAccess: "read",
            description: "Lists and reads processed objects",
          },
          uploads: {
            code: "files-api",
            routes: ["POST /files"],
            tableAccess: "none",
            description: "Signs upload URLs into the objects bucket",
            statements: [allow(["s3:PutObject"], [uploads])],
            environment: {
              BUCKET_NAME: bucket.name,
              UPLOAD_KEY_PREFIX: s.uploadPrefix,
              MAX_UPLOAD_BYTES: String(s.maxUploadBytes),
              ALLOWED_CONTENT_TYPES: s.allowedContentTypes.join(","),
            },
          },
        },
        deletionProtection: !ctx.isDev,
        network,
        ...common,
      },
      parent,
    );

    ctx.dashboard(api, bucket, ingest, work, processor, table);
    return {
      apiUrl: api.url,
      objectsEndpoint: pulumi.interpolate`${api.url}/objects`,
      uploadUrlEndpoint: pulumi.interpolate`${api.url}/files`,
      userPoolId: api.userPoolId,
      userPoolClientIds: api.userPoolClientIds,
      bucketName: bucket.name,
      workQueueUrl: work.url,
      dlqUrl: work.dlq.url,
      tableName: table.name,
      ingestFunction: ingest.name,
      processorFunction: processor.function.name,
    };
  },
});
