import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SEVERITIES, type Severity } from "../../functions/lib/streamEvents";
import { streamNotifierEnvironment } from "../../functions/stream-notifier/env";
import {
  CHANGE_NAMES,
  type ChangeName,
  DEFAULT_RULES,
} from "../../functions/stream-notifier/notify";
import { metricAlarm } from "../observability/alarms";
import { isEmailAddress } from "../observability/alarmTopic";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { allow, denyInsecureTransport, policyDocument } from "../security/iam";
import {
  StreamBatchSettings,
  StreamConsumer,
  StreamConsumerArgs,
  checkStreamConsumer,
} from "./streamConsumer";
import { Transform, transform } from "../core/transform";
import { operationsOf } from "../core/operations";
import { ArgumentErrors } from "../core/validate";

// The notifier's own lists and defaults (one place: the function that applies them).
export const CHANGE_EVENT_NAMES = CHANGE_NAMES;
export type ChangeEventName = ChangeName;
/** Event severities (the stream processor's `severity` attribute). */
export const NOTIFY_SEVERITIES = SEVERITIES;
export type NotifySeverity = Severity;

/** E.164: "+", a country code not starting with 0, at most 15 digits in all. */
export function isE164(value: string): boolean {
  return /^\+[1-9]\d{1,14}$/.test(value);
}

/** Which data-table changes notify. */
export interface NotifyRules {
  /**
   * @default ["INSERT"] (a new event row)
   */
  eventNames?: ChangeEventName[];
  /**
   * Severities that notify; empty = all.
   * @default ["high", "critical"]
   */
  severities?: NotifySeverity[];
}

export const DEFAULT_NOTIFY_EVENT_NAMES: ChangeEventName[] = DEFAULT_RULES.eventNames;
export const DEFAULT_NOTIFY_SEVERITIES: NotifySeverity[] = DEFAULT_RULES.severities;

/**
 * Event filter patterns for the DynamoDB stream mapping: only matching changes invoke the notifier
 * (Lambda bills nothing for filtered records). Inserts and updates match on the new image's
 * `severity`, removals on the old one (a REMOVE has no new image).
 */
export function notificationFilterPatterns(rules: NotifyRules = {}): object[] {
  const names = rules.eventNames ?? DEFAULT_NOTIFY_EVENT_NAMES;
  const severities = rules.severities ?? DEFAULT_NOTIFY_SEVERITIES;
  if (severities.length === 0) return [{ eventName: [...names] }];
  const bySeverity = { severity: { S: [...severities] } };
  const patterns: object[] = [];
  const upserts = names.filter((n) => n !== "REMOVE");
  if (upserts.length) patterns.push({ eventName: upserts, dynamodb: { NewImage: bySeverity } });
  if (names.includes("REMOVE")) {
    patterns.push({ eventName: ["REMOVE"], dynamodb: { OldImage: bySeverity } });
  }
  return patterns;
}

export interface ChangeNotifierArgs extends NotifyRules {
  /** The table whose stream (NEW_AND_OLD_IMAGES or NEW_IMAGE) is watched. Required. */
  table: { streamArn: pulumi.Input<string>; kmsKeyArn?: pulumi.Input<string> };
  /** SQS queue receiving the details of batches the notifier gave up on. Required. */
  onFailureQueueArn: pulumi.Input<string>;
  /** Key encrypting the topic; the notifier may use it to publish. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * Email addresses subscribed (each confirms a subscription mail first).
   * @default none
   */
  emails?: string[];
  /**
   * Phone numbers (E.164, e.g. +4915123456789) receiving SMS.
   * @default none
   */
  phoneNumbers?: string[];
  /**
   * Only these severities go out by SMS (a subscription filter policy).
   * @default every notification
   */
  smsSeverities?: NotifySeverity[];
  /**
   * Display name, the sender of emails and the SMS prefix.
   * @default "Events"
   */
  displayName?: string;
  /**
   * Event source mapping settings.
   * @default batch 10, the stream defaults otherwise, starting at LATEST
   */
  batch?: StreamBatchSettings;
  /**
   * Retention of the function's log group.
   * @default 14 days
   */
  logRetentionDays?: number;
  /**
   * KMS key of the log group.
   * @default CloudWatch Logs' own encryption
   */
  logKmsKeyArn?: pulumi.Input<string>;
  /**
   * Topic for the function and delivery alarms.
   * @default no alarms
   */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: {
    /** @default none */
    topic?: Transform<aws.sns.TopicArgs>;
    /** @default none */
    topicPolicy?: Transform<aws.sns.TopicPolicyArgs>;
    /** @default none */
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
    /** @default none */
    notifier?: StreamConsumerArgs["transform"];
    /**
     * The failed-deliveries alarm.
     * @default none
     */
    alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  };
}

