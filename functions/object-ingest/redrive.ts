/**
 * Redrive of the s3-events-lambda flow, for operators after its DLQ alarms (README, "Redrive").
 * Two queues hold what failed, and each needs its own way back:
 *  - the work queue's DLQ holds work messages (S3 notifications) the processor gave up on: SQS
 *    moves them back to the work queue itself (StartMessageMoveTask, destination omitted = the
 *    queue they came from: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html);
 *  - the ingest failures queue holds Lambda's asynchronous-invocation records (the S3 event inside
 *    `requestPayload`: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html):
 *    the S3 event is unwrapped and queued as the ingest function would have queued it, and the
 *    record is deleted only once its messages are on the work queue.
 * Usage: `npx tsx functions/object-ingest/redrive.ts --failures-url <url> --work-url <url> --work-dlq-arn <arn>`
 * (the stack outputs ingestFailuresQueueUrl, workQueueUrl and dlqArn). Needs sqs:ReceiveMessage,
 * sqs:DeleteMessage on the failures queue, sqs:SendMessage on the work queue and the
 * StartMessageMoveTask permissions on the DLQ.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { chunk, toQueueMessages } from "./forward";

export interface RedriveDeps {
  sqs: Pick<SQSClient, "send">;
  /** The ingest function's on-failure destination. */
  failuresUrl: string;
  workUrl: string;
  log?: (message: string, detail?: object) => void;
}

/** The S3 event inside a Lambda async-invocation record; throws on anything else. */
export function unwrapInvocationRecord(body: string): unknown {
  const record = JSON.parse(body) as { requestContext?: unknown; requestPayload?: unknown };
  if (typeof record !== "object" || record === null || !record.requestContext) {
    throw new Error("not a Lambda invocation record (no requestContext)");
  }
  return record.requestPayload;
}

/**
 * Moves every message of the failures queue back as work: returns how many records were redriven
 * and how many stay (unreadable, or SQS refused their work messages) for a later run or a look.
 */
export async function redriveIngestFailures(
  deps: RedriveDeps,
): Promise<{ redriven: number; kept: number }> {
  let redriven = 0;
  let kept = 0;
  const seen = new Set<string>();
  for (;;) {
    const out = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deps.failuresUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 120,
      }),
    );
    const messages = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
    if (messages.length === 0) break;
    const done: { Id: string; ReceiptHandle: string }[] = [];
    for (const m of messages) {
      seen.add(m.MessageId!);
      try {
        const work = toQueueMessages(unwrapInvocationRecord(m.Body ?? ""));
        for (const entries of chunk(work)) {
          const sent = await deps.sqs.send(
            new SendMessageBatchCommand({ QueueUrl: deps.workUrl, Entries: entries }),
          );
          if ((sent.Failed ?? []).length > 0) throw new Error(JSON.stringify(sent.Failed));
        }
        done.push({ Id: String(done.length), ReceiptHandle: m.ReceiptHandle! });
        redriven++;
      } catch (e) {
        // Left in the queue: visible again after the visibility timeout, never lost.
        kept++;
        deps.log?.("kept", { messageId: m.MessageId, error: (e as Error).message });
      }
    }
    if (done.length > 0) {
      await deps.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: deps.failuresUrl, Entries: done }),
      );
    }
  }
  return { redriven, kept };
}

/** Starts SQS's own redrive of the work DLQ back to the work queue; returns the task handle. */
export async function redriveWorkDlq(
  sqs: Pick<SQSClient, "send">,
  dlqArn: string,
): Promise<string | undefined> {
  const out = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  return out.TaskHandle;
}

function arg(argv: string[], flag: string): string {
  const i = argv.indexOf(flag);
  if (i < 0 || !argv[i + 1]) throw new Error(`missing ${flag} <value>`);
  return argv[i + 1];
}

async function main(argv: string[]) {
  const sqs = new SQSClient({});
  const task = await redriveWorkDlq(sqs, arg(argv, "--work-dlq-arn"));
  console.log(`work DLQ: message move task ${task} started`);
  const result = await redriveIngestFailures({
    sqs,
    failuresUrl: arg(argv, "--failures-url"),
    workUrl: arg(argv, "--work-url"),
    log: (m, d) => console.warn(m, d),
  });
  console.log(`ingest failures: ${result.redriven} redriven, ${result.kept} kept`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
