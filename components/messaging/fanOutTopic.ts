import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import { BucketNotifications, TopicTarget } from "../storage/bucketNotifications";
import { LAMBDA_TIMEOUT_SECONDS } from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { Statement, allow, denyInsecureTransport, policyDocument } from "../security/iam";
import { ServiceKey } from "../security/kmsKey";
import { QueueConsumer } from "../compute/queueConsumer";
import { SecureQueue, allowServiceToSend } from "./secureQueue";
import { transform } from "../core/transform";
import type {
  BucketPublisher,
  FanOutSubscriber,
  FanOutSubscriberArgs,
  FanOutTopicArgs,
} from "./fanOutTopicArgs";
import {
  planBucketTargets,
  topicKeyUsers,
  topicPublishStatements,
  validateFanOutTopic,
  visibilityFor,
} from "./fanOutTopicPlan";
import { operationsOf } from "../core/operations";

// The args and the pure planning live in their own modules; one import for users.
export type {
  BucketPublisher,
  FanOutSubscriber,
  FanOutSubscriberArgs,
  FanOutTopicArgs,
  FilterPolicyScope,
  ServicePublisher,
} from "./fanOutTopicArgs";

/**
 * An SNS topic fanned out to named SQS subscribers. Each subscriber gets a queue with its own DLQ
 * (receive redrive and SNS subscription redrive), one queue policy holding every grant limited by
 * `aws:SourceArn`, a DLQ-depth alarm and optionally a consuming function. Topic and queues are
 * encrypted with customer-managed keys whose policies let the publishers (S3, services) and SNS
 * use them: two keys, since a single key whose policy names the topic it encrypts is a cycle.
 */
