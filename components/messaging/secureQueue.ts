import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import {
  DLQ_RETENTION_SECONDS,
  MAX_RECEIVE_COUNT,
  QUEUE_RETENTION_SECONDS,
  QUEUE_VISIBILITY_TIMEOUT_SECONDS,
  SQS_KMS_DATA_KEY_REUSE_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { Statement, denyInsecureTransport, policyDocument } from "../security/iam";
import { transform, Transforms } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

// The queue-policy helpers live with the other IAM helpers; re-exported for importers of this module.
export { allowServiceToSend, fromSource } from "../security/iam";

/** SQS limits (seconds) for message retention and visibility timeout. */
const RETENTION_RANGE = [60, 14 * 24 * 3600] as const;
const MAX_VISIBILITY_TIMEOUT = 12 * 3600;

export interface SecureQueueArgs {
  /**
   * Customer-managed KMS key for SSE-KMS. Services that send to the queue (SNS, S3) must be allowed
   * to use it in its key policy (see `ServiceKey`).
   * @default SSE-SQS (SQS-owned key, no key policy needed; SNS and S3 can publish to it)
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Seconds a received message stays hidden.
   * @default 30 (`QUEUE_VISIBILITY_TIMEOUT_SECONDS`)
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Timeout (seconds) of the function or task consuming the queue. When given, the visibility
   * timeout must be at least `VISIBILITY_TIMEOUT_FACTOR` (6) times it, so a message is not handed
   * to a second consumer while the first one may still be working on it.
   * @default not checked
   */
  consumerTimeoutSeconds?: number;
  /**
   * Receives before a message moves to the DLQ.
   * @default 5 (`MAX_RECEIVE_COUNT`)
   */
  maxReceiveCount?: number;
  /**
   * FIFO queue (and FIFO DLQ, as SQS requires); names end in `.fifo`.
   * @default false
   */
  fifo?: boolean;
  /**
   * FIFO only: deduplicate on a SHA-256 of the body instead of a deduplication id.
   * @default false
   */
  contentBasedDeduplication?: boolean;
  /**
   * Seconds the work queue keeps a message.
   * @default 4 days (`QUEUE_RETENTION_SECONDS`)
   */
  messageRetentionSeconds?: number;
  /**
   * Seconds the DLQ keeps a message; must be >= the work queue's, since a standard queue's message
   * keeps its original enqueue time in the DLQ.
   * @default 14 days (`DLQ_RETENTION_SECONDS`)
   */
  dlqRetentionSeconds?: number;
  /**
   * Resource-policy statements for the work queue (e.g. `allowServiceToSend(...)`). Pass a function
   * to build them from the queue's ARN, which only exists once the queue does. They are merged with
   * the TLS-only deny into the queue's one `QueuePolicy`.
   * @default only the TLS-only deny
   */
  policyStatements?:
    pulumi.Input<Statement>[] | ((queueArn: pulumi.Output<string>) => pulumi.Input<Statement>[]);
  /**
   * Resource-policy statements for the DLQ (e.g. SNS delivering a subscription's failed messages
   * there), built like `policyStatements` from the DLQ's ARN and merged with its TLS-only deny.
   * @default only the TLS-only deny
   */
  dlqPolicyStatements?:
    pulumi.Input<Statement>[] | ((dlqArn: pulumi.Output<string>) => pulumi.Input<Statement>[]);
  /**
   * Topic notified when the DLQ holds a message.
   * @default no alarm
   */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    queue: aws.sqs.QueueArgs;
    dlq: aws.sqs.QueueArgs;
    policy: aws.sqs.QueuePolicyArgs;
    dlqPolicy: aws.sqs.QueuePolicyArgs;
    redriveAllowPolicy: aws.sqs.RedriveAllowPolicyArgs;
    dlqAlarm: aws.cloudwatch.MetricAlarmArgs;
  }>;
}

/**
 * A work queue with its own dead-letter queue: redrive after `maxReceiveCount` receives, a DLQ
 * that only this queue may redrive into, encryption at rest (SSE-KMS or SSE-SQS), one TLS-only
 * resource policy per queue, and an alarm as soon as the DLQ holds a message.
 */
