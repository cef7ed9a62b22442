/**
 * Batched DynamoDB writes shared by the stream handlers: BatchWriteItem in chunks of 25 with the
 * unprocessed items retried under backoff, and a bounded-concurrency map for per-item requests.
 */
import { marshall } from "@aws-sdk/util-dynamodb";
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { rethrowIfAuthorization } from "./awsErrors";

/** BatchWriteItem's limit. */
export const BATCH_WRITE_LIMIT = 25;

/** Splits `items` into chunks of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls pending; results keep the input order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type PutRequestItem = { PutRequest: { Item: Record<string, unknown> } };
type Item = Record<string, unknown>;

/** Why one item was not written, and whether trying again later can help. */
export interface WriteFailure {
  reason: string;
  retryable: boolean;
}

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TransactionConflictException",
]);

/**
 * Whether a failed DynamoDB request may succeed later: throttling, server faults and transport errors
 * (no HTTP response) can; a 4xx such as ValidationException (item over 400 KB, number out of range)
 * or AccessDeniedException will fail the same way every time.
 */
export function isRetryable(e: unknown): boolean {
  const err = e as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (THROTTLING.has(err.name ?? "")) return true;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || err.$fault === "server";
  return err.$fault !== "client";
}

const failureOf = (e: unknown): WriteFailure => ({
  reason: `${(e as Error).name ?? "Error"}: ${(e as Error).message}`,
  retryable: isRetryable(e),
});

/** Chunks written at once: BatchWriteItem calls are independent, so they overlap like claims do. */
const CHUNK_CONCURRENCY = 4;

/**
 * Puts `items` with BatchWriteItem, 25 per request, retrying what DynamoDB hands back unprocessed
 * (throttling) with exponential backoff, up to `attempts` requests per chunk. A request that fails
 * outright (one item over 400 KB or with an unstorable number fails its whole request) is retried
 * item by item with PutItem, so one bad item costs only itself. Returns, by `keyOf`, every item that
 * was not written with the reason. The common path costs ceil(items / 25) requests.
 */
export async function batchPut(
  ddb: Pick<DynamoDBDocumentClient, "send">,
  table: string,
  items: Item[],
  keyOf: (item: Item) => string,
  attempts = 5,
): Promise<Map<string, WriteFailure>> {
  const failed = new Map<string, WriteFailure>();
  await mapLimit(chunks(items, BATCH_WRITE_LIMIT), CHUNK_CONCURRENCY, async (chunk) => {
    let pending: PutRequestItem[] = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > attempts) {
        const reason = `still unprocessed (throttled) after ${attempts} BatchWriteItem attempts`;
        for (const p of pending) failed.set(keyOf(p.PutRequest.Item), { reason, retryable: true });
        break;
      }
      if (attempt > 1) await sleep(Math.min(1000, 25 * 2 ** (attempt - 2)));
      try {
        const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as PutRequestItem[];
      } catch (e) {
        // Denied: no retry or caller can fix that; fail loudly rather than count rows.
        rethrowIfAuthorization(e);
        // The whole request failed (after the SDK's own retries): find out which items cannot be
        // written by writing each on its own.
        await mapLimit(pending, CHUNK_CONCURRENCY * 4, async ({ PutRequest: { Item } }) => {
          const failure = await putOne(ddb, table, Item);
          if (failure) failed.set(keyOf(Item), failure);
        });
        pending = [];
      }
    }
  });
  return failed;
}

/** One PutItem; the failure (with its reason) instead of a throw. */
async function putOne(
  ddb: Pick<DynamoDBDocumentClient, "send">,
  table: string,
  item: Item,
): Promise<WriteFailure | undefined> {
  try {
    // An item the SDK cannot even marshal (a number beyond 2^53 given as a JS number) fails
    // before any request: that will never work, whatever the retries.
    marshall(item, { removeUndefinedValues: true });
  } catch (e) {
    return { reason: `unstorable item: ${(e as Error).message}`, retryable: false };
  }
  try {
    await ddb.send(new PutCommand({ TableName: table, Item: item }));
    return undefined;
  } catch (e) {
    rethrowIfAuthorization(e);
    return failureOf(e);
  }
}
