/**
 * Fan-out subscriber: reads each uploaded object version once, computes its SHA-256 (and checks
 * the bytes against S3's MD5 ETag when it is one) and stores the summary in its own table.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { putOnce } from "../lib/idempotentPut";
import { createLogger } from "../lib/logger";
import { documentClient, lazy, requireEnv } from "../lib/runtime";
import { processS3EventBatch } from "../lib/s3Batch";
import { getObjectStream } from "../lib/s3Objects";
import { checksumItem, shouldRead, summarize } from "./summary";

/** Objects larger than this are recorded as "too-large" instead of downloaded. */
export const DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024;

export interface ChecksumDeps {
  s3: Pick<S3Client, "send">;
  ddb: Pick<DynamoDBDocumentClient, "send">;
  tableName: string;
  logger: Logger;
  maxObjectBytes?: number;
  now?: () => Date;
}

export function makeHandler(deps: () => ChecksumDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { s3, ddb, tableName, logger, now = () => new Date() } = deps();
    const maxBytes = deps().maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    const { batchItemFailures, stats } = await processS3EventBatch(
      event,
      async (object) => {
        let result: Parameters<typeof checksumItem>[1] = "too-large";
        if (shouldRead(object, maxBytes)) {
          const body = await getObjectStream(s3, object);
          result = body ? await summarize(body) : "missing";
        }
        const item = checksumItem(object, result, now());
        const outcome = await putOnce(ddb, tableName, { ...item });
        logger.debug("summarized", { id: item.id, status: item.status, outcome });
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
    maxObjectBytes: Number(process.env.MAX_OBJECT_BYTES) || DEFAULT_MAX_OBJECT_BYTES,
    logger: createLogger("checksum-summary"),
  })),
);
