/**
 * Cases of the storage and messaging rules: TLS-only resource policies, S3 bucket settings,
 * publishers' access (resource and key policies), DLQs, visibility timeouts, event source mappings.
 */
import type { RecordedResource } from "../../scripts/harness/recorder";
import type { Cases } from "./cases";
import {
  ACCOUNT,
  ACCOUNT_ROOT_KEY_ADMIN,
  ALARM_TOPIC_ARN,
  BUCKET_ARN,
  DLQ,
  FUNCTION_ARN,
  FUNCTION_NAME,
  KEY_ID,
  REGION,
  T,
  TOPIC_ARN,
  WORK,
  allowService,
  denyTls,
  doc,
  goodStack,
  res,
  urnOf,
  withAdded,
  withChange,
  withChanges,
  withRemoved,
  without,
} from "./fixtures";

const OTHER_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:someone-elses-topic`;
const OTHER_BUCKET = "arn:aws:s3:::someone-elses-bucket";
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/nightly-1f2e3d4`;
const ALARMS_KEY_ID = "5e6f7a8b-1111-4222-8333-944445555777";
const ALARMS_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${ALARMS_KEY_ID}`;

/** The work queue's policy with other statements (the TLS guard is added unless `tls` is false). */
const workPolicy = (statements: Record<string, unknown>[], tls = true) =>
  withChange(T.queuePolicy, "work", (i) => ({
    ...i,
    policy: doc(...statements, ...(tls ? [denyTls("sqs:*", [WORK.arn])] : [])),
  }));
const snsToWork = allowService("sns.amazonaws.com", "sqs:SendMessage", WORK.arn, TOPIC_ARN);

/** The topic's policy with other statements, keeping its TLS guard. */
const topicPolicy = (...statements: Record<string, unknown>[]) =>
  withChange(T.topicPolicy, "events", (i) => ({
    ...i,
    policy: doc(...statements, denyTls("sns:Publish", [TOPIC_ARN])),
  }));
const s3ToTopic = allowService("s3.amazonaws.com", "sns:Publish", TOPIC_ARN, BUCKET_ARN);

/** A change of the data key's policy: the root's statement plus `statements`. */
const keyChange = (
  ...statements: Record<string, unknown>[]
): [string, string, (i: Record<string, unknown>) => Record<string, unknown>] => [
  T.key,
  "data",
  (i) => ({
    ...i,
    policy: doc(ACCOUNT_ROOT_KEY_ADMIN, ...statements),
  }),
];
const keyPolicy = (...statements: Record<string, unknown>[]) =>
  withChanges(keyChange(...statements));
const keyFor = (
  service: string,
  source: string,
  actions = ["kms:GenerateDataKey*", "kms:Decrypt"],
) => allowService(service, actions, "*", source);
/** The baseline key grants plus EventBridge for RULE_ARN. */
const keyWithEvents = keyChange(
  keyFor("sns.amazonaws.com", TOPIC_ARN),
  keyFor("s3.amazonaws.com", BUCKET_ARN),
  keyFor("events.amazonaws.com", RULE_ARN),
);

/**
 * The alarm topic inside the stack (the baseline's alarms notify ALARM_TOPIC_ARN): its key and
 * topic policy let CloudWatch alarms publish unless told otherwise.
 */
function alarmTopic(
  opts: { topicStatements?: Record<string, unknown>[]; keyGrants?: boolean } = {},
) {
  const fromAlarms = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`;
  return [
    res(
      T.key,
      "alarms",
      {
        enableKeyRotation: true,
        policy: doc(
          ACCOUNT_ROOT_KEY_ADMIN,
          ...(opts.keyGrants === false
            ? []
            : [
                {
                  ...keyFor("cloudwatch.amazonaws.com", fromAlarms),
                  Condition: { ArnLike: { "aws:SourceArn": fromAlarms } },
                },
              ]),
        ),
      },
      { state: { arn: ALARMS_KEY_ARN, keyId: ALARMS_KEY_ID } },
    ),
    res(T.topic, "alarms", { kmsMasterKeyId: ALARMS_KEY_ARN }, { state: { arn: ALARM_TOPIC_ARN } }),
    res(T.topicPolicy, "alarms", {
      arn: ALARM_TOPIC_ARN,
      policy: doc(
        ...(opts.topicStatements ?? [
          {
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: ALARM_TOPIC_ARN,
            Condition: { ArnLike: { "aws:SourceArn": fromAlarms } },
          },
        ]),
        denyTls("sns:Publish", [ALARM_TOPIC_ARN]),
      ),
    }),
  ];
}

