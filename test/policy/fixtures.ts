/**
 * Hand-written resources in the recorder's shape (scripts/harness/recorder.ts RecordedResource):
 * a small stack that satisfies every rule, and helpers to break it one rule at a time.
 */
import type { RecordedResource } from "../../scripts/harness/recorder";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
const PREFIX = "urn:pulumi:test::aws-serverless-flows::";

export function urnOf(type: string, name: string): string {
  return `${PREFIX}${type}::${name}`;
}

/** One resource; state defaults to the inputs (add identifiers through `state`). */
export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: { state?: Record<string, unknown>; dependsOn?: string[]; parent?: string | null } = {},
): RecordedResource {
  return {
    urn: urnOf(type, name),
    type,
    name,
    parent: extra.parent ?? null,
    custom: true,
    inputs,
    state: { ...inputs, ...extra.state },
    dependsOn: extra.dependsOn ?? [],
  };
}

export const T = {
  queue: "aws:sqs/queue:Queue",
  topic: "aws:sns/topic:Topic",
  table: "aws:dynamodb/table:Table",
  stream: "aws:kinesis/stream:Stream",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  sseV2:
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  fn: "aws:lambda/function:Function",
  key: "aws:kms/key:Key",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b5f4f1e-1111-4222-8333-944445555666`;

/** IAM policy JSON, as policyDocument() serialises it. */
export function doc(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** A function with everything the rules want, logging to `logGroupName`. */
export function goodFunction(name: string, logGroupName: string): RecordedResource {
  return res(
    T.fn,
    name,
    {
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      role: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: logGroupName },
    },
    {
      state: {
        name: `${name}-1a2b3c4`,
        arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}-1a2b3c4`,
      },
    },
  );
}

/** A small stack that passes every rule: the baseline each bad fixture changes one thing in. */
export function goodStack(): RecordedResource[] {
  const bucketName = "uploads-5d41402";
  return [
    res(T.key, "data", {
      description: "data key",
      enableKeyRotation: true,
      // Key policies legitimately give the account root kms:* on "*": not an identity policy.
      policy: doc({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: "kms:*",
        Resource: "*",
      }),
    }),
    res(T.queue, "work", { kmsMasterKeyId: KEY_ARN }),
    res(T.queue, "work-dlq", { sqsManagedSseEnabled: true }),
    res(T.topic, "events", { kmsMasterKeyId: KEY_ARN }),
    res(T.table, "items", {
      billingMode: "PAY_PER_REQUEST",
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
    }),
    res(T.stream, "clicks", { encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis" }),
    res(
      T.bucket,
      "uploads",
      {},
      { state: { bucket: bucketName, arn: `arn:aws:s3:::${bucketName}` } },
    ),
    res(
      T.sse,
      "uploads",
      {
        bucket: bucketName,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: KEY_ARN,
            },
          },
        ],
      },
      { dependsOn: [urnOf(T.bucket, "uploads")] },
    ),
    res(T.logGroup, "api", {
      name: "/aws/lambda/test/api",
      retentionInDays: 14,
      kmsKeyId: KEY_ARN,
    }),
    res(T.role, "api", {
      // Trust policies are not identity policies either.
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    }),
    res(T.rolePolicy, "api", {
      role: "api-7c4a8d0",
      policy: doc(
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/test/api:*`],
        },
        {
          Effect: "Allow",
          Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
          Resource: ["*"],
        },
        {
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
          Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/items-9f86d08`,
        },
        // A Deny may use a service wildcard.
        {
          Effect: "Deny",
          Action: "dynamodb:*",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ),
    }),
    goodFunction("api", "/aws/lambda/test/api"),
    res(T.alarm, "api-errors", {
      metricName: "Errors",
      namespace: "AWS/Lambda",
      alarmActions: [`arn:aws:sns:${REGION}:${ACCOUNT}:alarms`],
    }),
  ];
}

/** goodStack() with the resource `type`/`name` replaced (inputs merged, state rebuilt). */
export function withChange(
  type: string,
  name: string,
  change: (inputs: Record<string, unknown>) => Record<string, unknown>,
): RecordedResource[] {
  const stack = goodStack();
  const i = stack.findIndex((r) => r.type === type && r.name === name);
  if (i < 0) throw new Error(`goodStack has no ${type} ${name}`);
  const old = stack[i];
  const inputs = change({ ...old.inputs });
  const ids = Object.fromEntries(Object.entries(old.state).filter(([k]) => !(k in old.inputs)));
  stack[i] = { ...old, inputs, state: { ...inputs, ...ids } };
  return stack;
}

/** Drops `key` from an object (a "not set" input). */
export function without(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}
