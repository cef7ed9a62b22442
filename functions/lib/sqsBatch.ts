import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { isAuthorizationError } from "./awsErrors";

/** Outcome of one record: what failed, so the batch response names exactly those. */
export interface RecordFailure {
  messageId: string;
  error: string;
  /** AWS refused the role (IAM, resource or key policy): log it as an error. */
  authorization?: boolean;
}

/** What a FIFO batch reports for the records after its first failure. */
const FIFO_SKIPPED = "skipped after earlier failure (FIFO)";

/**
 * Processes an SQS batch record by record with Powertools' batch processor and returns the
 * partial batch response Lambda expects with `ReportBatchItemFailures`: only failed records return
 * to the queue (and reach the DLQ after maxReceiveCount); the others are deleted. A failure never
 * hides the rest of the batch.
 * FIFO queues must stop at the first failure to keep order: pass `{ fifo: true }`, and the failed
 * record and every later one are reported.
 * A denied record (a missing grant, a refusing key) is reported like any failure, so it is retried
 * and dead-lettered rather than taking the batch's good records with it, and is flagged
 * `authorization` for the handler to log as an error.
 *
 * Options chosen against Powertools' defaults, so the behaviour stays what it was:
 * - `processInParallel: false`: one record at a time, as before; the S3 readers stream whole
 *   objects (up to 256 MiB), and ten at once would multiply memory and socket use.
 * - `throwOnFullBatchFailure: false`: a batch whose every record failed is answered with every
 *   record in `batchItemFailures` (Lambda retries exactly those, the same as a thrown error would)
 *   instead of an invocation error, so the function's Errors alarm stays for the function's own
 *   faults (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 * FIFO is the same sequential processor whose record handler refuses every record after a
 * failure: what Powertools' SqsFifoPartialProcessorAsync does without `skipGroupOnError`, without
 * its 2.5 KiB, which no deployed function (none reads a FIFO queue) should pay: checksum-summary
 * would be over the 350 KiB budget.
 */
export async function processSqsBatch(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
  options: { fifo?: boolean; onFailure?: (failure: RecordFailure) => void; context?: Context } = {},
): Promise<SQSBatchResponse> {
  let failed = false;
  const recordHandler = async (record: SQSRecord) => {
    // Later messages of the group must not overtake the failed one.
    if (failed && options.fifo) throw new Error(FIFO_SKIPPED);
    try {
      await handle(record);
    } catch (e) {
      failed = true;
      options.onFailure?.({
        messageId: record.messageId,
        error: (e as Error)?.message ?? String(e),
        authorization: isAuthorizationError(e),
      });
      throw e;
    }
  };
  const response = await processPartialResponse(
    { Records: event.Records ?? [] },
    recordHandler,
    new BatchProcessor(EventType.SQS),
    { processInParallel: false, throwOnFullBatchFailure: false, context: options.context },
  );
  return { batchItemFailures: response.batchItemFailures };
}
