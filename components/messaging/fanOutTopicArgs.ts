import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { BucketNotificationsArgs, NotificationFilter } from "../storage/bucketNotifications";
import type { ServiceKeyArgs } from "../security/kmsKey";
import type { ConsumerFunctionArgs, QueueConsumer } from "../compute/queueConsumer";
import type { SecureQueue, SecureQueueArgs } from "./secureQueue";
import type { Nested, Transform, Transforms } from "../core/transform";
import type { OperationsContext } from "../core/operations";

/** SNS filter policies match on message attributes or, with this scope, on the JSON body. */
export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

/** One named subscriber: its own queue and DLQ, and optionally the function that consumes it. */
export interface FanOutSubscriberArgs {
  /**
   * SNS filter policy (e.g. `{ "eventType": ["created"] }`): only matching messages reach this
   * subscriber.
   * @default every message
   */
  filterPolicy?: Record<string, unknown>;
  /**
   * What `filterPolicy` matches against.
   * @default "MessageAttributes" (SNS's default)
   */
  filterPolicyScope?: FilterPolicyScope;
  /**
   * Deliver the published message as is instead of inside SNS's JSON envelope.
   * @default false (the envelope keeps the topic ARN, message id and attributes)
   */
  rawMessageDelivery?: boolean;
  /**
   * Seconds a received message stays hidden. Must be >= 6x the consumer's timeout.
   * @default 6x the consumer's timeout with a consumer, otherwise 30
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Receives before a message moves to the DLQ.
   * @default 5 (`MAX_RECEIVE_COUNT`)
   */
  maxReceiveCount?: number;
  /**
   * Seconds the queue keeps a message.
   * @default 4 days (`QUEUE_RETENTION_SECONDS`)
   */
  messageRetentionSeconds?: number;
  /**
   * Other SNS topics (ARNs) this queue also subscribes to, with the same filter and delivery
   * settings. Their grants join this topic's in the queue's one policy and in the queue key's
   * policy.
   * @default none
   */
  alsoSubscribeTo?: pulumi.Input<string>[];
  /**
   * A Lambda function consuming the queue (bundled from `functions/<code>`).
   * @default none
   */
  consumer?: ConsumerFunctionArgs;
  /**
   * Override hooks for this subscriber's children.
   * @default none
   */
  transform?: {
    /** @default none */
    queue?: SecureQueueArgs["transform"];
    /** @default none */
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

/**
 * The alarm topic (`OperationsContext`) receives the DLQ-depth and lost-delivery alarms and the
 * consumers' alarms; the log key and retention apply to the consumers' log groups.
 */
export interface FanOutTopicArgs extends OperationsContext {
  /** Named subscribers (names become resource names: lowercase letters, digits, dashes). Required. */
  subscribers: Record<string, FanOutSubscriberArgs>;
  /**
   * FIFO topic and FIFO queues (ordered per message group, deduplicated).
   * @default false
   */
  fifo?: boolean;
  /**
   * FIFO only: deduplicate on a SHA-256 of the body.
   * @default false
   */
  contentBasedDeduplication?: boolean;
  /**
   * Who may publish.
   * @default nobody beyond IAM principals of this account granted by their own policies
   */
  publishers?: {
    /**
     * S3 buckets notifying the topic (standard topics only). A bucket has ONE notification
     * configuration: with `manageBucketNotifications` this component creates it holding every
     * filter given here for that bucket.
     * @default none
     */
    buckets?: BucketPublisher[];
    /**
     * Services publishing on behalf of a resource.
     * @default none
     */
    services?: ServicePublisher[];
    /**
     * IAM principals (role, user or account ARNs) allowed by the topic policy. Same-account
     * principals also need `publishStatements()` in their own policy (the key is customer-managed).
     * @default none
     */
    principals?: pulumi.Input<string>[];
  };
  /**
   * Create each publishing bucket's notification configuration here. Turn off when the bucket also
   * notifies other targets: pass `bucketTargets` into your own `BucketNotifications`.
   * @default true
   */
  manageBucketNotifications?: boolean;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    topic: aws.sns.TopicArgs;
    topicPolicy: aws.sns.TopicPolicyArgs;
    redriveAlarm: aws.cloudwatch.MetricAlarmArgs;
    topicKey: Nested<ServiceKeyArgs["transform"]>;
    queueKey: Nested<ServiceKeyArgs["transform"]>;
    notification: Nested<BucketNotificationsArgs["transform"]>;
  }>;
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
