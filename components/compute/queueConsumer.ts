import * as pulumi from "@pulumi/pulumi";
import {
  LAMBDA_TIMEOUT_SECONDS,
  SQS_BATCH_SIZE,
  SQS_FIFO_MAX_BATCH_SIZE,
  SQS_MAX_BATCHING_WINDOW_SECONDS,
  SQS_MAX_BATCH_SIZE,
  SQS_MAX_CONCURRENCY_RANGE,
  VISIBILITY_TIMEOUT_FACTOR,
} from "../core/defaults";
import type { DashboardRow } from "../observability/flowDashboard";
import { Statement, allow } from "../security/iam";
import type { BundledFunctionArgs } from "./lambdaFunction";
import {
  ConsumerPlan,
  ConsumerTransform,
  EventSourceConsumer,
  withKeyDecrypt,
} from "./eventSource";
import { ArgumentErrors } from "../core/validate";

/** The queue a consumer polls: a `SecureQueue` plus what it cannot tell about itself. */
export interface ConsumedQueue {
  arn: pulumi.Input<string>;
  /** The queue's visibility timeout, checked against the function timeout. */
  visibilityTimeoutSeconds: number;
  /**
   * FIFO queue: smaller batches, no batching window, records stop at the first failure.
   * @default false
   */
  fifo?: boolean;
  /**
   * Customer-managed key of the queue; the function is granted `kms:Decrypt` on it.
   * @default none (SSE-SQS)
   */
  kmsKeyArn?: pulumi.Input<string>;
}

/** How the event source mapping feeds the function. */
export interface BatchSettings {
  /**
   * Records per invocation (1-10 for FIFO, 1-10000 otherwise).
   * @default 10 (`SQS_BATCH_SIZE`)
   */
  batchSize?: number;
  /**
   * Seconds Lambda waits to fill a batch (0-300; required >= 1 when `batchSize` > 10; not for
   * FIFO).
   * @default 0 (invoke as soon as records arrive)
   */
  maximumBatchingWindowInSeconds?: number;
  /**
   * Concurrent invocations this source may drive (2-1000).
   * @default no limit beyond the function's
   */
  maximumConcurrency?: number;
}

/** The function half of a consumer: a bundled function and its batch settings. */
export interface ConsumerFunctionArgs
  extends Omit<BundledFunctionArgs, "transform">, BatchSettings {
  /**
   * Override hooks: the function's children and the event source mapping.
   * @default none
   */
  transform?: ConsumerTransform;
}

export interface QueueConsumerArgs extends ConsumerFunctionArgs {
  /** The queue to consume. Required. */
  queue: ConsumedQueue;
}

/**
 * Records every problem with a consumer's settings against its queue (`field` prefixes the names,
 * e.g. `subscribers.audit.consumer`). Shared by `QueueConsumer` and the components embedding one,
 * so they can reject bad arguments before creating anything.
 */
