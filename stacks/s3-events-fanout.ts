import {
  LAMBDA_TIMEOUT_SECONDS,
  OBJECT_READER_MEMORY_MB,
  OBJECT_READER_TIMEOUT_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
} from "../components/core/defaults";
import type * as pulumi from "@pulumi/pulumi";
import { checksumSummaryEnvironment } from "../functions/checksum-summary/env";
import { metadataIndexerEnvironment } from "../functions/metadata-indexer/env";
import { z } from "zod";
import { intSetting, boolSetting } from "./settingFields";
import { DEFAULT_UPLOAD_CONFIG } from "../functions/files-api/upload";
import { FanOutTopic } from "../components/messaging/fanOutTopic";
import { objectUploadsApiOutputs, readObjectsStatements } from "../components/api/objectUploadsApi";
import { SecureBucket } from "../components/storage/secureBucket";
import { tableGrants } from "../components/data/secureTable";
import { idTable } from "./flowTables";
import { defineFlow } from "./flow";
import { queueConsumerFields } from "./objectUploadSettings";
import { objectsApi, objectsApiFields } from "./objectsApi";

const settingsSchema = z
  .object({
    ...objectsApiFields({
      uploadPrefix: `Key prefix presigned uploads are written under; only objects created there are fanned out. Default: ${DEFAULT_UPLOAD_CONFIG.keyPrefix}.`,
      maxUploadBytes: `Largest upload the presign route signs, in bytes (S3 single PUT limit 5 GiB). Default: ${DEFAULT_UPLOAD_CONFIG.maxUploadBytes}.`,
    }),
    corsOrigins: z
      .array(
        z
          .string()
          .regex(/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/, { message: "is not an origin" }),
      )
      .default([])
      .describe("Browser origins allowed to call the API and PUT to the bucket. Default: none."),
    rawMessageDelivery: boolSetting(true).describe(
      "Deliver S3's notification to the queues without SNS's envelope. Default: true.",
    ),
    indexerTimeoutSeconds: intSetting(1, 900, LAMBDA_TIMEOUT_SECONDS).describe(
      `Timeout of the metadata indexer; its queue's visibility timeout is ${VISIBILITY_TIMEOUT_FACTOR}x this. Default: ${LAMBDA_TIMEOUT_SECONDS}.`,
    ),
    checksumTimeoutSeconds: intSetting(1, 900, OBJECT_READER_TIMEOUT_SECONDS).describe(
      `Timeout of the checksum function (it reads whole objects). Default: ${OBJECT_READER_TIMEOUT_SECONDS}.`,
    ),
    checksumMemoryMb: intSetting(128, 10240, OBJECT_READER_MEMORY_MB).describe(
      `Memory of the checksum function (more memory, more CPU for hashing). Default: ${OBJECT_READER_MEMORY_MB}.`,
    ),
    ...queueConsumerFields({
      batchSize: "Messages per consumer invocation. Default: 10.",
      maxConcurrency:
        "Concurrent invocations each consumer's queue may drive (protects DynamoDB and S3). Default: 5.",
      maxReceiveCount: "Receives before a message moves to its DLQ. Default: 5.",
    }),
    privateSubnets: boolSetting(true).describe(
      "Run the functions in the shared VPC's private subnets (S3 and DynamoDB via gateway endpoints). Default: true.",
    ),
  })
  .strict();

export type S3EventsFanoutSettings = z.infer<typeof settingsSchema>;

/**
 * s3-events-fanout: a client asks the API for a presigned upload URL and PUTs the file to S3;
 * S3's ObjectCreated event goes to an SNS topic that fans out to one SQS queue per consumer
 * (each with a DLQ): a metadata indexer and a checksum summarizer, each writing its own table.
 */