export class FanOutTopic extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly topicPolicy: aws.sns.TopicPolicy;
  /** Encrypts the topic; usable by the publishing services. */
  readonly key: ServiceKey;
  /** Encrypts every subscriber queue and DLQ; usable by SNS for this topic only. */
  readonly queueKey: ServiceKey;
  readonly subscribers: Record<string, FanOutSubscriber>;
  /** One notification configuration per publishing bucket (empty when not managed here). */
  readonly notifications: BucketNotifications[];
  /** The topic targets of each publishing bucket, for merging into a caller's `BucketNotifications`. */
  readonly bucketTargets: { bucket: BucketPublisher["bucket"]; targets: TopicTarget[] }[];
  /** Alarm on messages SNS could neither deliver nor move to a DLQ; undefined without `alarmTopicArn`. */
  readonly redriveAlarm?: aws.cloudwatch.MetricAlarm;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  private readonly logicalName: string;

  constructor(name: string, args: FanOutTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:messaging:FanOutTopic", name, {}, opts);
    validateFanOutTopic(name, args);
    this.logicalName = name;
    const fifo = args.fifo ?? false;

    this.key = this.createTopicKey(args);
    this.topic = this.createTopic(args, fifo);
    this.arn = this.topic.arn;
    this.name = this.topic.name;
    this.topicPolicy = this.createTopicPolicy(args);
    this.queueKey = this.createQueueKey(args);
    this.subscribers = {};
    for (const [sub, s] of Object.entries(args.subscribers)) {
      this.subscribers[sub] = this.subscribe(name, sub, s, args, fifo);
    }
    this.bucketTargets = planBucketTargets(name, args.publishers?.buckets ?? [], this.topic.arn, [
      this.topicPolicy,
      this.key.key,
    ]);
    this.notifications =
      args.manageBucketNotifications === false ? [] : this.createBucketNotifications(args);
    if (args.alarmTopicArn) this.redriveAlarm = this.createRedriveAlarm(args, args.alarmTopicArn);

    this.registerOutputs({
      arn: this.arn,
      name: this.name,
      keyArn: this.key.arn,
      queueKeyArn: this.queueKey.arn,
    });
  }

  /** The topic key: publishers encrypt with it. */
  private createTopicKey(args: FanOutTopicArgs): ServiceKey {
    return new ServiceKey(
      `${this.logicalName}-topic`,
      {
        description: `Encrypts SNS topic ${this.logicalName}`,
        users: topicKeyUsers(args),
        transform: args.transform?.topicKey,
      },
      { parent: this },
    );
  }

  private createTopic(args: FanOutTopicArgs, fifo: boolean): aws.sns.Topic {
    return new aws.sns.Topic(
      ...transform(
        args.transform?.topic,
        this.logicalName,
        {
          kmsMasterKeyId: this.key.arn,
          ...(fifo ? { fifoTopic: true } : {}),
          ...(args.contentBasedDeduplication ? { contentBasedDeduplication: true } : {}),
          // SHA256 signatures on the messages SNS signs.
          signatureVersion: 2,
        },
        { parent: this },
      ),
    );
  }

  private createTopicPolicy(args: FanOutTopicArgs): aws.sns.TopicPolicy {
    const topicArn = this.topic.arn;
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    return new aws.sns.TopicPolicy(
      ...transform(
        args.transform?.topicPolicy,
        this.logicalName,
        {
          arn: topicArn,
          policy: policyDocument([
            ...topicPublishStatements(args, topicArn, account),
            // Topic policies accept only SNS's own actions; Publish is what a client sends data with.
            denyInsecureTransport("sns:Publish", [topicArn]),
          ]),
        },
        { parent: this },
      ),
    );
  }

  /** The queue key: SNS encrypts into the queues (and DLQs); the queue policies name the topics. */
  private createQueueKey(args: FanOutTopicArgs): ServiceKey {
    return new ServiceKey(
      `${this.logicalName}-queues`,
      {
        description: `Encrypts the subscriber queues of SNS topic ${this.logicalName}`,
        // SNS delivering to encrypted queues: AWS's documented key statement has no condition
        // (https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html);
        // each queue policy limits the sending topic with aws:SourceArn.
        users: [{ service: "sns.amazonaws.com" }],
        transform: args.transform?.queueKey,
      },
      { parent: this },
    );
  }

  private createBucketNotifications(args: FanOutTopicArgs): BucketNotifications[] {
    return this.bucketTargets.map(
      (t, i) =>
        new BucketNotifications(
          `${this.logicalName}-bucket${i}`,
          { bucket: t.bucket, topics: t.targets, transform: args.transform?.notification },
          { parent: this },
        ),
    );
  }

  /** Messages SNS could neither deliver nor move to a DLQ are lost: alarm on the first. */
  private createRedriveAlarm(
    args: FanOutTopicArgs,
    alarmTopicArn: pulumi.Input<string>,
  ): aws.cloudwatch.MetricAlarm {
    const name = this.logicalName;
    return metricAlarm(
      `${name}-lost-deliveries`,
      {
        description: `SNS topic ${name} failed to move undeliverable messages to a subscriber DLQ: they are lost (check the DLQ policies and the queue key)`,
        namespace: "AWS/SNS",
        metricName: "NumberOfNotificationsFailedToRedriveToDlq",
        dimensions: { TopicName: this.topic.name },
      },
      alarmTopicArn,
      this,
      args.transform?.redriveAlarm,
    );
  }

  private subscribe(
    name: string,
    sub: string,
    s: FanOutSubscriberArgs,
    args: FanOutTopicArgs,
    fifo: boolean,
  ): FanOutSubscriber {
    const childName = `${name}-${sub}`;
    const topicArn = this.topic.arn;
    const sources = [topicArn, ...(s.alsoSubscribeTo ?? [])];
    const snsMaySend = (queueArn: pulumi.Output<string>) =>
      sources.map((source, i): Statement => ({
        Sid: `SnsSends${i}`,
        ...allowServiceToSend("sns.amazonaws.com", queueArn, source),
      }));
    const visibility = visibilityFor(s);
    const queue = new SecureQueue(
      childName,
      {
        kmsKeyArn: this.queueKey.arn,
        fifo,
        visibilityTimeoutSeconds: visibility,
        consumerTimeoutSeconds: s.consumer
          ? (s.consumer.timeout ?? LAMBDA_TIMEOUT_SECONDS)
          : undefined,
        maxReceiveCount: s.maxReceiveCount,
        messageRetentionSeconds: s.messageRetentionSeconds,
        policyStatements: snsMaySend,
        // Subscription redrive: messages SNS cannot deliver land in the same DLQ.
        dlqPolicyStatements: snsMaySend,
        alarmTopicArn: args.alarmTopicArn,
        transform: s.transform?.queue,
      },
      { parent: this },
    );

    const subscriptionArgs = (topic: pulumi.Input<string>): aws.sns.TopicSubscriptionArgs => ({
      topic,
      protocol: "sqs",
      endpoint: queue.arn,
      rawMessageDelivery: s.rawMessageDelivery ?? false,
      filterPolicy: s.filterPolicy ? JSON.stringify(s.filterPolicy) : undefined,
      filterPolicyScope: s.filterPolicy ? (s.filterPolicyScope ?? "MessageAttributes") : undefined,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: queue.dlq.arn }),
    });
    // Without the queue policies (and key grant) in place SNS would drop the first messages.
    const ready = { parent: this, dependsOn: [queue.policy, queue.dlqPolicy, this.queueKey.key] };
    const subscription = new aws.sns.TopicSubscription(
      ...transform(s.transform?.subscription, childName, subscriptionArgs(topicArn), ready),
    );
    const extraSubscriptions = (s.alsoSubscribeTo ?? []).map(
      (other, i) =>
        new aws.sns.TopicSubscription(
          ...transform(
            s.transform?.subscription,
            `${childName}-also${i}`,
            subscriptionArgs(other),
            ready,
          ),
        ),
    );

    const consumer = s.consumer
      ? new QueueConsumer(
          childName,
          {
            ...operationsOf(args),
            ...s.consumer,
            queue: {
              arn: queue.arn,
              visibilityTimeoutSeconds: visibility,
              fifo,
              kmsKeyArn: this.queueKey.arn,
            },
          },
          { parent: this },
        )
      : undefined;

    return { queue, dlq: queue.dlq, subscription, extraSubscriptions, consumer };
  }

  /**
   * Dashboard rows along the fan-out: the topic (published, delivered, failed, filtered, redriven
   * to DLQs), then per subscriber its queue (depth, age, DLQ) and its consumer.
   */
  widgets(): DashboardRow[] {
    const m = (metricName: string, label: string) =>
      metric("AWS/SNS", metricName, { TopicName: this.topic.name }, { label });
    return [
      {
        title: `Topic ${this.logicalName}`,
        widgets: [
          {
            title: "Published and delivered",
            lines: [
              m("NumberOfMessagesPublished", "published"),
              m("NumberOfNotificationsDelivered", "delivered"),
            ],
          },
          {
            title: "Failed and filtered deliveries",
            lines: [
              m("NumberOfNotificationsFailed", "failed"),
              m("NumberOfNotificationsFilteredOut", "filtered out"),
              m("NumberOfNotificationsRedrivenToDlq", "to DLQs"),
              m("NumberOfNotificationsFailedToRedriveToDlq", "lost"),
            ],
            thresholds: this.redriveAlarm ? [{ label: "lost: alarm", value: 1 }] : undefined,
          },
        ],
      },
      ...Object.entries(this.subscribers).flatMap(([sub, s]) => [
        ...s.queue.widgets(`Subscriber ${sub}: queue`),
        ...(s.consumer ? s.consumer.widgets(`Subscriber ${sub}: consumer`) : []),
      ]),
    ];
  }

  /**
   * Statements an IAM principal of this account needs to publish: `sns:Publish` on the topic and
   * the data-key calls on its key (a customer-managed key is not usable through IAM alone
   * unless the key policy delegates to the account, which `ServiceKey` does).
   */
  publishStatements(): Statement[] {
    return [
      allow(["sns:Publish"], [this.topic.arn]),
      allow(["kms:GenerateDataKey", "kms:Decrypt"], [this.key.arn]),
    ];
  }
}
