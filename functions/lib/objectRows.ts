import { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { putOnce } from "./idempotentPut";
import { createLogger } from "./logger";
import { BUSINESS_METRICS, type FigureSink, countFigures, createMetrics } from "./metrics";
import { documentClient } from "./runtime";
import { processS3EventBatch } from "./s3Batch";
import type { S3ObjectEvent } from "./s3Events";
import { ObjectHead, headObject } from "./s3Objects";

/** What every "one row per object write" subscriber needs; handlers extend it with their own. */
export interface ObjectRowDeps {
  s3: Pick<S3Client, "send">;
  ddb: Pick<DynamoDBDocumentClient, "send">;
  tableName: string;
  logger: Logger;
  /**
   * Where the batch's figures (rows written, duplicates dropped, messages refused) go; published
   * at the end of each invocation when it can be (Powertools Metrics).
   * @default none
   */
  metrics?: FigureSink & Partial<Pick<Metrics, "hasStoredMetrics" | "publishStoredMetrics">>;
  /** Clock for the row's timestamp. Default: the system clock. */
  now?: () => Date;
}

/**
 * The deployed wiring: real clients, the table the function's env.ts read, a logger named
 * `service`. The clients are not wrapped by Powertools Tracer: it adds 127 KiB (metadata-indexer
 * 333 -> 460 KiB), far over the 350 KiB budget; Lambda's active tracing still traces invocations.
 */
export function deployedObjectRowDeps(service: string, tableName: string): ObjectRowDeps {
  return {
    s3: new S3Client({}),
    ddb: documentClient(),
    tableName,
    logger: createLogger(service),
    metrics: createMetrics(),
  };
}

/** How a subscriber names what it did in its per-object debug line. */
export interface ObjectRowLog<R> {
  /** The debug message, e.g. "indexed". */
  message: string;
  /** Fields of the row to log besides the put outcome. Default: `{ id }`. */
  fields?: (row: R) => Record<string, unknown>;
}

/**
 * An SQS handler for S3 notifications (raw or SNS-enveloped) that turns each object event into
 * one DynamoDB row with `row` and writes it once (conditional put on `id`: redeliveries keep
 * the first write). Failed messages become batch item failures. `deps` is called per invocation
 * (pass a `lazy(...)` one so clients are built once).
 */
export function makeObjectRowHandler<D extends ObjectRowDeps, R extends { id: string }>(
  deps: () => D,
  row: (object: S3ObjectEvent, deps: D, now: () => Date) => Promise<R>,
  log: ObjectRowLog<R>,
) {
  const fields = log.fields ?? ((r: R) => ({ id: r.id }));
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const d = deps();
    const { ddb, tableName, logger, metrics, now = () => new Date() } = d;
    // Request id, function name and cold start on every line of this invocation.
    if (context) logger.addContext(context);
    let written = 0;
    let duplicates = 0;
    try {
      const { batchItemFailures, stats } = await processS3EventBatch(
        event,
        async (object) => {
          const item = await row(object, d, now);
          const outcome = await putOnce(ddb, tableName, { ...item });
          if (outcome === "written") written++;
          else duplicates++;
          logger.debug(log.message, { ...fields(item), outcome });
        },
        { onFailure: (f) => logger.error("record failed", { ...f }), context },
      );
      logger.info("batch done", { ...stats });
      countFigures(metrics, {
        [BUSINESS_METRICS.itemsWritten]: written,
        [BUSINESS_METRICS.duplicatesDropped]: duplicates,
        [BUSINESS_METRICS.recordsRefused]: stats.failed,
      });
      return { batchItemFailures };
    } finally {
      if (metrics?.hasStoredMetrics?.()) metrics.publishStoredMetrics?.();
    }
  };
}

/**
 * A `row` for `makeObjectRowHandler` built from the event and a HEAD of the exact version
 * (`head` is undefined when the object is gone).
 */
export function rowFromHead<R extends { id: string }>(
  toRow: (object: S3ObjectEvent, head: ObjectHead | undefined, now: Date) => R,
) {
  return async (object: S3ObjectEvent, deps: Pick<ObjectRowDeps, "s3">, now: () => Date) =>
    toRow(object, await headObject(deps.s3, object), now());
}
