/**
 * The stream processor's AWS I/O: de-duplicate across batches with conditional writes on the event
 * id into the dedupe table, write processed rows to the data table, and report exactly the records
 * that failed. The DynamoDB client is injected, so tests and the benchmark run this same code.
 *
 * Protocol per event (three writes, two of them batched):
 *  1. claim: conditional PutItem of a PENDING marker. It fails when the id is DONE, or PENDING
 *     under another delivery whose lease has not run out: a duplicate, skipped.
 *  2. row: BatchWriteItem of the claimed events' rows (25 per request).
 *  3. done: BatchWriteItem turning the markers DONE.
 * A crash between 1 and 3 leaves a PENDING marker that the retry of the same record (same shard
 * and sequence number) takes over at once, and any other delivery after the lease: nothing is lost,
 * and the row is written under its event id, so there is never more than one row per event.
 */
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import { rethrowIfAuthorization } from "../lib/awsErrors";
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { batchPut, mapLimit } from "../lib/dynamoBatch";
import {
  type Candidate,
  STATUS_DONE,
  STATUS_PENDING,
  claimToken,
  dataItem,
  markerItem,
  planBatch,
} from "./plan";

export interface ProcessorDeps {
  /** A DynamoDB document client (or anything with its `send`). */
  ddb: Pick<DynamoDBDocumentClient, "send">;
  dedupeTable: string;
  dataTable: string;
  /** Seconds a DONE marker is kept (the dedupe window). */
  dedupeTtlSeconds: number;
  /** Conditional claims in flight at once. Default: 16. */
  concurrency?: number;
  /** Requests per BatchWriteItem chunk while items come back unprocessed. Default: 5. */
  batchWriteAttempts?: number;
  /** Clock (ms). Default: Date.now. */
  now?: () => number;
  /** Called once per failed record. Default: none. */
  onFailure?: (sequenceNumber: string, reason: string) => void;
}

export interface BatchStats {
  records: number;
  poison: number;
  inBatchDuplicates: number;
  /** Events already processed by an earlier batch (or in flight under another delivery). */
  crossBatchDuplicates: number;
  /** Rows written to the data table. */
  written: number;
  failed: number;
}

export interface BatchOutcome {
  response: KinesisStreamBatchResponse;
  stats: BatchStats;
}

const CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException";

/**
 * Processes one Kinesis batch. `deadlineMs` is when this invocation times out: a claim's lease runs
 * until then, after which another delivery of the same event may take it over.
 */
export async function processBatch(
  records: KinesisStreamRecord[],
  deadlineMs: number,
  deps: ProcessorDeps,
): Promise<BatchOutcome> {
  const now = deps.now ?? Date.now;
  const plan = planBatch(records);
  const failures = new Map<number, { sequenceNumber: string; reason: string }>();
  const fail = (index: number, sequenceNumber: string, reason: string) => {
    failures.set(index, { sequenceNumber, reason });
    deps.onFailure?.(sequenceNumber, reason);
  };
  for (const p of plan.poison) fail(p.index, p.position.sequenceNumber, `poison: ${p.error}`);

  // 1. Claim every candidate with a conditional write on its event id.
  const claimStart = now();
  const claimed: Candidate[] = [];
  let crossBatchDuplicates = 0;
  await mapLimit(plan.candidates, deps.concurrency ?? 16, async (c) => {
    const token = claimToken(c.position);
    try {
      await deps.ddb.send(
        new PutCommand({
          TableName: deps.dedupeTable,
          Item: markerItem(c, STATUS_PENDING, claimStart, deadlineMs, deps.dedupeTtlSeconds),
          ConditionExpression:
            "attribute_not_exists(eventId) OR (#status = :pending AND (#leaseUntil < :now OR #claimedBy = :me))",
          ExpressionAttributeNames: {
            "#status": "status",
            "#leaseUntil": "leaseUntil",
            "#claimedBy": "claimedBy",
          },
          ExpressionAttributeValues: { ":pending": STATUS_PENDING, ":now": now(), ":me": token },
        }),
      );
      claimed.push(c);
    } catch (e) {
      // Denied: the whole invocation fails (Errors alarm), not one record as a warning.
      rethrowIfAuthorization(e);
      if ((e as { name?: string }).name === CONDITIONAL_CHECK_FAILED) crossBatchDuplicates++;
      else fail(c.index, c.position.sequenceNumber, `claim failed: ${(e as Error).message}`);
    }
  });

  // 2. Write the rows of the claimed events.
  const writeTime = now();
  const byEventId = (item: Record<string, unknown>) => String(item.eventId);
  const attempts = deps.batchWriteAttempts;
  const rowFailed = await batchPut(
    deps.ddb,
    deps.dataTable,
    claimed.map((c) => dataItem(c, writeTime)),
    byEventId,
    attempts,
  );
  const written = claimed.filter((c) => !rowFailed.has(c.event.eventId));
  const notWritten = claimed.filter((c) => rowFailed.has(c.event.eventId));
  await mapLimit(notWritten, deps.concurrency ?? 16, async (c) => {
    fail(c.index, c.position.sequenceNumber, "row write failed");
    // Free the claim so another delivery need not wait for the lease; best effort.
    await deps.ddb
      .send(
        new DeleteCommand({
          TableName: deps.dedupeTable,
          Key: { eventId: c.event.eventId },
          ConditionExpression: "#claimedBy = :me AND #status = :pending",
          ExpressionAttributeNames: { "#claimedBy": "claimedBy", "#status": "status" },
          ExpressionAttributeValues: { ":me": claimToken(c.position), ":pending": STATUS_PENDING },
        }),
      )
      .catch(rethrowIfAuthorization);
  });

  // 3. Mark the written events DONE: from now on every delivery of them is a duplicate.
  const doneTime = now();
  const doneFailed = await batchPut(
    deps.ddb,
    deps.dedupeTable,
    written.map((c) => markerItem(c, STATUS_DONE, doneTime, doneTime, deps.dedupeTtlSeconds)),
    byEventId,
    attempts,
  );
  for (const c of written) {
    // The row exists; the retry of this record takes over its own PENDING claim and finishes.
    if (doneFailed.has(c.event.eventId))
      fail(c.index, c.position.sequenceNumber, "mark done failed");
  }

  const ordered = [...failures.entries()].sort(([a], [b]) => a - b);
  return {
    response: {
      batchItemFailures: ordered.map(([, f]) => ({ itemIdentifier: f.sequenceNumber })),
    },
    stats: {
      records: records.length,
      poison: plan.poison.length,
      inBatchDuplicates: plan.inBatchDuplicates,
      crossBatchDuplicates,
      written: written.length,
      failed: failures.size,
    },
  };
}
