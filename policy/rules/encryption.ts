import * as aws from "@pulumi/aws";
import {
  type PolicyResource,
  type StackValidationArgs,
  validateResourceOfType,
} from "@pulumi/policy";
import { type Rule, UNKNOWN, isGiven, isSet, known, requireOn } from "./util";

/** SQS: SSE with a KMS key, or SSE-SQS; either way stated explicitly rather than left to defaults. */
export const sqsQueueEncrypted = requireOn(aws.sqs.Queue, {
  name: "sqs-queue-encrypted",
  description: "SQS queues are encrypted at rest (kmsMasterKeyId or sqsManagedSseEnabled).",
  enforcementLevel: "mandatory",
  ok: (queue) => isGiven(() => queue.kmsMasterKeyId) || queue.sqsManagedSseEnabled === true,
  fix: "Set kmsMasterKeyId (a customer-managed key when SNS or S3 publish to the queue) or sqsManagedSseEnabled: true.",
});

/** SNS topics are not encrypted unless a key is named. */
export const snsTopicEncrypted = requireOn(aws.sns.Topic, {
  name: "sns-topic-encrypted",
  description: "SNS topics are encrypted at rest with a KMS key (kmsMasterKeyId).",
  enforcementLevel: "mandatory",
  ok: (topic) => isGiven(() => topic.kmsMasterKeyId),
  fix: "Set kmsMasterKeyId; use a customer-managed key when a service principal (S3, CloudWatch) publishes.",
});

/** DynamoDB: KMS encryption (AWS-managed or customer key) so key use is auditable in CloudTrail. */
export const dynamodbTableEncrypted = requireOn(aws.dynamodb.Table, {
  name: "dynamodb-table-encrypted",
  description: "DynamoDB tables use KMS server-side encryption (serverSideEncryption.enabled).",
  enforcementLevel: "mandatory",
  ok: (table) => table.serverSideEncryption?.enabled === true,
  fix: "Set serverSideEncryption: { enabled: true } (optionally with kmsKeyArn).",
});

/** Kinesis streams are plaintext at rest unless encryptionType is KMS. */
export const kinesisStreamEncrypted: Rule = {
  name: "kinesis-stream-encrypted",
  description: "Kinesis data streams are encrypted at rest (encryptionType KMS with a kmsKeyId).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, report) => {
    if (stream.encryptionType !== "KMS") {
      report(
        `encryptionType is ${JSON.stringify(stream.encryptionType ?? "NONE")}; set it to "KMS".`,
      );
    } else if (!isGiven(() => stream.kmsKeyId)) {
      report('encryptionType is KMS but kmsKeyId is empty; name a key (or "alias/aws/kinesis").');
    }
  }),
};

/** CloudWatch Logs encrypts every group with its own key; a CMK adds key-policy control. */
export const logGroupKmsEncrypted = requireOn(aws.cloudwatch.LogGroup, {
  name: "log-group-kms-encrypted",
  description: "CloudWatch log groups are encrypted with a customer-managed KMS key (kmsKeyId).",
  enforcementLevel: "advisory",
  ok: (group) => isGiven(() => group.kmsKeyId),
  fix: "Set kmsKeyId to a key whose policy lets logs.<region>.amazonaws.com use it.",
});

const isBucket = (r: PolicyResource) => r.isType(aws.s3.Bucket) || r.isType(aws.s3.BucketV2);
const isEncryptionConfig = (r: PolicyResource) =>
  r.isType(aws.s3.BucketServerSideEncryptionConfiguration) ||
  r.isType(aws.s3.BucketServerSideEncryptionConfigurationV2);

/** Does `config` (an SSE configuration resource) target `bucket`? undefined when undecidable. */
function targets(config: PolicyResource, bucket: PolicyResource): boolean | undefined {
  // Pulumi records which resources feed each property: exact even while names are unknown.
  if ((config.propertyDependencies?.bucket ?? []).some((d) => d.urn === bucket.urn)) return true;
  const target = known(() => config.props.bucket as unknown);
  if (target === UNKNOWN || target === null) return undefined;
  const names = [
    known(() => bucket.props.bucket as unknown),
    known(() => bucket.props.id as unknown),
  ];
  return names.some((n) => isSet(n) && n === target);
}

/**
 * S3 encryption lives in its own resource (the bucket's inline block is deprecated, and its output
 * echoes AWS's SSE-S3 default whatever was asked), so this is a stack rule: every bucket needs a
 * BucketServerSideEncryptionConfiguration pointing at it, which makes the algorithm and key explicit.
 */
export const s3BucketEncrypted: Rule = {
  name: "s3-bucket-encrypted",
  description: "Every S3 bucket is the target of a BucketServerSideEncryptionConfiguration.",
  enforcementLevel: "mandatory",
  validateStack: (args: StackValidationArgs, report) => {
    const buckets = args.resources.filter(isBucket);
    const configs = args.resources.filter(isEncryptionConfig);
    for (const bucket of buckets) {
      const matches = configs.map((c) => targets(c, bucket));
      if (matches.includes(true)) continue;
      // A configuration whose target is still unknown may be this bucket's: decide on `up`.
      if (matches.includes(undefined)) continue;
      report(
        `Bucket ${bucket.name} has no server-side encryption configuration; add an ` +
          "aws.s3.BucketServerSideEncryptionConfiguration with bucket: <bucket>.id.",
        bucket.urn,
      );
    }
  },
};

/**
 * Firehose buffers records before delivery. Direct PUT streams encrypt that buffer only with
 * serverSideEncryption; streams reading a Kinesis stream (or MSK) rely on the source's encryption,
 * which AWS does not let them add to (and the source has its own rule).
 */
export const firehoseEncrypted: Rule = {
  name: "firehose-encrypted",
  description:
    "Firehose delivery streams fed by Direct PUT have server-side encryption enabled (stream-fed ones inherit the source's).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(
    aws.kinesis.FirehoseDeliveryStream,
    (stream, _args, report) => {
      if (isGiven(() => stream.kinesisSourceConfiguration?.kinesisStreamArn)) return;
      if (isGiven(() => stream.mskSourceConfiguration?.mskClusterArn)) return;
      if (stream.serverSideEncryption?.enabled === true) return;
      report(
        'Set serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn } (or AWS_OWNED_CMK), ' +
          "or feed the delivery stream from an encrypted Kinesis stream.",
      );
    },
  ),
};

export const ENCRYPTION_RULES: Rule[] = [
  sqsQueueEncrypted,
  snsTopicEncrypted,
  dynamodbTableEncrypted,
  kinesisStreamEncrypted,
  s3BucketEncrypted,
  firehoseEncrypted,
  logGroupKmsEncrypted,
];
