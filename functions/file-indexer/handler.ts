/**
 * SQS worker for S3 `ObjectCreated` notifications: records each file's metadata in DynamoDB once
 * (conditional put keyed by bucket/key/version, so redeliveries and duplicate events write one
 * row), acknowledges `s3:TestEvent`, and reports malformed or failed messages as batch item
 * failures so only they are retried (and reach the DLQ).
 * Env: TABLE_NAME (required).
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { putOnce } from "../lib/idempotentPut";
import { createLogger, withLambdaContext } from "../lib/logger";
import { BUSINESS_METRICS, type FigureSink, countFigures, createMetrics } from "../lib/metrics";
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
  /** Rows written, duplicates dropped, messages refused. Default: none. */
  metrics?: FigureSink;
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
    countFigures(deps.metrics, {
      [BUSINESS_METRICS.itemsWritten]: written,
      [BUSINESS_METRICS.duplicatesDropped]: duplicates,
      [BUSINESS_METRICS.recordsRefused]: stats.failed,
    });
    return { batchItemFailures };
  };
}

const logger = createLogger("file-indexer");
const metrics = createMetrics();
const instance = lazy(() =>
  makeHandler({
    ddb: documentClient(),
    s3: new S3Client({}),
    tableName: readFileIndexerEnv().tableName,
    logger,
    metrics,
  }),
);

/** Lambda entry point: clients are created on the first invocation and reused after. */
export const handler = withLambdaContext(
  logger,
  (event: SQSEvent): Promise<SQSBatchResponse> => instance()(event),
  metrics,
);
