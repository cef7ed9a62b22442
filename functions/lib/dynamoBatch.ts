/**
 * Batched DynamoDB writes shared by the stream handlers: BatchWriteItem in chunks of 25 with the
 * unprocessed items retried under backoff, and a bounded-concurrency map for per-item requests.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
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

/**
 * Puts `items` with BatchWriteItem, retrying what DynamoDB hands back unprocessed (throttling) with
 * exponential backoff, up to `attempts` requests per chunk. Returns `keyOf` of every item that was
 * not written (unprocessed after the last attempt, or in a request that failed outright).
 */
export async function batchPut(
  ddb: Pick<DynamoDBDocumentClient, "send">,
  table: string,
  items: Record<string, unknown>[],
  keyOf: (item: Record<string, unknown>) => string,
  attempts = 5,
): Promise<Set<string>> {
  const failed = new Set<string>();
  for (const chunk of chunks(items, BATCH_WRITE_LIMIT)) {
    let pending: PutRequestItem[] = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > attempts) {
        for (const p of pending) failed.add(keyOf(p.PutRequest.Item));
        break;
      }
      if (attempt > 1) await sleep(Math.min(1000, 25 * 2 ** (attempt - 2)));
      try {
        const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as PutRequestItem[];
      } catch (e) {
        // Denied: no retry or caller can fix that; fail loudly rather than count rows.
        rethrowIfAuthorization(e);
        // The request failed after the SDK's own retries: none of it was written.
        for (const p of pending) failed.add(keyOf(p.PutRequest.Item));
        pending = [];
      }
    }
  }
  return failed;
}
