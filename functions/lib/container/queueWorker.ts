/**
 * A long-poll SQS worker for a container: receive, process, and delete each message only after it
 * was processed. A failed message is not deleted: it becomes visible again after a backoff and is
 * retried, and SQS moves it to the DLQ after the queue's maxReceiveCount. Processing must be
 * idempotent, since SQS delivers at least once. `stop()` (on SIGTERM) stops polling, lets
 * in-flight messages finish, and hands back the ones not started yet for redelivery.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { ServerLogger } from "./httpServer";
import { describeAwsError, isAuthorizationError } from "../awsErrors";

export interface QueueWorkerOptions {
  sqs: Pick<SQSClient, "send">;
  queueUrl: string;
  /** Processes one message; throwing leaves it on the queue for a retry. */
  handle: (message: Message) => Promise<void>;
  /** Long-poll wait per receive (0-20 s). Default: 20 (fewest empty receives). */
  waitTimeSeconds?: number;
  /** Messages per receive (1-10). Default: 10. */
  maxMessages?: number;
  /** Messages of one batch processed at the same time. Default: 5. */
  concurrency?: number;
  /**
   * Seconds a failed message stays hidden before its retry, from its receive count. Default:
   * 5 s doubling per attempt, at most 300 s.
   */
  retryDelaySeconds?: (receiveCount: number) => number;
  /** Pause (ms) after a failed receive (network, throttling), from the consecutive failures. Default: 1 s doubling, at most 20 s. */
  receiveErrorDelayMs?: (failures: number) => number;
  logger?: ServerLogger;
  /**
   * Called after each batch of one or more messages, with that batch's counts (the business
   * figures are published here: functions/lib/container/figures.ts). Must not throw.
   * @default none
   */
  onBatch?: (batch: WorkerStats) => void;
}

export interface WorkerStats {
  received: number;
  succeeded: number;
  failed: number;
  /** Received but not started before `stop()`: released for redelivery. */
  released: number;
}

export const defaultRetryDelaySeconds = (receiveCount: number): number =>
  Math.min(300, 5 * 2 ** Math.max(0, receiveCount - 1));
const defaultReceiveErrorDelayMs = (failures: number): number =>
  Math.min(20_000, 1_000 * 2 ** Math.max(0, failures - 1));

export class QueueWorker {
  readonly stats: WorkerStats = { received: 0, succeeded: 0, failed: 0, released: 0 };
  private stopping = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private readonly stopSignal: Promise<void>;
  private signalStop!: () => void;

  constructor(private readonly options: QueueWorkerOptions) {
    this.stopSignal = new Promise((resolve) => (this.signalStop = resolve));
  }

  /** True while the worker polls (false once stopped). */
  get running(): boolean {
    return this.loop !== undefined && !this.stopping;
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Stops polling, waits for in-flight messages, releases the rest; resolves with the stats. */
  async stop(): Promise<WorkerStats> {
    this.stopping = true;
    this.signalStop();
    this.wakeUp?.();
    await this.loop;
    return this.stats;
  }

  private async run(): Promise<void> {
    const o = this.options;
    let failures = 0;
    while (!this.stopping) {
      let messages: Message[];
      try {
        // Race the long poll against stop(): a SIGTERM must not wait up to 20 s for it. Messages
        // a cancelled receive had taken reappear after the visibility timeout.
        const received = await Promise.race([
          o.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: o.queueUrl,
              MaxNumberOfMessages: o.maxMessages ?? 10,
              WaitTimeSeconds: o.waitTimeSeconds ?? 20,
              MessageSystemAttributeNames: ["ApproximateReceiveCount"],
              MessageAttributeNames: ["All"],
            }),
          ),
          this.stopSignal.then(() => undefined),
        ]);
        if (received === undefined) break;
        messages = received.Messages ?? [];
        failures = 0;
      } catch (e) {
        if (isAuthorizationError(e)) {
          // Denied (queue policy, grant, key): no backoff fixes it. Stop, so the health check
          // fails and ECS replaces the task where it is seen, rather than polling in vain.
          o.logger?.error("receive denied; the worker stops", { ...describeAwsError(e) });
          this.stopping = true;
          break;
        }
        failures++;
        o.logger?.warn("receive failed", { error: (e as Error).message, failures });
        await this.pause((o.receiveErrorDelayMs ?? defaultReceiveErrorDelayMs)(failures));
        continue;
      }
      if (messages.length === 0) continue;
      const before = { ...this.stats };
      this.stats.received += messages.length;
      await this.processBatch(messages);
      o.onBatch?.({
        received: messages.length,
        succeeded: this.stats.succeeded - before.succeeded,
        failed: this.stats.failed - before.failed,
        released: this.stats.released - before.released,
      });
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async processBatch(messages: Message[]): Promise<void> {
    const queue = [...messages];
    const lane = async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        if (this.stopping) {
          await this.release(m);
          continue;
        }
        await this.processOne(m);
      }
    };
    const lanes = Math.max(1, Math.min(this.options.concurrency ?? 5, messages.length));
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  private async processOne(m: Message): Promise<void> {
    const o = this.options;
    try {
      await o.handle(m);
    } catch (e) {
      this.stats.failed++;
      const receiveCount = Number(m.Attributes?.ApproximateReceiveCount ?? "1");
      // Retried, then dead-lettered; a denial is an error in the logs, not a warning.
      const log = isAuthorizationError(e) ? o.logger?.error : o.logger?.warn;
      log?.call(o.logger, "message failed; it will be retried", {
        messageId: m.MessageId,
        receiveCount,
        error: (e as Error).message,
        authorization: isAuthorizationError(e),
      });
      await this.setVisibility(m, (o.retryDelaySeconds ?? defaultRetryDelaySeconds)(receiveCount));
      return;
    }
    try {
      await o.sqs.send(
        new DeleteMessageCommand({ QueueUrl: o.queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
      this.stats.succeeded++;
    } catch (e) {
      if (isAuthorizationError(e)) {
        // Never deletable: it comes back until the DLQ takes it. An error, not a success.
        this.stats.failed++;
        o.logger?.error("delete denied; the message will be redelivered", {
          messageId: m.MessageId,
          ...describeAwsError(e),
        });
        return;
      }
      // Processed but not deleted: it is redelivered, and idempotent processing absorbs that.
      this.stats.succeeded++;
      o.logger?.warn("delete failed; the message will be redelivered", {
        messageId: m.MessageId,
        error: (e as Error).message,
      });
    }
  }

  private async release(m: Message): Promise<void> {
    this.stats.released++;
    await this.setVisibility(m, 0);
  }

  /** Best effort: if it fails, the message reappears after the queue's visibility timeout anyway. */
  private async setVisibility(m: Message, seconds: number): Promise<void> {
    try {
      await this.options.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.options.queueUrl,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (e) {
      const log = isAuthorizationError(e) ? this.options.logger?.error : this.options.logger?.warn;
      log?.call(this.options.logger, "could not change message visibility", {
        messageId: m.MessageId,
        error: (e as Error).message,
        authorization: isAuthorizationError(e),
      });
    }
  }
}
