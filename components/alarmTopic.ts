import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Conditions, Statement, denyInsecureTransport, policyDocument } from "./iam";
import { ServiceKey, ServiceKeyArgs } from "./kmsKey";
import { Transform, applyTransform } from "./transform";
import { ArgumentErrors } from "./validate";

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
   * alarms arrive). Default: no subscription.
   */
  email?: string;
  /** Display name used as the sender of email notifications. Default: "Alarms". */
  displayName?: string;
  /** Override hooks, one per child. */
  transform?: {
    key?: ServiceKeyArgs["transform"];
    topic?: Transform<aws.sns.TopicArgs>;
    topicPolicy?: Transform<aws.sns.TopicPolicyArgs>;
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
  };
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

    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const region = aws.getRegionOutput({}, parent).region;
    // Only alarms of this account and region: no other account's alarm can borrow the grant.
    const fromOwnAlarms: Conditions = {
      StringEquals: { "aws:SourceAccount": account },
      ArnLike: {
        "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${region}:${account}:alarm:*`,
      },
    };

    this.key = new ServiceKey(
      name,
      {
        description: `Encrypts alarm topic ${name}`,
        users: [{ service: "cloudwatch.amazonaws.com", condition: fromOwnAlarms }],
        transform: args.transform?.key,
      },
      parent,
    );

    this.topic = new aws.sns.Topic(
      name,
      applyTransform<aws.sns.TopicArgs>(
        { displayName: args.displayName ?? "Alarms", kmsMasterKeyId: this.key.arn },
        args.transform?.topic,
        name,
      ),
      parent,
    );
    this.arn = this.topic.arn;

    const statements: Statement[] = [
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: this.topic.arn,
        Condition: fromOwnAlarms,
      },
      denyInsecureTransport("sns:Publish", [this.topic.arn]),
    ];
    this.topicPolicy = new aws.sns.TopicPolicy(
      name,
      applyTransform<aws.sns.TopicPolicyArgs>(
        { arn: this.topic.arn, policy: policyDocument(statements) },
        args.transform?.topicPolicy,
        name,
      ),
      parent,
    );

    if (args.email !== undefined) {
      const n = `${name}-email`;
      this.subscription = new aws.sns.TopicSubscription(
        n,
        applyTransform<aws.sns.TopicSubscriptionArgs>(
          { topic: this.topic.arn, protocol: "email", endpoint: args.email },
          args.transform?.subscription,
          n,
        ),
        parent,
      );
    }

    this.registerOutputs({ arn: this.arn });
  }
}
