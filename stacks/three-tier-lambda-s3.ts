import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { intSetting } from "./settingFields";
import { BucketNotifications, allowS3ToPublish } from "../components/storage/bucketNotifications";
import {
  NONCURRENT_VERSION_EXPIRATION_DAYS,
  QUEUE_WORKER_TIMEOUT_SECONDS,
  SQS_BATCH_SIZE,
  VISIBILITY_TIMEOUT_FACTOR,
} from "../components/core/defaults";
import { allow } from "../components/security/iam";
import { ServiceKey } from "../components/security/kmsKey";
import { QueueConsumer } from "../components/compute/queueConsumer";
import { SecureBucket } from "../components/storage/secureBucket";
import { SecureQueue } from "../components/messaging/secureQueue";
import { DEFAULT_UPLOAD_CONFIG, S3_MAX_SINGLE_PUT_BYTES } from "../functions/files-api/upload";
import { fileIndexerEnvironment } from "../functions/file-indexer/env";
import { readObjectsStatements, uploadsHandler } from "../components/api/objectUploadsApi";
import { idTable } from "./flowTables";
import { itemSummaryRoute } from "./itemSummary";
import { defineFlow } from "./flow";
import { buildItemsApi, itemsApiOutputs, threeTierLambdaFields } from "./itemsApi";

const SLUG = "three-tier-lambda-s3";
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

export const threeTierLambdaS3Settings = z.strictObject({
  ...threeTierLambdaFields,
  maxUploadBytes: intSetting(
    1,
    S3_MAX_SINGLE_PUT_BYTES,
    DEFAULT_UPLOAD_CONFIG.maxUploadBytes,
  ).describe(
    `Largest file a presigned upload accepts, bytes (signed into the URL). Default: ${DEFAULT_UPLOAD_CONFIG.maxUploadBytes} (10 MiB).`,
  ),
  allowedContentTypes: z
    .array(z.string().regex(MIME_TYPE, "is not a lower-case MIME type"))
    .min(1)
    .default([...DEFAULT_UPLOAD_CONFIG.allowedContentTypes])
    .describe(
      `MIME types clients may upload. Default: ${DEFAULT_UPLOAD_CONFIG.allowedContentTypes.join(", ")}.`,
    ),
  uploadUrlTtlSeconds: intSetting(60, 3600, DEFAULT_UPLOAD_CONFIG.urlTtlSeconds).describe(
    `Seconds a presigned upload URL stays valid. Default: ${DEFAULT_UPLOAD_CONFIG.urlTtlSeconds}.`,
  ),
  noncurrentVersionExpirationDays: intSetting(
    1,
    undefined,
    NONCURRENT_VERSION_EXPIRATION_DAYS,
  ).describe(
    `Days before overwritten or deleted file versions expire. Default: ${NONCURRENT_VERSION_EXPIRATION_DAYS}.`,
  ),
  indexerTimeout: intSetting(1, 900, QUEUE_WORKER_TIMEOUT_SECONDS).describe(
    `Timeout of the file-indexer function, seconds; the queue's visibility timeout is ${VISIBILITY_TIMEOUT_FACTOR}x it. Default: ${QUEUE_WORKER_TIMEOUT_SECONDS}.`,
  ),
  indexerBatchSize: intSetting(1, SQS_BATCH_SIZE, SQS_BATCH_SIZE).describe(
    `S3 event messages per file-indexer invocation (1-${SQS_BATCH_SIZE}). Default: ${SQS_BATCH_SIZE}.`,
  ),
});
export type ThreeTierLambdaS3Settings = z.infer<typeof threeTierLambdaS3Settings>;

