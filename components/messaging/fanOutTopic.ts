import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import {
  BucketNotifications,
  BucketNotificationsArgs,
  NotificationFilter,
  TopicTarget,
  allowS3ToPublish,
} from "../storage/bucketNotifications";
import { LAMBDA_TIMEOUT_SECONDS, VISIBILITY_TIMEOUT_FACTOR } from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { Statement, allow, denyInsecureTransport, policyDocument } from "../security/iam";
import { KeyUser, ServiceKey, ServiceKeyArgs } from "../security/kmsKey";
import { ConsumerFunctionArgs, QueueConsumer, checkConsumer } from "../compute/queueConsumer";
import { SecureQueue, SecureQueueArgs, allowServiceToSend, fromSource } from "./secureQueue";
import { Transform, applyTransform } from "../core/transform";
import { operationsOf } from "../core/operations";
import { ArgumentErrors } from "../core/validate";

/** SNS filter policies match on message attributes or, with this scope, on the JSON body. */
export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

/** One named subscriber: its own queue and DLQ, and optionally the function that consumes it. */
export interface FanOutSubscriberArgs {
  /**
   * SNS filter policy (e.g. `{ "eventType": ["created"] }`): only matching messages reach this
   * subscriber. Default: every message.
   */
  filterPolicy?: Record<string, unknown>;
  /** What `filterPolicy` matches against. Default: "MessageAttributes" (SNS's default). */
  filterPolicyScope?: FilterPolicyScope;
  /**
   * Deliver the published message as is instead of inside SNS's JSON envelope. Default: false
   * (the envelope keeps the topic ARN, message id and attributes).
   */
  rawMessageDelivery?: boolean;
  /**
   * Seconds a received message stays hidden. Must be >= 6x the consumer's timeout.
   * Default: 6x the consumer's timeout with a consumer, otherwise 30.
   */
  visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the DLQ. Default: 5 (`MAX_RECEIVE_COUNT`). */
  maxReceiveCount?: number;
  /** Seconds the queue keeps a message. Default: 4 days (`QUEUE_RETENTION_SECONDS`). */
  messageRetentionSeconds?: number;
  /**
   * Other SNS topics (ARNs) this queue also subscribes to, with the same filter and delivery
   * settings. Their grants join this topic's in the queue's one policy and in the queue key's
   * policy. Default: none.
   */
  alsoSubscribeTo?: pulumi.Input<string>[];
  /** A Lambda function consuming the queue (bundled from `functions/<code>`). Default: none. */
  consumer?: ConsumerFunctionArgs;
  /** Override hooks for this subscriber's children. Default: none. */
  transform?: {
    queue?: SecureQueueArgs["transform"];
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
  };
}

/** A bucket publishing its events to the topic. */
export interface BucketPublisher extends Omit<NotificationFilter, "dependsOn"> {
  /** The bucket (a `SecureBucket` fits). Pass the same object for every filter of one bucket. */
  bucket: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
}

/** An AWS service publishing on behalf of one of its resources (e.g. EventBridge, CloudWatch). */
export interface ServicePublisher {
  /** Service principal, e.g. `events.amazonaws.com`. */
  service: string;
  /** The resource the service publishes for (`aws:SourceArn`). Required: it blocks confused deputies. */
  sourceArn: pulumi.Input<string>;
}

export interface FanOutTopicArgs {
  /** Named subscribers (names become resource names: lowercase letters, digits, dashes). Required. */
  subscribers: Record<string, FanOutSubscriberArgs>;
  /** FIFO topic and FIFO queues (ordered per message group, deduplicated). Default: false. */
  fifo?: boolean;
  /** FIFO only: deduplicate on a SHA-256 of the body. Default: false. */
  contentBasedDeduplication?: boolean;
  /** Who may publish. Default: nobody beyond IAM principals of this account granted by their own policies. */
  publishers?: {
    /**
     * S3 buckets notifying the topic (standard topics only). A bucket has ONE notification
     * configuration: with `manageBucketNotifications` this component creates it holding every
     * filter given here for that bucket. Default: none.
     */
    buckets?: BucketPublisher[];
    /** Services publishing on behalf of a resource. Default: none. */
    services?: ServicePublisher[];
    /**
     * IAM principals (role, user or account ARNs) allowed by the topic policy. Same-account
     * principals also need `publishStatements()` in their own policy (the key is customer-managed).
     * Default: none.
     */
    principals?: pulumi.Input<string>[];
  };
  /**
   * Create each publishing bucket's notification configuration here. Turn off when the bucket also
   * notifies other targets: pass `bucketTargets` into your own `BucketNotifications`. Default: true.
   */
  manageBucketNotifications?: boolean;
  /** Topic for the DLQ-depth and lost-delivery alarms (and the consumers' alarms). Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** KMS key for the consumers' log groups. Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Log retention (days) of the consumers. Default: 14 (`LOG_RETENTION_DAYS`). */
  logRetentionDays?: number;
  /** Override hooks, one per child. Default: none. */
  transform?: {
    topic?: Transform<aws.sns.TopicArgs>;
    topicPolicy?: Transform<aws.sns.TopicPolicyArgs>;
    topicKey?: ServiceKeyArgs["transform"];
    queueKey?: ServiceKeyArgs["transform"];
    notification?: BucketNotificationsArgs["transform"];
    redriveAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  };
}