export class SecureQueue extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly dlq: aws.sqs.Queue;
  /** The work queue's one resource policy (caller statements + TLS-only deny). */
  readonly policy: aws.sqs.QueuePolicy;
  readonly dlqPolicy: aws.sqs.QueuePolicy;
  readonly redriveAllowPolicy: aws.sqs.RedriveAllowPolicy;
  /** DLQ-depth alarm; undefined without `alarmTopicArn`. */
  readonly dlqAlarm?: aws.cloudwatch.MetricAlarm;
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** Effective visibility timeout, for consumers checking their own timeout against it. */
  readonly visibilityTimeoutSeconds: number;
  private readonly logicalName: string;

  constructor(name: string, args: SecureQueueArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:messaging:SecureQueue", name, {}, opts);
    const visibility = args.visibilityTimeoutSeconds ?? QUEUE_VISIBILITY_TIMEOUT_SECONDS;
    const maxReceiveCount = args.maxReceiveCount ?? MAX_RECEIVE_COUNT;
    const retention = args.messageRetentionSeconds ?? QUEUE_RETENTION_SECONDS;
    const dlqRetention = args.dlqRetentionSeconds ?? DLQ_RETENTION_SECONDS;
    const consumer = args.consumerTimeoutSeconds;
    const inRetentionRange = (s: number) => s >= RETENTION_RANGE[0] && s <= RETENTION_RANGE[1];
    new ArgumentErrors("SecureQueue", name)
      .check(
        visibility >= 0 && visibility <= MAX_VISIBILITY_TIMEOUT,
        "visibilityTimeoutSeconds",
        `${visibility} is outside 0-${MAX_VISIBILITY_TIMEOUT} s`,
        `use 0 to ${MAX_VISIBILITY_TIMEOUT}`,
      )
      .check(
        consumer === undefined || visibility >= VISIBILITY_TIMEOUT_FACTOR * consumer,
        "visibilityTimeoutSeconds",
        `${visibility} s is less than ${VISIBILITY_TIMEOUT_FACTOR}x the consumer timeout of ${consumer} s`,
        `set it to at least ${VISIBILITY_TIMEOUT_FACTOR * (consumer ?? 0)} or shorten the consumer timeout`,
      )
      .check(
        Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000,
        "maxReceiveCount",
        `${maxReceiveCount} is outside 1-1000`,
        "use an integer from 1 to 1000",
      )
      .check(
        inRetentionRange(retention),
        "messageRetentionSeconds",
        `${retention} is outside ${RETENTION_RANGE.join("-")} s`,
        "use 60 s to 14 days",
      )
      .check(
        inRetentionRange(dlqRetention),
        "dlqRetentionSeconds",
        `${dlqRetention} is outside ${RETENTION_RANGE.join("-")} s`,
        "use 60 s to 14 days",
      )
      .check(
        dlqRetention >= retention,
        "dlqRetentionSeconds",
        `${dlqRetention} s is shorter than the queue's ${retention} s, so redriven messages could expire at once`,
        "make the DLQ retention at least the queue retention",
      )
      .check(
        !args.contentBasedDeduplication || args.fifo === true,
        "contentBasedDeduplication",
        "only FIFO queues deduplicate",
        "set fifo: true or drop contentBasedDeduplication",
      )
      .throwIfAny();
    this.visibilityTimeoutSeconds = visibility;
    this.logicalName = name;

    // Both queues share the encryption choice: a message moved to the DLQ stays encrypted.
    const encryption: Partial<aws.sqs.QueueArgs> = args.kmsKeyArn
      ? {
          kmsMasterKeyId: args.kmsKeyArn,
          kmsDataKeyReusePeriodSeconds: SQS_KMS_DATA_KEY_REUSE_SECONDS,
        }
      : { sqsManagedSseEnabled: true };
    const fifo = args.fifo ? { fifoQueue: true } : {};

    this.dlq = new aws.sqs.Queue(
      ...transform(
        args.transform?.dlq,
        `${name}-dlq`,
        { ...encryption, ...fifo, messageRetentionSeconds: dlqRetention },
        { parent: this },
      ),
    );

    this.queue = new aws.sqs.Queue(
      ...transform(
        args.transform?.queue,
        name,
        {
          ...encryption,
          ...fifo,
          ...(args.contentBasedDeduplication ? { contentBasedDeduplication: true } : {}),
          visibilityTimeoutSeconds: visibility,
          messageRetentionSeconds: retention,
          redrivePolicy: pulumi.jsonStringify({
            deadLetterTargetArn: this.dlq.arn,
            maxReceiveCount,
          }),
        },
        { parent: this },
      ),
    );
    this.arn = this.queue.arn;
    this.url = this.queue.url;
    this.name = this.queue.name;

    // A separate resource: the DLQ cannot name the work queue's ARN at creation (cycle).
    this.redriveAllowPolicy = new aws.sqs.RedriveAllowPolicy(
      ...transform(
        args.transform?.redriveAllowPolicy,
        `${name}-dlq`,
        {
          queueUrl: this.dlq.url,
          redriveAllowPolicy: pulumi.jsonStringify({
            redrivePermission: "byQueue",
            sourceQueueArns: [this.queue.arn],
          }),
        },
        { parent: this },
      ),
    );

    const callerStatements =
      typeof args.policyStatements === "function"
        ? args.policyStatements(this.queue.arn)
        : (args.policyStatements ?? []);
    this.policy = new aws.sqs.QueuePolicy(
      ...transform(
        args.transform?.policy,
        name,
        {
          queueUrl: this.queue.url,
          policy: policyDocument([
            ...callerStatements,
            denyInsecureTransport("sqs:*", [this.queue.arn]),
          ]),
        },
        { parent: this },
      ),
    );
    const dlqStatements =
      typeof args.dlqPolicyStatements === "function"
        ? args.dlqPolicyStatements(this.dlq.arn)
        : (args.dlqPolicyStatements ?? []);
    this.dlqPolicy = new aws.sqs.QueuePolicy(
      ...transform(
        args.transform?.dlqPolicy,
        `${name}-dlq`,
        {
          queueUrl: this.dlq.url,
          policy: policyDocument([
            ...dlqStatements,
            denyInsecureTransport("sqs:*", [this.dlq.arn]),
          ]),
        },
        { parent: this },
      ),
    );

    if (args.alarmTopicArn) {
      this.dlqAlarm = metricAlarm(
        `${name}-dlq-depth`,
        {
          description: `Messages from queue ${name} reached its DLQ (inspect, fix, then redrive)`,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: this.dlq.name },
          // A gauge: the peak in the period is what matters, not a sum of samples.
          statistic: "Maximum",
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
        },
        args.alarmTopicArn,
        this,
        args.transform?.dlqAlarm,
      );
    }

    this.registerOutputs({ arn: this.arn, url: this.url, name: this.name, dlqArn: this.dlq.arn });
  }

  /**
   * Dashboard row: messages sent, received and deleted; depth (visible and in flight); age of the
   * oldest message; and the DLQ's depth against its alarm threshold.
   */
  widgets(title = `Queue ${this.logicalName}`): DashboardRow[] {
    const queue = { QueueName: this.queue.name };
    const m = (metricName: string, label?: string) =>
      metric("AWS/SQS", metricName, queue, { label });
    // Queue depth and age are gauges: the peak in a period is what matters, not a sum of samples.
    return [
      {
        title,
        widgets: [
          {
            title: "Messages sent, received, deleted",
            lines: [
              m("NumberOfMessagesSent"),
              m("NumberOfMessagesReceived"),
              m("NumberOfMessagesDeleted"),
            ],
          },
          {
            title: "Depth",
            stat: "Maximum",
            lines: [
              m("ApproximateNumberOfMessagesVisible", "visible"),
              m("ApproximateNumberOfMessagesNotVisible", "in flight"),
            ],
          },
          {
            title: "Age of oldest message (s)",
            stat: "Maximum",
            unit: "s",
            lines: [m("ApproximateAgeOfOldestMessage")],
          },
          {
            title: "DLQ depth",
            stat: "Maximum",
            lines: [
              metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                { QueueName: this.dlq.name },
                { label: "messages in DLQ" },
              ),
            ],
            thresholds: this.dlqAlarm ? [{ label: "alarm", value: 1 }] : undefined,
          },
        ],
      },
    ];
  }
}