export const s3EventsFanout = defineFlow<S3EventsFanoutSettings>({
  slug: "s3-events-fanout",
  componentName: "S3EventsFanout",
  summary: "S3 upload -> SNS -> one SQS queue (+DLQ) per consumer -> Lambda -> DynamoDB",
  settings: settingsSchema,
  build(flow, s, ctx) {
    const parent = { parent: flow };
    const bucket = new SecureBucket(
      "fanout-uploads",
      {
        forceDestroy: ctx.isDev,
        retainOnDelete: ctx.retainData,
        corsRules:
          s.corsOrigins.length > 0
            ? [
                {
                  allowedMethods: ["PUT"],
                  allowedOrigins: s.corsOrigins,
                  allowedHeaders: ["content-type", "content-length"],
                  maxAgeSeconds: 3600,
                },
              ]
            : undefined,
      },
      parent,
    );
    const metadata = idTable("object-metadata", ctx, flow);
    const checksums = idTable("object-checksums", ctx, flow);

    const network = s.privateSubnets ? ctx.network() : undefined;
    const vpc = network?.functionVpc(
      "fanout-consumers",
      "Fan-out consumers: no ingress, HTTPS egress only",
      { parent: flow },
    );
    const readUploads = readObjectsStatements(bucket, s.uploadPrefix);
    const consumer = {
      batchSize: s.batchSize,
      maximumConcurrency: s.maxConcurrency,
      vpc,
    };

    const topic = new FanOutTopic(
      "object-created",
      {
        publishers: {
          buckets: [
            {
              bucket,
              events: ["s3:ObjectCreated:*"],
              filterPrefix: s.uploadPrefix,
              id: "object-created",
            },
          ],
        },
        subscribers: {
          "metadata-indexer": {
            rawMessageDelivery: s.rawMessageDelivery,
            maxReceiveCount: s.maxReceiveCount,
            consumer: {
              ...consumer,
              code: "metadata-indexer",
              description: "Indexes uploaded objects' metadata into DynamoDB",
              timeout: s.indexerTimeoutSeconds,
              environment: metadataIndexerEnvironment<pulumi.Input<string>>({
                tableName: metadata.name,
              }),
              statements: [...readUploads, ...tableGrants(metadata, ["PutItem"])],
            },
          },
          "checksum-summary": {
            rawMessageDelivery: s.rawMessageDelivery,
            maxReceiveCount: s.maxReceiveCount,
            consumer: {
              ...consumer,
              code: "checksum-summary",
              description: "Hashes uploaded objects and records a summary in DynamoDB",
              timeout: s.checksumTimeoutSeconds,
              memorySize: s.checksumMemoryMb,
              environment: checksumSummaryEnvironment<pulumi.Input<string>>({
                tableName: checksums.name,
                // Uploads are capped at this size: the checksum never skips one the API signed.
                maxObjectBytes: s.maxUploadBytes,
              }),
              statements: [...readUploads, ...tableGrants(checksums, ["PutItem"])],
            },
          },
        },
        ...ctx.operations,
      },
      parent,
    );

    const api = objectsApi(
      "fanout-api",
      s,
      {
        description: "Presigned uploads and the metadata index of the s3-events-fanout flow",
        bucket,
        table: metadata,
        objectsDescription: "Lists and reads indexed object metadata",
        uploadsDescription: "Signs upload URLs into the fan-out bucket",
        order: ["uploads", "objects"],
        cors: s.corsOrigins.length > 0 ? { origins: s.corsOrigins } : undefined,
        network,
      },
      ctx,
      parent,
    );

    // The API comes first (it signs the uploads), then the path of an uploaded object.
    ctx.dashboard(api, bucket, topic, metadata, checksums);
    const subscribers = topic.subscribers;
    return {
      ...objectUploadsApiOutputs(api),
      bucketName: bucket.name,
      topicArn: topic.arn,
      metadataTableName: metadata.name,
      checksumTableName: checksums.name,
      queues: Object.fromEntries(
        Object.entries(subscribers).map(([n, sub]) => [
          n,
          { queueUrl: sub.queue.url, dlqUrl: sub.dlq.url },
        ]),
      ),
    };
  },
});