/** Records every problem with the notifier's arguments (`field` prefixes the names). */
export function checkNotifierArgs(
  errors: ArgumentErrors,
  field: string,
  args: Partial<ChangeNotifierArgs>,
): ArgumentErrors {
  const f = (n: string) => (field ? `${field}.${n}` : n);
  const emails = args.emails ?? [];
  const phones = args.phoneNumbers ?? [];
  const eventNames = args.eventNames ?? DEFAULT_NOTIFY_EVENT_NAMES;
  const severities = args.severities ?? DEFAULT_NOTIFY_SEVERITIES;
  const badEmails = emails.filter((e) => !isEmailAddress(e));
  const badPhones = phones.filter((p) => !isE164(p));
  const dup = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
  errors
    .check(
      badEmails.length === 0,
      f("emails"),
      `${badEmails.map((e) => `"${e}"`).join(", ")} ${badEmails.length === 1 ? "is not an email address" : "are not email addresses"}`,
      "use addresses like ops@example.com",
    )
    .check(
      badPhones.length === 0,
      f("phoneNumbers"),
      `${badPhones.map((p) => `"${p}"`).join(", ")} ${badPhones.length === 1 ? "is" : "are"} not E.164`,
      'write numbers as "+" country code and number, digits only, e.g. +4915123456789',
    )
    .check(
      dup([...emails, ...phones]).length === 0,
      f("emails/phoneNumbers"),
      `${[...new Set(dup([...emails, ...phones]))].join(", ")} listed twice`,
      "list each endpoint once",
    )
    .check(
      eventNames.length > 0 && eventNames.every((n) => CHANGE_EVENT_NAMES.includes(n)),
      f("eventNames"),
      `${JSON.stringify(eventNames)} is empty or has unknown names`,
      `use some of ${CHANGE_EVENT_NAMES.join(", ")}`,
    )
    .check(
      [...severities, ...(args.smsSeverities ?? [])].every((s) => NOTIFY_SEVERITIES.includes(s)),
      f("severities/smsSeverities"),
      "unknown severity",
      `use some of ${NOTIFY_SEVERITIES.join(", ")}`,
    );
  return checkStreamConsumer(errors, f("batch"), args.batch ?? {});
}

/**
 * DynamoDB Streams -> Lambda -> SNS: changes of a table that match the rules (by event name and
 * severity, filtered before the function is invoked) become messages on an encrypted, TLS-only
 * topic with email and SMS subscriptions, each protocol getting its own text.
 */
