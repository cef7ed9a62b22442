/**
 * The stream processor's AWS I/O: de-duplicate across batches with conditional writes on the event
 * id into the dedupe table, write processed rows to the data table, and report exactly the records
 * that failed. The DynamoDB client is injected, so tests and the benchmark run this same code.
 *
 * Protocol per event (one conditional write, plus one BatchWriteItem per 25 new events):
 *  1. claim: conditional PutItem of a marker (this delivery and its lease) on the event id. It fails
 *     while another delivery of the event holds an unexpired lease: a duplicate in flight, skipped.
 *     It succeeds for a new event, for this same record (a retry) and once a lease has run out.
 *  2. check: a claim that replaced a marker (ReturnValues ALL_OLD) may concern an event whose row
 *     already exists; one consistent BatchGetItem per 100 such claims finds out, and those events
 *     are duplicates. The row is the "done" state: no third write per event.
 *  3. row: BatchWriteItem of the rows of the new events (25 per request; an item DynamoDB refuses is
 *     retried alone and only it is reported).
 * A crash between 1 and 3 leaves a claim without a row: the retry of the same record (same shard
 * and sequence number) takes it over at once, any other delivery after the lease, and the check
 * sees no row: nothing is lost, and the row is keyed by event id, so never more than one per event.
 * On the common path (new events) a batch of N unique events costs N + ceil(N / 25) requests.
 */
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import { rethrowIfAuthorization } from "../lib/awsErrors";
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import { batchPut, chunks, mapLimit } from "../lib/dynamoBatch";
import { type Candidate, claimToken, dataItem, markerItem, planBatch } from "./plan";

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
/** BatchGetItem's limit. */
const BATCH_GET_LIMIT = 100;

type Claim = { candidate: Candidate; replaced: boolean };

/** Step 1: the conditional claim of one candidate; `replaced` when a marker existed before. */
async function claim(
  c: Candidate,
  claimStart: number,
  deadlineMs: number,
  deps: ProcessorDeps,
): Promise<Claim> {
  const now = deps.now ?? Date.now;
  const out = await deps.ddb.send(
    new PutCommand({
      TableName: deps.dedupeTable,
      Item: markerItem(c, claimStart, deadlineMs, deps.dedupeTtlSeconds),
      ConditionExpression:
        "attribute_not_exists(eventId) OR #leaseUntil < :now OR #claimedBy = :me",
      ExpressionAttributeNames: { "#leaseUntil": "leaseUntil", "#claimedBy": "claimedBy" },
      ExpressionAttributeValues: { ":now": now(), ":me": claimToken(c.position) },
      ReturnValues: "ALL_OLD",
    }),
  );
  return { candidate: c, replaced: out.Attributes !== undefined };
}

/** Step 2: the event ids among `ids` whose row already exists (consistent reads). */
async function existingRows(ids: string[], deps: ProcessorDeps): Promise<Set<string>> {
  const found = new Set<string>();
  await mapLimit(chunks(ids, BATCH_GET_LIMIT), 4, async (chunk) => {
    let keys: Record<string, unknown>[] = chunk.map((eventId) => ({ eventId }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      if (attempt >= 6) throw new Error("rows stayed unreadable (BatchGetItem unprocessed keys)");
      const out = await deps.ddb.send(
        new BatchGetCommand({
          RequestItems: {
            [deps.dataTable]: { Keys: keys, ConsistentRead: true, ProjectionExpression: "eventId" },
          },
        }),
      );
      for (const row of out.Responses?.[deps.dataTable] ?? []) found.add(String(row.eventId));
      keys = (out.UnprocessedKeys?.[deps.dataTable]?.Keys ?? []) as Record<string, unknown>[];
    }
  });
  return found;
}

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
  const fail = (c: { index: number; position: { sequenceNumber: string } }, reason: string) => {
    failures.set(c.index, { sequenceNumber: c.position.sequenceNumber, reason });
    deps.onFailure?.(c.position.sequenceNumber, reason);
  };
  for (const p of plan.poison) fail(p, `poison: ${p.error}`);

  // 1. Claim every candidate with a conditional write on its event id.
  const claimStart = now();
  const claims: Claim[] = [];
  let crossBatchDuplicates = 0;
  await mapLimit(plan.candidates, deps.concurrency ?? 16, async (c) => {
    try {
      claims.push(await claim(c, claimStart, deadlineMs, deps));
    } catch (e) {
      // Denied: the whole invocation fails (Errors alarm), not one record as a warning.
      rethrowIfAuthorization(e);
      if ((e as { name?: string }).name === CONDITIONAL_CHECK_FAILED) crossBatchDuplicates++;
      else fail(c, `claim failed: ${(e as Error).name}: ${(e as Error).message}`);
    }
  });

  // 2. Claims that replaced a marker: is the row already there?
  const replaced = claims.filter((c) => c.replaced);
  let done = new Set<string>();
  try {
    done = await existingRows(
      replaced.map((c) => c.candidate.event.eventId),
      deps,
    );
  } catch (e) {
    for (const c of replaced) fail(c.candidate, `row check failed: ${(e as Error).message}`);
  }
  const toWrite: Candidate[] = [];
  for (const { candidate } of claims) {
    if (done.has(candidate.event.eventId)) crossBatchDuplicates++;
    else if (!failures.has(candidate.index)) toWrite.push(candidate);
  }

  // 3. Write the rows of the new events.
  const writeTime = now();
  const rowFailed = await batchPut(
    deps.ddb,
    deps.dataTable,
    toWrite.map((c) => dataItem(c, writeTime)),
    (item) => String(item.eventId),
    deps.batchWriteAttempts,
  );
  const written = toWrite.filter((c) => !rowFailed.has(c.event.eventId));
  const notWritten = toWrite.filter((c) => rowFailed.has(c.event.eventId));
  await mapLimit(notWritten, deps.concurrency ?? 16, async (c) => {
    const f = rowFailed.get(c.event.eventId)!;
    fail(c, `row not written (${f.retryable ? "retryable" : "permanent"}): ${f.reason}`);
    // Free the claim so another delivery need not wait for the lease; best effort.
    await deps.ddb
      .send(
        new DeleteCommand({
          TableName: deps.dedupeTable,
          Key: { eventId: c.event.eventId },
          ConditionExpression: "#claimedBy = :me",
          ExpressionAttributeNames: { "#claimedBy": "claimedBy" },
          ExpressionAttributeValues: { ":me": claimToken(c.position) },
        }),
      )
      .catch(rethrowIfAuthorization);
  });

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
