/**
 * Invoked by S3 for each object event: hands every event to the work queue, where the processor
 * picks it up with retries and a DLQ. Kept minimal so the asynchronous invocation rarely fails;
 * when it does, Lambda retries it and then sends it to the on-failure destination.
 */
import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { createLogger } from "../lib/logger";
import { lazy } from "../lib/runtime";
import { readObjectIngestEnv } from "./env";
import { QueueMessage, chunk, toQueueMessages } from "./forward";

export interface IngestDeps {
  sqs: Pick<SQSClient, "send">;
  queueUrl: string;
  logger: Logger;
}

/** Sends one batch, retrying the entries SQS rejected once; throws if some still fail. */
async function sendBatch(deps: IngestDeps, entries: QueueMessage[]): Promise<void> {
  let pending = entries;
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
    const out = await deps.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: pending }),
    );
    const failed = new Set((out.Failed ?? []).map((f) => f.Id));
    pending = pending.filter((e) => failed.has(e.Id));
    if (pending.length > 0) deps.logger.warn("entries rejected", { failed: out.Failed });
  }
  if (pending.length > 0) {
    throw new Error(`SQS rejected ${pending.length} message(s) twice: ${pending.map((p) => p.Id)}`);
  }
}

export function makeHandler(deps: () => IngestDeps) {
  return async (event: unknown, context?: Context): Promise<{ forwarded: number }> => {
    const d = deps();
    // Request id, function name and cold start on every line of this invocation.
    if (context) d.logger.addContext(context);
    const messages = toQueueMessages(event);
    for (const batch of chunk(messages)) await sendBatch(d, batch);
    d.logger.info("forwarded", { count: messages.length });
    return { forwarded: messages.length };
  };
}

export const handler = makeHandler(
  lazy(() => ({
    sqs: new SQSClient({}),
    queueUrl: readObjectIngestEnv().queueUrl,
    logger: createLogger("object-ingest"),
  })),
);