/** Alarms of the baseline with the ARNs the mock state would give them. */
const withAlarmArns = (resources: RecordedResource[]) =>
  resources.map((r) =>
    r.type === T.alarm
      ? {
          ...r,
          state: { ...r.state, arn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${r.name}` },
        }
      : r,
  );

/** An EventBridge rule targeting the work queue, as the stack's resources. */
const eventRuleToWork = [
  res(
    T.eventRule,
    "nightly",
    { scheduleExpression: "rate(1 day)" },
    {
      state: { name: "nightly-1f2e3d4", arn: RULE_ARN },
    },
  ),
  res(T.eventTarget, "nightly-work", { rule: "nightly-1f2e3d4", arn: WORK.arn }),
];

/** A queue with everything a queue needs (TLS policy, DLQ) besides what the case is about. */
function extraQueue(
  name: string,
  inputs: Record<string, unknown>,
  policyStatements: Record<string, unknown>[] = [],
): RecordedResource[] {
  const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}-9a8b7c6`;
  const url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}-9a8b7c6`;
  return [
    res(T.queue, name, inputs, { state: { name: `${name}-9a8b7c6`, arn, url } }),
    res(T.queuePolicy, name, {
      queueUrl: url,
      policy: doc(...policyStatements, denyTls("sqs:*", [arn])),
    }),
  ];
}
const extraArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}-9a8b7c6`;
const depthAlarm = (name: string, queueName: string) =>
  res(T.alarm, name, {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queueName },
    alarmActions: [ALARM_TOPIC_ARN],
  });

export const MESSAGING_CASES: Cases = {
  "sqs-queue-tls-only": {
    bad: [
      {
        title: "the queue policy has no TLS guard",
        resources: workPolicy([snsToWork], false),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "the guard only covers SendMessage (receiving over HTTP stays open)",
        resources: withChange(T.queuePolicy, "work", (i) => ({
          ...i,
          policy: doc(snsToWork, denyTls("sqs:SendMessage", [WORK.arn])),
        })),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "the guard names another queue",
        resources: withChange(T.queuePolicy, "work", (i) => ({
          ...i,
          policy: doc(snsToWork, denyTls("sqs:*", [DLQ.arn])),
        })),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "the guard denies TLS requests instead (SecureTransport true)",
        resources: withChange(T.queuePolicy, "work", (i) => ({
          ...i,
          policy: doc(snsToWork, {
            ...denyTls("sqs:*", [WORK.arn]),
            Condition: { Bool: { "aws:SecureTransport": "true" } },
          }),
        })),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "no queue policy at all",
        resources: withRemoved(T.queuePolicy, "work-dlq"),
        urn: urnOf(T.queue, "work-dlq"),
      },
      {
        title: "two queue policies overwrite each other",
        resources: withAdded(
          res(T.queuePolicy, "work-again", {
            queueUrl: WORK.url,
            policy: doc(snsToWork, denyTls("sqs:*", [WORK.arn])),
          }),
        ),
        urn: urnOf(T.queue, "work"),
      },
    ],
    good: [
      { title: "QueuePolicy with the guard", resources: goodStack() },
      {
        title: 'guard on "*" for Principal { AWS: "*" }, BoolIfExists, boolean false',
        resources: withChange(T.queuePolicy, "work-dlq", (i) => ({
          ...i,
          policy: doc({
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "*",
            Resource: "*",
            Condition: { BoolIfExists: { "aws:SecureTransport": false } },
          }),
        })),
      },
      {
        title: "the guard in the queue's own policy",
        resources: [
          ...withRemoved(T.queuePolicy, "work-dlq").map((r) =>
            r.type === T.queue && r.name === "work-dlq"
              ? { ...r, state: { ...r.state, policy: doc(denyTls("sqs:*", [DLQ.arn])) } }
              : r,
          ),
        ],
      },
      {
        title: "policy and target unknown in preview (matched by property dependency)",
        resources: [
          ...goodStack(),
          res(
            T.queue,
            "fresh",
            { sqsManagedSseEnabled: true, redrivePolicy: null },
            { state: { url: null, arn: null, name: null } },
          ),
          {
            ...res(T.queuePolicy, "fresh", { queueUrl: null, policy: null }),
            propertyDependencies: { queueUrl: [urnOf(T.queue, "fresh")] },
          } as RecordedResource,
        ],
      },
    ],
  },
  "sns-topic-tls-only": {
    bad: [
      {
        title: "the topic policy has no TLS guard",
        resources: withChange(T.topicPolicy, "events", (i) => ({ ...i, policy: doc(s3ToTopic) })),
        urn: urnOf(T.topic, "events"),
      },
      {
        title: "the guard does not cover Publish",
        resources: withChange(T.topicPolicy, "events", (i) => ({
          ...i,
          policy: doc(s3ToTopic, denyTls("sns:Subscribe", [TOPIC_ARN])),
        })),
        urn: urnOf(T.topic, "events"),
      },
    ],
    good: [
      { title: "TopicPolicy with the guard", resources: goodStack() },
      {
        title: "sns:* guard in the topic's own policy",
        resources: withRemoved(T.topicPolicy, "events").map((r) =>
          r.type === T.topic
            ? {
                ...r,
                state: { ...r.state, policy: doc(s3ToTopic, denyTls("sns:*", [TOPIC_ARN])) },
              }
            : r,
        ),
      },
    ],
  },
  "s3-bucket-tls-only": {
    bad: [
      {
        title: "the guard covers the bucket but not its objects",
        resources: withChange(T.bucketPolicy, "uploads", (i) => ({
          ...i,
          policy: doc(denyTls("s3:*", [BUCKET_ARN])),
        })),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "no bucket policy",
        resources: withRemoved(T.bucketPolicy, "uploads"),
        urn: urnOf(T.bucket, "uploads"),
      },
    ],
    good: [
      { title: "bucket and objects guarded", resources: goodStack() },
      {
        title: 'guard on "*"',
        resources: withChange(T.bucketPolicy, "uploads", (i) => ({
          ...i,
          policy: doc(denyTls("*", ["*"])),
        })),
      },
    ],
  },
  "s3-public-access-block": {
    bad: [
      {
        title: "no public access block",
        resources: withRemoved(T.publicAccessBlock, "uploads"),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "restrictPublicBuckets off",
        resources: withChange(T.publicAccessBlock, "uploads", (i) => ({
          ...i,
          restrictPublicBuckets: false,
        })),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "an account block with a flag off does not cover the bucket",
        resources: [
          ...withRemoved(T.publicAccessBlock, "uploads"),
          res(T.accountPublicAccessBlock, "account", {
            blockPublicAcls: true,
            blockPublicPolicy: false,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          }),
        ],
        urn: urnOf(T.bucket, "uploads"),
      },
    ],
    good: [
      { title: "all four flags", resources: goodStack() },
      {
        title: "the account-wide block instead",
        resources: [
          ...withRemoved(T.publicAccessBlock, "uploads"),
          res(T.accountPublicAccessBlock, "account", {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          }),
        ],
      },
    ],
  },
  "s3-bucket-versioning": {
    bad: [
      {
        title: "no versioning",
        resources: withRemoved(T.versioning, "uploads"),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "versioning suspended",
        resources: withChange(T.versioning, "uploads", (i) => ({
          ...i,
          versioningConfiguration: { status: "Suspended" },
        })),
        urn: urnOf(T.bucket, "uploads"),
      },
    ],
    good: [
      { title: "Enabled", resources: goodStack() },
      {
        title: "the bucket's inline versioning reads enabled",
        resources: withRemoved(T.versioning, "uploads").map((r) =>
          r.type === T.bucket ? { ...r, state: { ...r.state, versioning: { enabled: true } } } : r,
        ),
      },
    ],
  },
  "s3-noncurrent-version-expiration": {
    bad: [
      {
        title: "no lifecycle configuration",
        resources: withRemoved(T.lifecycle, "uploads"),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "the rule is disabled",
        resources: withChange(T.lifecycle, "uploads", (i) => ({
          ...i,
          rules: [
            { status: "Disabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
          ],
        })),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "the rule only covers a prefix",
        resources: withChange(T.lifecycle, "uploads", (i) => ({
          ...i,
          rules: [
            {
              status: "Enabled",
              filter: { prefix: "tmp/" },
              noncurrentVersionExpiration: { noncurrentDays: 30 },
            },
          ],
        })),
        urn: urnOf(T.bucket, "uploads"),
      },
    ],
    good: [
      { title: "whole-bucket rule", resources: goodStack() },
      {
        title: "among other rules, with an empty prefix",
        resources: withChange(T.lifecycle, "uploads", (i) => ({
          ...i,
          rules: [
            { status: "Enabled", filter: { prefix: "raw/" }, expiration: { days: 7 } },
            {
              status: "Enabled",
              filter: { prefix: "" },
              noncurrentVersionExpiration: { noncurrentDays: 7 },
            },
          ],
        })),
      },
    ],
  },
  "publisher-allowed-by-resource-policy": {
    bad: [
      {
        title: "SNS -> SQS: the queue policy does not allow the topic",
        resources: workPolicy([]),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "SNS -> SQS: allowed for another topic only",
        resources: workPolicy([
          allowService("sns.amazonaws.com", "sqs:SendMessage", WORK.arn, OTHER_TOPIC),
        ]),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "SNS -> SQS: allowed without aws:SourceArn (any topic of any account)",
        resources: workPolicy([
          {
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: WORK.arn,
          },
        ]),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "SNS -> SQS: the allow names another queue",
        resources: workPolicy([
          allowService("sns.amazonaws.com", "sqs:SendMessage", DLQ.arn, TOPIC_ARN),
        ]),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "S3 -> SNS: the topic policy does not allow S3",
        resources: topicPolicy(),
        urn: urnOf(T.topic, "events"),
      },
      {
        title: "S3 -> SNS: aws:SourceAccount of another account",
        resources: topicPolicy({
          ...s3ToTopic,
          Condition: {
            ArnEquals: { "aws:SourceArn": BUCKET_ARN },
            StringEquals: { "aws:SourceAccount": "999999999999" },
          },
        }),
        urn: urnOf(T.topic, "events"),
      },
      {
        title: "S3 -> Lambda: no permission",
        resources: withRemoved(T.permission, "uploads-api"),
        urn: urnOf(T.fn, "api"),
      },
      {
        title: "S3 -> Lambda: the permission is for another bucket",
        resources: withChange(T.permission, "uploads-api", (i) => ({
          ...i,
          sourceArn: OTHER_BUCKET,
        })),
        urn: urnOf(T.fn, "api"),
      },
      {
        title: "S3 -> Lambda: the permission has no sourceArn",
        resources: withChange(T.permission, "uploads-api", (i) => without(i, "sourceArn")),
        urn: urnOf(T.fn, "api"),
      },
      {
        title: "SNS -> subscription DLQ: the DLQ does not allow the topic",
        resources: withChange(T.subscription, "work", (i) => ({
          ...i,
          redrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ.arn }),
        })),
        urn: urnOf(T.queue, "work-dlq"),
      },
      {
        title: "alarms -> SNS: the alarm topic lets only S3 publish",
        resources: withAlarmArns(
          withAdded(
            ...alarmTopic({
              topicStatements: [
                allowService("s3.amazonaws.com", "sns:Publish", ALARM_TOPIC_ARN, BUCKET_ARN),
              ],
            }),
          ),
        ),
        urn: urnOf(T.topic, "alarms"),
      },
      {
        title: "EventBridge -> SQS: the queue policy does not allow events.amazonaws.com",
        resources: [...withChanges(keyWithEvents), ...eventRuleToWork],
        urn: urnOf(T.queue, "work"),
      },
    ],
    good: [
      {
        title: "SNS -> SQS, S3 -> SNS and S3 -> Lambda each allowed for their source",
        resources: goodStack(),
      },
      {
        title: "ArnLike with a wildcard, principal as a list",
        resources: workPolicy([
          {
            Effect: "Allow",
            Principal: { Service: ["sns.amazonaws.com"] },
            Action: ["sqs:SendMessage"],
            Resource: WORK.arn,
            Condition: {
              ArnLike: { "aws:SourceArn": `arn:aws:sns:${REGION}:${ACCOUNT}:events-*` },
            },
          },
        ]),
      },
      {
        title: "SNS -> subscription DLQ allowed",
        resources: withChanges(
          [
            T.subscription,
            "work",
            (i) => ({ ...i, redrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ.arn }) }),
          ],
          [
            T.queuePolicy,
            "work-dlq",
            (i) => ({
              ...i,
              policy: doc(
                allowService("sns.amazonaws.com", "sqs:SendMessage", DLQ.arn, TOPIC_ARN),
                denyTls("sqs:*", [DLQ.arn]),
              ),
            }),
          ],
        ),
      },
      {
        title: "alarms -> an alarm topic of the stack that lets CloudWatch publish",
        resources: withAlarmArns(withAdded(...alarmTopic())),
      },
      {
        title: "EventBridge -> SQS allowed for the rule",
        resources: [
          ...withChanges(keyWithEvents, [
            T.queuePolicy,
            "work",
            (i) => ({
              ...i,
              policy: doc(
                snsToWork,
                allowService("events.amazonaws.com", "sqs:SendMessage", WORK.arn, RULE_ARN),
                denyTls("sqs:*", [WORK.arn]),
              ),
            }),
          ]),
          ...eventRuleToWork,
        ],
      },
      {
        title: "SNS -> Lambda with a permission for the topic",
        resources: withAdded(
          res(T.subscription, "api", {
            topic: TOPIC_ARN,
            protocol: "lambda",
            endpoint: FUNCTION_ARN,
          }),
          res(T.permission, "events-api", {
            action: "lambda:InvokeFunction",
            function: FUNCTION_ARN,
            principal: "sns.amazonaws.com",
            sourceArn: TOPIC_ARN,
          }),
        ),
      },
    ],
  },
  "publisher-allowed-by-key-policy": {
    bad: [
      {
        title: "SNS -> encrypted SQS: the key grants SNS nothing",
        resources: keyPolicy(keyFor("s3.amazonaws.com", BUCKET_ARN)),
        urn: urnOf(T.key, "data"),
      },
      {
        title: "S3 -> encrypted SNS: the key grants S3 only kms:Decrypt",
        resources: keyPolicy(
          keyFor("sns.amazonaws.com", TOPIC_ARN),
          keyFor("s3.amazonaws.com", BUCKET_ARN, ["kms:Decrypt"]),
        ),
        urn: urnOf(T.key, "data"),
      },
      {
        title: "the grant is limited to another topic",
        resources: keyPolicy(
          keyFor("sns.amazonaws.com", OTHER_TOPIC),
          keyFor("s3.amazonaws.com", BUCKET_ARN),
        ),
        urn: urnOf(T.key, "data"),
      },
      {
        title: "alarms -> encrypted alarm topic: the key does not grant CloudWatch",
        resources: withAlarmArns(withAdded(...alarmTopic({ keyGrants: false }))),
        urn: urnOf(T.key, "alarms"),
      },
    ],
    good: [
      { title: "the key grants SNS and S3 for their sources", resources: goodStack() },
      {
        title: "one statement for both services, key named by alias",
        resources: [
          ...withChanges(
            [
              T.key,
              "data",
              (i) => ({
                ...i,
                policy: doc({
                  Effect: "Allow",
                  Principal: { Service: ["sns.amazonaws.com", "s3.amazonaws.com"] },
                  Action: "kms:*",
                  Resource: "*",
                }),
              }),
            ],
            [T.queue, "work", (i) => ({ ...i, kmsMasterKeyId: "alias/data" })],
          ),
          res(T.alias, "data", { name: "alias/data", targetKeyId: KEY_ID }),
        ],
      },
      {
        title: "a key outside the stack is not checked",
        resources: withChange(T.queue, "work", (i) => ({
          ...i,
          kmsMasterKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-aaaa-4bbb-8ccc-000000000000`,
        })),
      },
    ],
  },
  "service-publisher-customer-key": {
    bad: [
      {
        title: "SNS delivers to a queue under alias/aws/sqs",
        resources: withChange(T.queue, "work", (i) => ({ ...i, kmsMasterKeyId: "alias/aws/sqs" })),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "S3 publishes to a topic under the alias/aws/sns ARN",
        resources: withChange(T.topic, "events", (i) => ({
          ...i,
          kmsMasterKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/sns`,
        })),
        urn: urnOf(T.topic, "events"),
      },
    ],
    good: [
      { title: "customer-managed key", resources: goodStack() },
      {
        title: "SSE-SQS on a queue SNS delivers to",
        resources: withChange(T.queue, "work", (i) => ({
          ...without(i, "kmsMasterKeyId"),
          sqsManagedSseEnabled: true,
        })),
      },
      {
        title: "an AWS-managed key where no service delivers (functions use their role)",
        resources: withChange(T.queue, "work-dlq", (i) => ({
          ...without(i, "sqsManagedSseEnabled"),
          kmsMasterKeyId: "alias/aws/sqs",
        })),
      },
    ],
  },
  "sqs-work-queue-has-dlq": {
    bad: [
      {
        title: "no redrive policy",
        resources: withChange(T.queue, "work", (i) => without(i, "redrivePolicy")),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "a FIFO queue with a standard DLQ",
        resources: withChange(T.queue, "work", (i) => ({ ...i, fifoQueue: true })),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "the DLQ keeps messages for less time than the queue",
        resources: withChange(T.queue, "work-dlq", (i) => ({
          ...i,
          messageRetentionSeconds: 86400,
        })),
        urn: urnOf(T.queue, "work"),
      },
    ],
    good: [
      { title: "redrive to a DLQ that keeps messages longer", resources: goodStack() },
      {
        title: "redrive set by an aws.sqs.RedrivePolicy",
        resources: [
          ...withChange(T.queue, "work", (i) => without(i, "redrivePolicy")),
          res(T.redrive, "work", {
            queueUrl: WORK.url,
            redrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ.arn, maxReceiveCount: 3 }),
          }),
        ],
      },
      {
        title: "a subscription's DLQ needs no DLQ of its own",
        resources: [
          ...withChange(T.subscription, "work", (i) => ({
            ...i,
            redrivePolicy: JSON.stringify({ deadLetterTargetArn: extraArn("sub-dlq") }),
          })),
          ...extraQueue("sub-dlq", { sqsManagedSseEnabled: true }, [
            allowService("sns.amazonaws.com", "sqs:SendMessage", extraArn("sub-dlq"), TOPIC_ARN),
          ]),
          depthAlarm("sub-dlq-depth", "sub-dlq-9a8b7c6"),
        ],
      },
    ],
  },
  "sqs-dlq-alarm": {
    bad: [
      {
        title: "no alarm on the DLQ",
        resources: withRemoved(T.alarm, "work-dlq-depth"),
        urn: urnOf(T.queue, "work-dlq"),
      },
      {
        title: "the alarm watches another metric",
        resources: withChange(T.alarm, "work-dlq-depth", (i) => ({
          ...i,
          metricName: "ApproximateAgeOfOldestMessage",
        })),
        urn: urnOf(T.queue, "work-dlq"),
      },
      {
        title: "the alarm watches another queue",
        resources: withChange(T.alarm, "work-dlq-depth", (i) => ({
          ...i,
          dimensions: { QueueName: WORK.name },
        })),
        urn: urnOf(T.queue, "work-dlq"),
      },
      {
        title: "an on-failure destination without an alarm",
        resources: [
          ...withChange(T.esm, "clicks", (i) => ({
            ...i,
            destinationConfig: { onFailure: { destinationArn: extraArn("failed") } },
          })),
          ...extraQueue("failed", { sqsManagedSseEnabled: true }),
        ],
        urn: urnOf(T.queue, "failed"),
      },
    ],
    good: [
      { title: "depth alarm on the DLQ", resources: goodStack() },
      {
        title: "depth alarm through a metric query",
        resources: withChange(T.alarm, "work-dlq-depth", () => ({
          alarmActions: [ALARM_TOPIC_ARN],
          metricQueries: [
            {
              id: "depth",
              returnData: true,
              metric: {
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: DLQ.name },
                period: 60,
                stat: "Maximum",
              },
            },
          ],
        })),
      },
    ],
  },
  "sqs-visibility-timeout": {
    bad: [
      {
        title: "30 s for a 10 s function",
        resources: withChange(T.queue, "work", (i) => ({ ...i, visibilityTimeoutSeconds: 30 })),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "SQS's default (30 s) for a 10 s function",
        resources: withChange(T.queue, "work", (i) => without(i, "visibilityTimeoutSeconds")),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "a longer function timeout",
        resources: withChange(T.fn, "api", (i) => ({ ...i, timeout: 15 })),
        urn: urnOf(T.queue, "work"),
      },
    ],
    good: [
      { title: "exactly 6x", resources: goodStack() },
      {
        title: "defaults on both sides (30 s >= 6 x 3 s)",
        resources: withChanges(
          [T.queue, "work", (i) => without(i, "visibilityTimeoutSeconds")],
          [T.fn, "api", (i) => without(i, "timeout")],
        ),
      },
    ],
  },
  "event-source-batch-item-failures": {
    bad: [
      {
        title: "SQS mapping",
        resources: withChange(T.esm, "work", (i) => without(i, "functionResponseTypes")),
        urn: urnOf(T.esm, "work"),
      },
      {
        title: "Kinesis mapping",
        resources: withChange(T.esm, "clicks", (i) => ({ ...i, functionResponseTypes: [] })),
        urn: urnOf(T.esm, "clicks"),
      },
    ],
    good: [
      { title: "SQS and Kinesis mappings report them", resources: goodStack() },
      {
        title: "a Kafka source is out of scope",
        resources: withAdded(
          res(T.esm, "kafka", {
            eventSourceArn: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/events/0a1b2c3d-4e5f`,
            functionName: FUNCTION_NAME,
            topics: ["orders"],
          }),
        ),
      },
    ],
  },
  "stream-source-failure-handling": {
    bad: [
      {
        title: "no bisect",
        resources: withChange(T.esm, "clicks", (i) => without(i, "bisectBatchOnFunctionError")),
        urn: urnOf(T.esm, "clicks"),
      },
      {
        title: "retries forever (-1)",
        resources: withChange(T.esm, "clicks", (i) => ({ ...i, maximumRetryAttempts: -1 })),
        urn: urnOf(T.esm, "clicks"),
      },
      {
        title: "no record age limit",
        resources: withChange(T.esm, "clicks", (i) => without(i, "maximumRecordAgeInSeconds")),
        urn: urnOf(T.esm, "clicks"),
      },
      {
        title: "no on-failure destination",
        resources: withChange(T.esm, "clicks", (i) => without(i, "destinationConfig")),
        urn: urnOf(T.esm, "clicks"),
      },
      {
        title: "a DynamoDB stream mapping on AWS's defaults",
        resources: withAdded(
          res(T.esm, "changes", {
            eventSourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/items-9f86d08/stream/2026-01-01T00:00:00.000`,
            functionName: FUNCTION_NAME,
            startingPosition: "LATEST",
            functionResponseTypes: ["ReportBatchItemFailures"],
          }),
        ),
        urn: urnOf(T.esm, "changes"),
      },
    ],
    good: [
      { title: "every limit set (SQS mappings need none)", resources: goodStack() },
      {
        title: "zero retries is a limit",
        resources: withChange(T.esm, "clicks", (i) => ({ ...i, maximumRetryAttempts: 0 })),
      },
    ],
  },
};
