import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { S3ObjectEvent, parseS3Body } from "./s3Events";
import { RecordFailure, processSqsBatch } from "./sqsBatch";

/** Counts of one batch, for the log line each invocation writes. */
export interface S3BatchStats {
  messages: number;
  objects: number;
  testEvents: number;
  failed: number;
}

/**
 * Runs `handle` for every object event carried by an SQS batch of S3 notifications (raw or
 * SNS-enveloped), skipping `s3:TestEvent`s. A message whose body is malformed, or any of whose
 * events fails, is reported as a batch item failure: it returns to the queue and reaches the DLQ
 * after maxReceiveCount instead of being dropped. `handle` must be idempotent, since a message
 * that partly succeeded is retried whole. The loop is Powertools' (`processSqsBatch`); this layer
 * only unpacks the S3 notifications a message carries and counts them.
 */
export async function processS3EventBatch(
  event: SQSEvent,
  handle: (object: S3ObjectEvent, record: SQSRecord) => Promise<void>,
  options: { fifo?: boolean; onFailure?: (failure: RecordFailure) => void; context?: Context } = {},
): Promise<SQSBatchResponse & { stats: S3BatchStats }> {
  const stats: S3BatchStats = { messages: 0, objects: 0, testEvents: 0, failed: 0 };
  const response = await processSqsBatch(
    event,
    async (record) => {
      stats.messages++;
      const parsed = parseS3Body(record.body);
      if (parsed.kind === "test") {
        stats.testEvents++;
        return;
      }
      for (const object of parsed.records) {
        await handle(object, record);
        stats.objects++;
      }
    },
    options,
  );
  stats.failed = response.batchItemFailures.length;
  return { ...response, stats };
}
