import { MalformedEventError, parseS3Notification } from "../lib/s3Events";

/** One SQS message to send: a single-record S3 notification, as S3 itself would write it. */
export interface QueueMessage {
  Id: string;
  MessageBody: string;
}

/** SendMessageBatch takes at most 10 entries. */
export const SQS_BATCH_LIMIT = 10;

/**
 * Pure: splits an S3 notification (as S3 invokes Lambda) into one message per object event, each
 * a valid S3 notification body for the processor. `s3:TestEvent` yields nothing; anything that is
 * not an S3 notification throws, so the invocation fails and reaches the on-failure destination.
 */
export function toQueueMessages(event: unknown): QueueMessage[] {
  const parsed = parseS3Notification(event);
  if (parsed.kind === "test") return [];
  const raw = (event as { Records: unknown[] }).Records;
  if (raw.length === 0) throw new MalformedEventError("notification holds no record");
  return raw.map((record, i) => ({
    Id: `r${i}`,
    MessageBody: JSON.stringify({ Records: [record] }),
  }));
}

/** Splits entries into SendMessageBatch-sized groups, keeping order. */
export function chunk<T>(items: T[], size = SQS_BATCH_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
