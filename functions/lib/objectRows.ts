import { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { putOnce } from "./idempotentPut";
import { createLogger } from "./logger";
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
  /** Clock for the row's timestamp. Default: the system clock. */
  now?: () => Date;
}

/** The deployed wiring: real clients, the table the function's env.ts read, a logger named `service`. */
export function deployedObjectRowDeps(service: string, tableName: string): ObjectRowDeps {
  return {
    s3: new S3Client({}),
    ddb: documentClient(),
    tableName,
    logger: createLogger(service),
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
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const d = deps();
    const { ddb, tableName, logger, now = () => new Date() } = d;
    const { batchItemFailures, stats } = await processS3EventBatch(
      event,
      async (object) => {
        const item = await row(object, d, now);
        const outcome = await putOnce(ddb, tableName, { ...item });
        logger.debug(log.message, { ...fields(item), outcome });
      },
      { onFailure: (f) => logger.error("record failed", { ...f }) },
    );
    logger.info("batch done", { ...stats });
    return { batchItemFailures };
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