export class ChangeNotifier extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly topicPolicy: aws.sns.TopicPolicy;
  readonly notifier: StreamConsumer;
  readonly subscriptions: aws.sns.TopicSubscription[];
  readonly topicArn: pulumi.Output<string>;
  private readonly logicalName: string;

  constructor(name: string, args: ChangeNotifierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:ChangeNotifier", name, {}, opts);
    const emails = args.emails ?? [];
    const phones = args.phoneNumbers ?? [];
    const eventNames = args.eventNames ?? DEFAULT_NOTIFY_EVENT_NAMES;
    const severities = args.severities ?? DEFAULT_NOTIFY_SEVERITIES;
    checkNotifierArgs(new ArgumentErrors("ChangeNotifier", name), "", args).throwIfAny();
    this.logicalName = name;

    const parent = { parent: this };
    this.topic = new aws.sns.Topic(
      ...transform(
        args.transform?.topic,
        name,
        { displayName: args.displayName ?? "Events", kmsMasterKeyId: args.kmsKeyArn },
        parent,
      ),
    );
    this.topicArn = this.topic.arn;
    this.topicPolicy = new aws.sns.TopicPolicy(
      ...transform(
        args.transform?.topicPolicy,
        name,
        {
          arn: this.topic.arn,
          policy: policyDocument([denyInsecureTransport("sns:Publish", [this.topic.arn])]),
        },
        parent,
      ),
    );

    this.subscriptions = [
      ...emails.map((endpoint, i) => ({ protocol: "email", endpoint, n: `${name}-email-${i}` })),
      ...phones.map((endpoint, i) => ({ protocol: "sms", endpoint, n: `${name}-sms-${i}` })),
    ].map(
      (s) =>
        new aws.sns.TopicSubscription(
          ...transform(
            args.transform?.subscription,
            s.n,
            {
              topic: this.topic.arn,
              protocol: s.protocol,
              endpoint: s.endpoint,
              ...(s.protocol === "sms" && args.smsSeverities?.length
                ? {
                    filterPolicyScope: "MessageAttributes",
                    filterPolicy: JSON.stringify({ severity: args.smsSeverities }),
                  }
                : {}),
            },
            parent,
          ),
        ),
    );

    const statements = [
      allow(["sns:Publish"], [this.topic.arn]),
      // Publishing to an encrypted topic needs a data key from the topic's key.
      allow(["kms:GenerateDataKey", "kms:Decrypt"], [args.kmsKeyArn]),
    ];
    this.notifier = new StreamConsumer(
      `${name}-notifier`,
      {
        code: "stream-notifier",
        description: "Sends matching data-table changes to the notification topic",
        source: {
          kind: "dynamodb",
          streamArn: args.table.streamArn,
          kmsKeyArn: args.table.kmsKeyArn,
        },
        onFailureQueueArn: args.onFailureQueueArn,
        // Notifications are about what happens from now on, not a replay of the last 24 hours.
        startingPosition: "LATEST",
        batchSize: 10,
        ...args.batch,
        filterPatterns: notificationFilterPatterns({ eventNames, severities }),
        statements,
        environment: streamNotifierEnvironment<pulumi.Output<string>>({
          topicArn: this.topic.arn,
          eventNames,
          severities,
        }),
        ...operationsOf(args),
        transform: args.transform?.notifier,
      },
      parent,
    );

    if (args.alarmTopicArn) {
      metricAlarm(
        `${name}-delivery-failed`,
        {
          description: `Notification topic ${name} failed to deliver (SMS spend limit or sandbox, bounced email)`,
          namespace: "AWS/SNS",
          metricName: "NumberOfNotificationsFailed",
          dimensions: { TopicName: this.topic.name },
        },
        args.alarmTopicArn,
        this,
        args.transform?.alarm,
      );
    }

    this.registerOutputs({ topicArn: this.topicArn });
  }

  /** Dashboard rows: the notifier reading the table's stream, then the topic's deliveries. */
  widgets(): DashboardRow[] {
    const m = (metricName: string, label: string) =>
      metric("AWS/SNS", metricName, { TopicName: this.topic.name }, { label });
    return [
      ...this.notifier.widgets(`Notifier ${this.logicalName}`),
      {
        title: `Notification topic ${this.logicalName}`,
        widgets: [
          {
            title: "Published, delivered, failed",
            lines: [
              m("NumberOfMessagesPublished", "published"),
              m("NumberOfNotificationsDelivered", "delivered"),
              m("NumberOfNotificationsFailed", "failed"),
            ],
          },
        ],
      },
    ];
  }
}
