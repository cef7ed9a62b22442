import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { isAuthorizationError } from "./awsErrors";

/** Outcome of one record: what failed, so the batch response names exactly those. */
export interface RecordFailure {
  messageId: string;
  error: string;
  /** AWS refused the role (IAM, resource or key policy): log it as an error. */
  authorization?: boolean;
}

/**
 * Processes an SQS batch record by record and returns the partial batch response Lambda expects
 * with `ReportBatchItemFailures`: only failed records return to the queue (and reach the DLQ after
 * maxReceiveCount); the others are deleted. A failure never hides the rest of the batch.
 * FIFO queues must stop at the first failure to keep order: pass `{ fifo: true }`.
 * A denied record (a missing grant, a refusing key) is reported like any failure, so it is retried
 * and dead-lettered rather than taking the batch's good records with it, and is flagged
 * `authorization` for the handler to log as an error.
 */
export async function processSqsBatch(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
  options: { fifo?: boolean; onFailure?: (failure: RecordFailure) => void } = {},
): Promise<SQSBatchResponse> {
  const failures: RecordFailure[] = [];
  const records = event.Records ?? [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    try {
      await handle(record);
    } catch (e) {
      const failure = {
        messageId: record.messageId,
        error: (e as Error).message ?? String(e),
        authorization: isAuthorizationError(e),
      };
      failures.push(failure);
      options.onFailure?.(failure);
      if (options.fifo) {
        // Later messages of the group must not overtake the failed one.
        for (const rest of records.slice(i + 1))
          failures.push({
            messageId: rest.messageId,
            error: "skipped after earlier failure (FIFO)",
          });
        break;
      }
    }
  }
  return { batchItemFailures: failures.map((f) => ({ itemIdentifier: f.messageId })) };
}