export const threeTierLambdaS3 = defineFlow<ThreeTierLambdaS3Settings>({
  slug: SLUG,
  componentName: "ThreeTierLambdaS3",
  summary:
    "The three-tier Lambda API plus an S3 files bucket: POST /files returns a presigned PUT; S3 ObjectCreated -> SQS (DLQ, KMS) -> file-indexer Lambda -> DynamoDB.",
  settings: threeTierLambdaS3Settings,
  build: (flow, settings, ctx) => {
    const parent = { parent: flow };
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const keyPrefix = DEFAULT_UPLOAD_CONFIG.keyPrefix;

    const files = new SecureBucket(
      `${SLUG}-files`,
      {
        forceDestroy: ctx.isDev,
        retainOnDelete: ctx.retainData,
        noncurrentVersionExpirationDays: settings.noncurrentVersionExpirationDays,
        // Browser uploads: the presigned PUT from the API's origins, with the signed headers.
        corsRules: settings.corsOrigins.length
          ? [
              {
                allowedMethods: ["PUT"],
                allowedOrigins: settings.corsOrigins,
                allowedHeaders: ["content-type"],
                exposeHeaders: ["etag"],
                maxAgeSeconds: 3600,
              },
            ]
          : undefined,
      },
      parent,
    );

    const api = buildItemsApi(SLUG, flow, settings, ctx, {
      files: uploadsHandler({
        bucket: files,
        uploadPrefix: keyPrefix,
        maxUploadBytes: settings.maxUploadBytes,
        allowedContentTypes: settings.allowedContentTypes,
        urlTtlSeconds: settings.uploadUrlTtlSeconds,
        memorySize: settings.memorySize,
        timeout: settings.timeout,
        description: "Presigned upload URLs (functions/files-api)",
      }),
    });

    const summary = itemSummaryRoute(SLUG, flow, settings, ctx, api, files, keyPrefix);

    // The queue's key: S3 encrypts the notifications it sends.
    const queueKey = new ServiceKey(
      `${SLUG}-uploads`,
      {
        description: `Encrypts the upload-events queue of flow ${SLUG}`,
        users: [
          // S3 documents this grant without conditions (it may not send aws:SourceArn to KMS);
          // the queue policy below limits the sender to this bucket and account.
          { service: "s3.amazonaws.com", condition: "none" },
        ],
      },
      parent,
    );
    const uploads = new SecureQueue(
      `${SLUG}-uploads`,
      {
        kmsKeyArn: queueKey.arn,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_FACTOR * settings.indexerTimeout,
        consumerTimeoutSeconds: settings.indexerTimeout,
        policyStatements: (queueArn) => [allowS3ToPublish({ queueArn }, files.arn, account)],
        alarmTopicArn: ctx.operations.alarmTopicArn,
      },
      parent,
    );
    new BucketNotifications(
      `${SLUG}-files`,
      {
        bucket: files,
        queues: [
          {
            id: "index-uploads",
            queueArn: uploads.arn,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: keyPrefix,
            // S3 test-delivers when the configuration is saved: the policy and key must allow it.
            dependsOn: [uploads.policy, queueKey],
          },
        ],
      },
      parent,
    );

    const fileTable = idTable(`${SLUG}-files`, ctx, flow);
    const network = settings.privateSubnets ? ctx.network() : undefined;
    const indexerSg = network?.egressOnlySecurityGroup(
      `${SLUG}-indexer`,
      `file-indexer of flow ${SLUG}: no ingress, HTTPS egress only`,
      { parent: flow },
    );
    const indexer = new QueueConsumer(
      `${SLUG}-file-indexer`,
      {
        code: "file-indexer",
        description: "Records uploaded files in DynamoDB (functions/file-indexer)",
        queue: {
          arn: uploads.arn,
          visibilityTimeoutSeconds: uploads.visibilityTimeoutSeconds,
          kmsKeyArn: queueKey.arn,
        },
        batchSize: settings.indexerBatchSize,
        timeout: settings.indexerTimeout,
        statements: [
          // Conditional puts only: the indexer never rewrites or deletes a row.
          allow(["dynamodb:PutItem"], [fileTable.arn]),
          // HEAD of the exact version named by the event (content type); ListBucket for 404s.
          ...readObjectsStatements(files, keyPrefix),
        ],
        environment: fileIndexerEnvironment<pulumi.Input<string>>({ tableName: fileTable.name }),
        vpc:
          network && indexerSg
            ? {
                subnetIds: network.privateSubnetIds,
                securityGroupIds: [indexerSg.id],
                callLedger: network.callLedger,
              }
            : undefined,
        ...ctx.operations,
      },
      parent,
    );

    ctx.dashboard(api, summary, files, uploads, indexer, fileTable);
    return {
      ...itemsApiOutputs(api),
      filesUrl: pulumi.interpolate`${api.url}/files`,
      itemSummaryUrlTemplate: pulumi.interpolate`${api.url}/items/{id}/summary`,
      filesBucket: files.name,
      fileTableName: fileTable.name,
      uploadQueueUrl: uploads.url,
      uploadDlqUrl: uploads.dlq.url,
      fileIndexerName: indexer.function.name,
    };
  },
});
