import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Conditions, Statement, denyInsecureTransport, policyDocument } from "../security/iam";
import { ServiceKey, ServiceKeyArgs } from "../security/kmsKey";
import { Nested, Transform, transform, Transforms } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

/**
 * A deliberately plain address check (one "@", no spaces, a dotted domain): SNS sends a
 * confirmation mail anyway, this only catches typos such as a missing domain before deployment.
 */
export function isEmailAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value) && value.length <= 254;
}

export interface AlarmTopicArgs {
  /**
   * Address subscribed to the topic (SNS mails a confirmation link that must be clicked before
   * alarms arrive).
   * @default no subscription
   */
  email?: string;
  /**
   * Display name used as the sender of email notifications.
   * @default "Alarms"
   */
  displayName?: string;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    topic: aws.sns.TopicArgs;
    topicPolicy: aws.sns.TopicPolicyArgs;
    subscription: aws.sns.TopicSubscriptionArgs;
    key: Nested<ServiceKeyArgs["transform"]>;
  }>;
}

/**
 * The stack's one alarm topic: every component's alarms notify it. Encrypted with a
 * customer-managed key that CloudWatch may use (it cannot publish to a topic encrypted with the
 * AWS-managed SNS key), a topic policy that lets only this account's CloudWatch alarms publish
 * and denies non-TLS requests, and an optional email subscription.
 */
export class AlarmTopic extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly key: ServiceKey;
  readonly topicPolicy: aws.sns.TopicPolicy;
  readonly subscription?: aws.sns.TopicSubscription;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AlarmTopicArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:observability:AlarmTopic", name, {}, opts);
    new ArgumentErrors("AlarmTopic", name)
      .check(
        args.email === undefined || isEmailAddress(args.email),
        "email",
        `"${args.email}" is not an email address`,
        "use an address like ops@example.com, or leave email unset",
      )
      .throwIfAny();

    const { key, topic, fromOwnAlarms } = alarmEncryptedTopic(
      name,
      {
        keyDescription: `Encrypts alarm topic ${name}`,
        displayName: args.displayName ?? "Alarms",
        transform: { key: args.transform?.key, topic: args.transform?.topic },
      },
      this,
    );
    this.key = key;
    this.topic = topic;
    this.arn = this.topic.arn;
    this.topicPolicy = alarmTopicPolicy(
      name,
      this.topic.arn,
      { sid: "CloudWatchAlarmsPublish", condition: fromOwnAlarms },
      args.transform?.topicPolicy,
      this,
    );

    if (args.email !== undefined) {
      const n = `${name}-email`;
      this.subscription = new aws.sns.TopicSubscription(
        ...transform(
          args.transform?.subscription,
          n,
          { topic: this.topic.arn, protocol: "email", endpoint: args.email },
          { parent: this },
        ),
      );
    }

    this.registerOutputs({ arn: this.arn });
  }
}

/** What `alarmEncryptedTopic` creates, plus the account id and the key grant's condition. */
export interface AlarmEncryptedTopic {
  key: ServiceKey;
  topic: aws.sns.Topic;
  account: pulumi.Output<string>;
  /** Only this account's alarms in this region (the key grant's condition). */
  fromOwnAlarms: Conditions;
}

/**
 * A customer-managed key that this account's CloudWatch alarms (in this region) may use, and an
 * SNS topic encrypted with it: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
 * Both are named `name` and parented to `parent`.
 */
export function alarmEncryptedTopic(
  name: string,
  args: {
    keyDescription: string;
    displayName: string;
    transform?: { key?: ServiceKeyArgs["transform"]; topic?: Transform<aws.sns.TopicArgs> };
  },
  parent: pulumi.Resource,
): AlarmEncryptedTopic {
  const opts = { parent };
  const account = aws.getCallerIdentityOutput({}, opts).accountId;
  const region = aws.getRegionOutput({}, opts).region;
  // Only alarms of this account and region: no other account's alarm can borrow the grant.
  const fromOwnAlarms: Conditions = {
    StringEquals: { "aws:SourceAccount": account },
    ArnLike: {
      "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${region}:${account}:alarm:*`,
    },
  };
  const key = new ServiceKey(
    name,
    {
      description: args.keyDescription,
      // AWS's documented key statement for CloudWatch alarms on an encrypted topic has no
      // condition (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
      // CloudWatch is not documented to send aws:SourceArn/SourceAccount to KMS, and a condition
      // it cannot meet drops every alarm. The topic policy keeps `fromOwnAlarms`.
      users: [{ service: "cloudwatch.amazonaws.com" }],
      transform: args.transform?.key,
    },
    opts,
  );
  const topic = new aws.sns.Topic(
    ...transform(
      args.transform?.topic,
      name,
      { displayName: args.displayName, kmsMasterKeyId: key.arn },
      opts,
    ),
  );
  return { key, topic, account, fromOwnAlarms };
}

/**
 * The topic policy of an alarm topic: CloudWatch may publish under `condition` (statement `sid`),
 * and every non-TLS publish is denied. Named `name`, parented to `parent`.
 */
export function alarmTopicPolicy(
  name: string,
  topicArn: pulumi.Input<string>,
  publish: { sid: string; condition: Conditions },
  hook: Transform<aws.sns.TopicPolicyArgs> | undefined,
  parent: pulumi.Resource,
): aws.sns.TopicPolicy {
  const statements: Statement[] = [
    {
      Sid: publish.sid,
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: publish.condition,
    },
    denyInsecureTransport("sns:Publish", [topicArn]),
  ];
  return new aws.sns.TopicPolicy(
    ...transform(hook, name, { arn: topicArn, policy: policyDocument(statements) }, { parent }),
  );
}
