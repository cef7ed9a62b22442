/**
 * Work-queue consumer: processes each object event (HEAD of the exact version, classification)
 * and records the result in DynamoDB, once per object write.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { putOnce } from "../lib/idempotentPut";
import { createLogger } from "../lib/logger";
import { documentClient, lazy, requireEnv } from "../lib/runtime";
import { processS3EventBatch } from "../lib/s3Batch";
import { headObject } from "../lib/s3Objects";
import { processedItem } from "./process";

export interface ProcessorDeps {
  s3: Pick<S3Client, "send">;
  ddb: Pick<DynamoDBDocumentClient, "send">;
  tableName: string;
  logger: Logger;
  now?: () => Date;
}

export function makeHandler(deps: () => ProcessorDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { s3, ddb, tableName, logger, now = () => new Date() } = deps();
    const { batchItemFailures, stats } = await processS3EventBatch(
      event,
      async (object) => {
        const item = processedItem(object, await headObject(s3, object), now());
        const outcome = await putOnce(ddb, tableName, { ...item });
        logger.debug("processed", { id: item.id, outcome });
      },
      { onFailure: (f) => logger.error("record failed", { ...f }) },
    );
    logger.info("batch done", { ...stats });
    return { batchItemFailures };
  };
}

export const handler = makeHandler(
  lazy(() => ({
    s3: new S3Client({}),
    ddb: documentClient(),
    tableName: requireEnv("TABLE_NAME"),
    logger: createLogger("object-processor"),
  })),
);
