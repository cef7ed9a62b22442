/**
 * SQS worker for S3 `ObjectCreated` notifications: records each file's metadata in DynamoDB once
 * (conditional put keyed by bucket/key/version, so redeliveries and duplicate events write one
 * row), acknowledges `s3:TestEvent`, and reports malformed or failed messages as batch item
 * failures so only they are retried (and reach the DLQ).
 * Env: TABLE_NAME (required).
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { putOnce } from "../lib/idempotentPut";
import { createLogger } from "../lib/logger";
import { documentClient, lazy } from "../lib/runtime";
import { readFileIndexerEnv } from "./env";
import { processS3EventBatch } from "../lib/s3Batch";
import { headObject } from "../lib/s3Objects";
import { fileRow, isIndexed } from "./record";

export interface FileIndexerDeps {
  ddb: Pick<DynamoDBDocumentClient, "send">;
  /** HEADs each object for its content type. Default: none (rows without contentType). */
  s3?: Pick<S3Client, "send">;
  tableName: string;
  now?: () => Date;
  logger?: {
    info(message: string, extra: Record<string, unknown>): void;
    warn(message: string, extra: Record<string, unknown>): void;
  };
}

export function makeHandler(deps: FileIndexerDeps) {
  const now = deps.now ?? (() => new Date());
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    let written = 0;
    let duplicates = 0;
    let skipped = 0;
    const { batchItemFailures, stats } = await processS3EventBatch(
      event,
      async (object) => {
        if (!isIndexed(object)) {
          skipped++;
          return;
        }
        const head = deps.s3 ? await headObject(deps.s3, object) : undefined;
        const outcome = await putOnce(deps.ddb, deps.tableName, {
          ...fileRow(object, head, now()),
        });
        if (outcome === "written") written++;
        else duplicates++;
      },
      {
        onFailure: (f) =>
          deps.logger?.warn("message failed; it returns to the queue", {
            messageId: f.messageId,
            error: f.error,
          }),
      },
    );
    deps.logger?.info("batch indexed", { ...stats, written, duplicates, skipped });
    return { batchItemFailures };
  };
}

const logger = createLogger("file-indexer");
const instance = lazy(() =>
  makeHandler({
    ddb: documentClient(),
    s3: new S3Client({}),
    tableName: readFileIndexerEnv().tableName,
    logger,
  }),
);

/** Lambda entry point: clients are created on the first invocation and reused after. */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  const handle = instance();
  if (context) logger.addContext(context);
  return handle(event);
};