/** The children of one subscriber. */
export interface FanOutSubscriber {
  queue: SecureQueue;
  /** The subscriber's dead-letter queue (receive failures and SNS delivery failures). */
  dlq: aws.sqs.Queue;
  subscription: aws.sns.TopicSubscription;
  /** Subscriptions to the `alsoSubscribeTo` topics, in order. */
  extraSubscriptions: aws.sns.TopicSubscription[];
  /** The consuming function; undefined without `consumer`. */
  consumer?: QueueConsumer;
}

const SUBSCRIBER_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

function visibilityFor(sub: FanOutSubscriberArgs): number {
  if (sub.visibilityTimeoutSeconds !== undefined) return sub.visibilityTimeoutSeconds;
  return sub.consumer
    ? VISIBILITY_TIMEOUT_FACTOR * (sub.consumer.timeout ?? LAMBDA_TIMEOUT_SECONDS)
    : 30;
}

/** `My.Service` -> `MyService`: a Sid fragment (Sids allow only letters and digits). */
const sid = (s: string) => s.replace(/[^A-Za-z0-9]/g, "");

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
    const subscriberNames = Object.keys(args.subscribers ?? {});
    const buckets = args.publishers?.buckets ?? [];
    const services = args.publishers?.services ?? [];
    const principals = args.publishers?.principals ?? [];
    const fifo = args.fifo ?? false;

    const errors = new ArgumentErrors("FanOutTopic", name)
      .check(
        subscriberNames.length > 0,
        "subscribers",
        "no subscriber given",
        "name at least one subscriber, e.g. { indexer: {} }",
      )
      .check(
        !fifo || buckets.length === 0,
        "publishers.buckets",
        "S3 cannot publish to a FIFO topic",
        "use a standard topic (fifo: false) for bucket events",
      )
      .check(
        !args.contentBasedDeduplication || fifo,
        "contentBasedDeduplication",
        "only FIFO topics deduplicate",
        "set fifo: true or drop contentBasedDeduplication",
      );
    buckets.forEach((b, i) =>
      errors.check(
        b.events.length > 0,
        `publishers.buckets[${i}].events`,
        "lists no event",
        'name events such as "s3:ObjectCreated:*"',
      ),
    );
    for (const [sub, s] of Object.entries(args.subscribers ?? {})) {
      const field = `subscribers.${sub}`;
      errors
        .check(
          SUBSCRIBER_NAME.test(sub),
          field,
          `"${sub}" is not a valid subscriber name`,
          "use 1-40 lowercase letters, digits and dashes, starting with a letter or digit",
        )
        .check(
          s.filterPolicyScope === undefined || s.filterPolicy !== undefined,
          `${field}.filterPolicyScope`,
          "is set without a filterPolicy",
          "add a filterPolicy or drop filterPolicyScope",
        )
        .check(
          s.filterPolicy === undefined || Object.keys(s.filterPolicy).length > 0,
          `${field}.filterPolicy`,
          "is empty (SNS rejects it)",
          "omit it to receive every message",
        );
      if (s.consumer) {
        checkConsumer(errors, `${field}.consumer`, s.consumer, {
          visibilityTimeoutSeconds: visibilityFor(s),
          fifo,
        });
      }
    }
    errors.throwIfAny();
    this.logicalName = name;

    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    // The topic key: publishers encrypt with it.
    const bucketArns = [...new Set(buckets.map((b) => b.bucket))].map((b) => b.arn);
    const topicKeyUsers: KeyUser[] = [];
    if (bucketArns.length > 0) {
      // S3 documents this key grant without conditions: when it encrypts a notification it is not
      // known to send aws:SourceArn/SourceAccount to KMS, and a condition it cannot meet would make
      // S3 reject the notification configuration. The queue/topic policy limits the source bucket.
      topicKeyUsers.push({ service: "s3.amazonaws.com", condition: "none" });
    }
    const byService = new Set(services.map((p) => p.service));
    // AWS's documented key statement for services publishing to an encrypted topic has no
    // condition (sns-key-management.html#compatibility-with-aws-services); the topic policy
    // limits each service to its sources (`aws:SourceArn`).
    for (const service of byService) topicKeyUsers.push({ service });
    this.key = new ServiceKey(
      `${name}-topic`,
      {
        description: `Encrypts SNS topic ${name}`,
        users: topicKeyUsers,
        transform: args.transform?.topicKey,
      },
      { parent: this },
    );

    this.topic = new aws.sns.Topic(
      name,
      applyTransform<aws.sns.TopicArgs>(
        {
          kmsMasterKeyId: this.key.arn,
          ...(fifo ? { fifoTopic: true } : {}),
          ...(args.contentBasedDeduplication ? { contentBasedDeduplication: true } : {}),
          // SHA256 signatures on the messages SNS signs.
          signatureVersion: 2,
        },
        args.transform?.topic,
        name,
      ),
      { parent: this },
    );
    this.arn = this.topic.arn;
    this.name = this.topic.name;
    const topicArn = this.topic.arn;

    const publishStatements: pulumi.Input<Statement>[] = [
      ...[...new Set(buckets.map((b) => b.bucket))].map((b, i): Statement => ({
        Sid: `S3Publishes${i}`,
        ...allowS3ToPublish({ topicArn }, b.arn, account),
      })),
      ...services.map((p, i): Statement => ({
        Sid: `${sid(p.service.split(".")[0])}Publishes${i}`,
        Effect: "Allow",
        Principal: { Service: p.service },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: fromSource(p.sourceArn, account),
      })),
      ...(principals.length > 0
        ? [
            {
              Sid: "PrincipalsPublish",
              Effect: "Allow" as const,
              Principal: { AWS: principals },
              Action: "sns:Publish",
              Resource: topicArn,
            },
          ]
        : []),
    ];
    this.topicPolicy = new aws.sns.TopicPolicy(
      name,
      applyTransform<aws.sns.TopicPolicyArgs>(
        {
          arn: topicArn,
          policy: policyDocument([
            ...publishStatements,
            // Topic policies accept only SNS's own actions; Publish is what a client sends data with.
            denyInsecureTransport("sns:Publish", [topicArn]),
          ]),
        },
        args.transform?.topicPolicy,
        name,
      ),
      { parent: this },
    );

    // The queue key: SNS encrypts into the queues (and DLQs); the queue policies name the topics.
    this.queueKey = new ServiceKey(
      `${name}-queues`,
      {
        description: `Encrypts the subscriber queues of SNS topic ${name}`,
        // SNS delivering to encrypted queues: AWS's documented key statement has no condition
        // (https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html);
        // each queue policy limits the sending topic with aws:SourceArn.
        users: [{ service: "sns.amazonaws.com" }],
        transform: args.transform?.queueKey,
      },
      { parent: this },
    );

    this.subscribers = {};
    for (const [sub, s] of Object.entries(args.subscribers)) {
      this.subscribers[sub] = this.subscribe(name, sub, s, args, fifo);
    }

    this.bucketTargets = [];
    for (const b of buckets) {
      let entry = this.bucketTargets.find((t) => t.bucket === b.bucket);
      if (!entry) {
        entry = { bucket: b.bucket, targets: [] };
        this.bucketTargets.push(entry);
      }
      entry.targets.push({
        events: b.events,
        filterPrefix: b.filterPrefix,
        filterSuffix: b.filterSuffix,
        id: b.id ?? `${name}-${entry.targets.length}`,
        topicArn,
        // S3 test-publishes when the configuration is saved: the grants must be in place.
        dependsOn: [this.topicPolicy, this.key.key],
      });
    }
    this.notifications =
      args.manageBucketNotifications === false
        ? []
        : this.bucketTargets.map(
            (t, i) =>
              new BucketNotifications(
                `${name}-bucket${i}`,
                { bucket: t.bucket, topics: t.targets, transform: args.transform?.notification },
                { parent: this },
              ),
          );

    if (args.alarmTopicArn) {
      this.redriveAlarm = metricAlarm(
        `${name}-lost-deliveries`,
        {
          description: `SNS topic ${name} failed to move undeliverable messages to a subscriber DLQ: they are lost (check the DLQ policies and the queue key)`,
          namespace: "AWS/SNS",
          metricName: "NumberOfNotificationsFailedToRedriveToDlq",
          dimensions: { TopicName: this.topic.name },
        },
        args.alarmTopicArn,
        this,
        args.transform?.redriveAlarm,
      );
    }

    this.registerOutputs({
      arn: this.arn,
      name: this.name,
      keyArn: this.key.arn,
      queueKeyArn: this.queueKey.arn,
    });
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
      childName,
      applyTransform(subscriptionArgs(topicArn), s.transform?.subscription, childName),
      ready,
    );
    const extraSubscriptions = (s.alsoSubscribeTo ?? []).map(
      (other, i) =>
        new aws.sns.TopicSubscription(
          `${childName}-also${i}`,
          applyTransform(
            subscriptionArgs(other),
            s.transform?.subscription,
            `${childName}-also${i}`,
          ),
          ready,
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