export function checkConsumer(
  errors: ArgumentErrors,
  field: string,
  consumer: BatchSettings & { timeout?: number },
  queue: { visibilityTimeoutSeconds: number; fifo?: boolean },
): ArgumentErrors {
  const timeout = consumer.timeout ?? LAMBDA_TIMEOUT_SECONDS;
  const batchSize = consumer.batchSize ?? SQS_BATCH_SIZE;
  const window = consumer.maximumBatchingWindowInSeconds;
  const maxBatch = queue.fifo ? SQS_FIFO_MAX_BATCH_SIZE : SQS_MAX_BATCH_SIZE;
  const [minConc, maxConc] = SQS_MAX_CONCURRENCY_RANGE;
  const f = (name: string) => (field ? `${field}.${name}` : name);
  return errors
    .check(
      queue.visibilityTimeoutSeconds >= VISIBILITY_TIMEOUT_FACTOR * timeout,
      f("timeout"),
      `the queue's visibility timeout of ${queue.visibilityTimeoutSeconds} s is less than ${VISIBILITY_TIMEOUT_FACTOR}x the function timeout of ${timeout} s, so a message could reach a second consumer while the first still works on it`,
      `set the visibility timeout to at least ${VISIBILITY_TIMEOUT_FACTOR * timeout} s or shorten the timeout`,
    )
    .check(
      Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= maxBatch,
      f("batchSize"),
      `${batchSize} is outside 1-${maxBatch}${queue.fifo ? " (FIFO queue)" : ""}`,
      `use an integer from 1 to ${maxBatch}`,
    )
    .check(
      window === undefined || (window >= 0 && window <= SQS_MAX_BATCHING_WINDOW_SECONDS),
      f("maximumBatchingWindowInSeconds"),
      `${window} is outside 0-${SQS_MAX_BATCHING_WINDOW_SECONDS} s`,
      `use 0 to ${SQS_MAX_BATCHING_WINDOW_SECONDS}`,
    )
    .check(
      !queue.fifo || !window,
      f("maximumBatchingWindowInSeconds"),
      "FIFO queues do not support a batching window",
      "drop maximumBatchingWindowInSeconds",
    )
    .check(
      queue.fifo || batchSize <= 10 || (window ?? 0) >= 1,
      f("maximumBatchingWindowInSeconds"),
      `a batch size of ${batchSize} (> 10) needs a batching window of at least 1 s`,
      "set maximumBatchingWindowInSeconds to 1 or more, or use batchSize <= 10",
    )
    .check(
      consumer.maximumConcurrency === undefined ||
        (Number.isInteger(consumer.maximumConcurrency) &&
          consumer.maximumConcurrency >= minConc &&
          consumer.maximumConcurrency <= maxConc),
      f("maximumConcurrency"),
      `${consumer.maximumConcurrency} is outside ${minConc}-${maxConc}`,
      `use an integer from ${minConc} to ${maxConc}`,
    );
}

/**
 * Role statements to consume `queue`: what Lambda's event source mapping polls with
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-permissions:
 * ReceiveMessage, DeleteMessage, GetQueueAttributes), plus ChangeMessageVisibility only for a
 * consumer whose own code calls it (`changeVisibility`, e.g. functions/lib/container/queueWorker).
 * `polledBy: "code"` (a container's own ReceiveMessage loop) drops GetQueueAttributes.
 */
export function queueConsumeStatements(
  queue: Omit<ConsumedQueue, "visibilityTimeoutSeconds">,
  opts: { changeVisibility?: boolean; polledBy?: "event-source-mapping" | "code" } = {},
) {
  const byMapping = (opts.polledBy ?? "event-source-mapping") === "event-source-mapping";
  const statements: Statement[] = [
    allow(
      [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        ...(opts.changeVisibility ? ["sqs:ChangeMessageVisibility"] : []),
        // The mapping reads the queue's attributes; code that polls itself need not.
        ...(byMapping ? ["sqs:GetQueueAttributes"] : []),
      ],
      [queue.arn],
    ),
  ];
  return withKeyDecrypt(statements, queue.kmsKeyArn);
}

/**
 * A bundled Lambda function consuming an SQS queue: an event source mapping that reports batch
 * item failures (only failed records return to the queue and, after maxReceiveCount, reach its
 * DLQ), with batch size, batching window and maximum concurrency, and a role that may receive,
 * delete and decrypt exactly that queue's messages.
 */
export class QueueConsumer extends EventSourceConsumer {
  constructor(name: string, args: QueueConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:compute:QueueConsumer", name, () => planQueueConsumer(name, args), opts);
    this.registerOutputs({ functionArn: this.function.arn });
  }

  /** Dashboard row of the consuming function (the queue's own row shows what waits for it). */
  override widgets(title = `Consumer ${this.logicalName}`): DashboardRow[] {
    return super.widgets(title);
  }
}

/** Checks a QueueConsumer's args (throwing one error listing each problem) and plans its parts. */
function planQueueConsumer(name: string, args: QueueConsumerArgs): ConsumerPlan {
  checkConsumer(new ArgumentErrors("QueueConsumer", name), "", args, args.queue).throwIfAny();
  const { queue, batchSize, maximumBatchingWindowInSeconds, maximumConcurrency, ...fnArgs } = args;
  return {
    fnArgs,
    sourceStatements: queueConsumeStatements(queue),
    mapping: {
      eventSourceArn: queue.arn,
      batchSize: batchSize ?? SQS_BATCH_SIZE,
      maximumBatchingWindowInSeconds: maximumBatchingWindowInSeconds || undefined,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: maximumConcurrency ? { maximumConcurrency } : undefined,
    },
  };
}
