/** Per rule: hand-written resources the rule must flag, and variants it must accept. */
import type { RecordedResource } from "../../scripts/harness/recorder";
import { IAM_REFERENCE_CASES } from "./casesIam";
import { API_NETWORK_CASES } from "./casesPlatform";
import { MESSAGING_CASES } from "./casesMessaging";
import {
  ACCOUNT,
  KEY_ARN,
  bucketExtras,
  REGION,
  T,
  doc,
  goodFunction,
  goodStack,
  res,
  urnOf,
  withChange,
  without,
} from "./fixtures";

export interface Bad {
  title: string;
  resources: RecordedResource[];
  /** The resource the violation must name. */
  urn: string;
  /** Per-rule config, as `evaluatePolicies(..., { config })` and `--policy-pack-config` take it. */
  config?: Record<string, Record<string, unknown>>;
  /** Other rules the same change rightly trips too (e.g. a mandatory rule and its advisory twin). */
  also?: string[];
}
export interface Good {
  title: string;
  resources: RecordedResource[];
  config?: Record<string, Record<string, unknown>>;
}

export const rolePolicy = (...statements: Record<string, unknown>[]) =>
  withChange(T.rolePolicy, "api", (i) => ({ ...i, policy: doc(...statements) }));
export const scoped = `arn:aws:sqs:${REGION}:${ACCOUNT}:work-2c26b46`;
const LEGACY_ARN = "arn:aws:s3:::legacy-0cc175b";

export type Cases = Record<string, { bad: Bad[]; good: Good[] }>;

/** Per rule: resources it must flag (naming the urn) and variants it must accept. */
export const CASES: Cases = {
  "sqs-queue-encrypted": {
    bad: [
      {
        title: "no SSE setting",
        resources: withChange(T.queue, "work", (i) => without(i, "kmsMasterKeyId")),
        urn: urnOf(T.queue, "work"),
      },
      {
        title: "SSE-SQS switched off",
        resources: withChange(T.queue, "work-dlq", () => ({ sqsManagedSseEnabled: false })),
        urn: urnOf(T.queue, "work-dlq"),
      },
    ],
    good: [
      { title: "KMS key or SSE-SQS", resources: goodStack() },
      {
        title: "both set",
        resources: withChange(T.queue, "work", (i) => ({ ...i, sqsManagedSseEnabled: true })),
      },
    ],
  },
  "sns-topic-encrypted": {
    bad: [
      {
        title: "no key",
        resources: withChange(T.topic, "events", () => ({})),
        urn: urnOf(T.topic, "events"),
      },
    ],
    good: [{ title: "with a key", resources: goodStack() }],
  },
  "dynamodb-table-encrypted": {
    bad: [
      {
        title: "SSE disabled",
        resources: withChange(T.table, "items", (i) => ({
          ...i,
          serverSideEncryption: { enabled: false },
        })),
        urn: urnOf(T.table, "items"),
      },
      {
        title: "SSE not set",
        resources: withChange(T.table, "items", (i) => without(i, "serverSideEncryption")),
        urn: urnOf(T.table, "items"),
      },
    ],
    good: [
      { title: "customer key", resources: goodStack() },
      {
        title: "AWS-managed key",
        resources: withChange(T.table, "items", (i) => ({
          ...i,
          serverSideEncryption: { enabled: true },
        })),
      },
    ],
  },
  "kinesis-stream-encrypted": {
    bad: [
      {
        title: "NONE",
        resources: withChange(T.stream, "clicks", () => ({ encryptionType: "NONE" })),
        urn: urnOf(T.stream, "clicks"),
      },
      {
        title: "not set",
        resources: withChange(T.stream, "clicks", () => ({})),
        urn: urnOf(T.stream, "clicks"),
      },
      {
        title: "KMS without a key",
        resources: withChange(T.stream, "clicks", () => ({ encryptionType: "KMS" })),
        urn: urnOf(T.stream, "clicks"),
      },
    ],
    good: [{ title: "KMS with a key", resources: goodStack() }],
  },
  "s3-bucket-encrypted": {
    bad: [
      {
        title: "no encryption configuration",
        resources: goodStack().filter((r) => r.type !== T.sse),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "the configuration targets another bucket",
        resources: withChange(T.sse, "uploads", (i) => ({ ...i, bucket: "someone-elses-bucket" })),
        urn: urnOf(T.bucket, "uploads"),
      },
      {
        title: "a BucketV2 without configuration",
        resources: [
          ...goodStack(),
          res(T.bucketV2, "legacy", {}, { state: { bucket: "legacy-0cc175b", arn: LEGACY_ARN } }),
          ...bucketExtras("legacy", "legacy-0cc175b", LEGACY_ARN),
        ],
        urn: urnOf(T.bucketV2, "legacy"),
      },
    ],
    good: [
      { title: "configuration names the bucket", resources: goodStack() },
      {
        title: "configuration names the bucket by id",
        resources: [
          ...goodStack(),
          res(T.bucketV2, "legacy", {}, { state: { id: "legacy-0cc175b", arn: LEGACY_ARN } }),
          res(T.sseV2, "legacy", { bucket: "legacy-0cc175b", rules: [{}] }),
          ...bucketExtras("legacy", "legacy-0cc175b", LEGACY_ARN),
        ],
      },
      {
        title: "target known only through property dependencies (preview)",
        resources: [
          ...goodStack(),
          res(T.bucket, "fresh", {}, { state: { bucket: null, arn: null } }),
          {
            ...res(T.sse, "fresh", { bucket: null, rules: [{}] }),
            propertyDependencies: { bucket: [urnOf(T.bucket, "fresh")] },
          } as RecordedResource,
          ...bucketExtras("fresh", null, null, urnOf(T.bucket, "fresh")),
        ],
      },
    ],
  },
  "log-group-kms-encrypted": {
    bad: [
      {
        title: "no key",
        resources: withChange(T.logGroup, "api", (i) => without(i, "kmsKeyId")),
        urn: urnOf(T.logGroup, "api"),
      },
    ],
    good: [{ title: "with a key", resources: goodStack() }],
  },
  "iam-no-wildcard-action": {
    bad: [
      {
        title: "service wildcard in a role policy",
        resources: rolePolicy({ Effect: "Allow", Action: "sqs:*", Resource: scoped }),
        urn: urnOf(T.rolePolicy, "api"),
      },
      {
        title: '"*" in a managed policy',
        resources: [
          ...goodStack(),
          res(T.policy, "ops", {
            policy: doc({ Effect: "Allow", Action: ["*"], Resource: [scoped] }),
          }),
        ],
        urn: urnOf(T.policy, "ops"),
      },
      {
        title: "service wildcard in a role's inline policy",
        resources: withChange(T.role, "api", (i) => ({
          ...i,
          inlinePolicies: [
            {
              name: "extra",
              policy: doc({ Effect: "Allow", Action: ["s3:*"], Resource: [LEGACY_ARN] }),
            },
          ],
        })),
        urn: urnOf(T.role, "api"),
      },
      {
        title: "Allow with NotAction",
        resources: rolePolicy({ Effect: "Allow", NotAction: "iam:*", Resource: scoped }),
        urn: urnOf(T.rolePolicy, "api"),
      },
    ],
    good: [
      {
        title: "explicit actions; key policy with kms:*; Deny with a wildcard",
        resources: goodStack(),
      },
      {
        title: "a partial wildcard is not a service wildcard",
        resources: rolePolicy({ Effect: "Allow", Action: "sqs:Get*", Resource: scoped }),
      },
    ],
  },
  "iam-no-wildcard-resource": {
    bad: [
      {
        title: "data-plane action on *",
        resources: rolePolicy({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }),
        urn: urnOf(T.rolePolicy, "api"),
      },
      {
        title: "a wildcard-only action does not excuse the others",
        resources: rolePolicy({
          Effect: "Allow",
          Action: ["xray:PutTraceSegments", "s3:GetObject"],
          Resource: ["*"],
        }),
        urn: urnOf(T.rolePolicy, "api"),
      },
      {
        title: "Allow with NotResource",
        resources: rolePolicy({ Effect: "Allow", Action: "sqs:SendMessage", NotResource: scoped }),
        urn: urnOf(T.rolePolicy, "api"),
      },
      {
        title: '"*" shares its statement with an ARN',
        resources: rolePolicy({
          Effect: "Allow",
          Action: "kinesis:UpdateShardCount",
          Resource: ["*", `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/clicks-6b86b27`],
        }),
        urn: urnOf(T.rolePolicy, "api"),
      },
      {
        title: "role inline policy",
        resources: withChange(T.role, "api", (i) => ({
          ...i,
          inlinePolicies: [
            {
              name: "extra",
              policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
            },
          ],
        })),
        urn: urnOf(T.role, "api"),
      },
    ],
    good: [
      { title: "X-Ray on * (no resource-level permissions)", resources: goodStack() },
      {
        title: "action names are case-insensitive",
        resources: rolePolicy({
          Effect: "Allow",
          Action: ["XRay:PutTraceSegments", "ec2:describeNetworkInterfaces"],
          Resource: "*",
        }),
      },
    ],
  },
  "lambda-log-retention": {
    bad: [
      {
        title: "the configured group is not in the stack",
        resources: goodStack().filter((r) => r.type !== T.logGroup),
        urn: urnOf(T.fn, "api"),
      },
      {
        title: "the group never expires",
        resources: withChange(T.logGroup, "api", (i) => without(i, "retentionInDays")),
        urn: urnOf(T.fn, "api"),
        // The advisory rule on every log group names the group itself.
        also: ["log-group-retention"],
      },
      {
        title: "no loggingConfig and no /aws/lambda/<name> group",
        resources: withChange(T.fn, "api", (i) => without(i, "loggingConfig")),
        urn: urnOf(T.fn, "api"),
      },
    ],
    good: [
      { title: "loggingConfig.logGroup names a group with retention", resources: goodStack() },
      {
        title: "the default /aws/lambda/<name> group with retention",
        resources: [
          ...withChange(T.fn, "api", (i) => without(i, "loggingConfig")),
          res(T.logGroup, "api-default", {
            name: "/aws/lambda/api-1a2b3c4",
            retentionInDays: 30,
            kmsKeyId: KEY_ARN,
          }),
        ],
      },
      {
        title: "group known only through property dependencies (preview)",
        resources: [
          ...goodStack(),
          res(T.logGroup, "worker", { retentionInDays: 7, kmsKeyId: KEY_ARN }),
          {
            ...goodFunction("worker", "unused"),
            state: {
              ...goodFunction("worker", "unused").state,
              loggingConfig: { logGroup: null },
              name: null,
            },
            propertyDependencies: { loggingConfig: [urnOf(T.logGroup, "worker")] },
          } as RecordedResource,
        ],
      },
    ],
  },
  "lambda-supported-runtime": {
    bad: [
      {
        title: "nodejs20.x (past end of support)",
        resources: withChange(T.fn, "api", (i) => ({ ...i, runtime: "nodejs20.x" })),
        urn: urnOf(T.fn, "api"),
      },
      {
        title: "no runtime",
        resources: withChange(T.fn, "api", (i) => without(i, "runtime")),
        urn: urnOf(T.fn, "api"),
      },
    ],
    good: [
      { title: "nodejs22.x", resources: goodStack() },
      {
        title: "nodejs24.x",
        resources: withChange(T.fn, "api", (i) => ({ ...i, runtime: "nodejs24.x" })),
      },
      {
        title: "container image (no runtime)",
        resources: withChange(T.fn, "api", (i) => ({
          ...without(i, "runtime", "handler"),
          packageType: "Image",
        })),
      },
    ],
  },
  "lambda-arm64": {
    bad: [
      {
        title: "x86_64",
        resources: withChange(T.fn, "api", (i) => ({ ...i, architectures: ["x86_64"] })),
        urn: urnOf(T.fn, "api"),
      },
      {
        title: "default architecture",
        resources: withChange(T.fn, "api", (i) => without(i, "architectures")),
        urn: urnOf(T.fn, "api"),
      },
    ],
    good: [{ title: "arm64", resources: goodStack() }],
  },
  "lambda-tracing-active": {
    bad: [
      {
        title: "PassThrough",
        resources: withChange(T.fn, "api", (i) => ({
          ...i,
          tracingConfig: { mode: "PassThrough" },
        })),
        urn: urnOf(T.fn, "api"),
      },
      {
        title: "not set",
        resources: withChange(T.fn, "api", (i) => without(i, "tracingConfig")),
        urn: urnOf(T.fn, "api"),
      },
    ],
    good: [{ title: "Active", resources: goodStack() }],
  },
  "kms-key-rotation": {
    bad: [
      {
        title: "rotation off",
        resources: withChange(T.key, "data", (i) => ({ ...i, enableKeyRotation: false })),
        urn: urnOf(T.key, "data"),
      },
      {
        title: "rotation not set",
        resources: withChange(T.key, "data", (i) => without(i, "enableKeyRotation")),
        urn: urnOf(T.key, "data"),
      },
    ],
    good: [
      { title: "rotation on", resources: goodStack() },
      {
        title: "asymmetric signing keys cannot rotate",
        resources: [
          ...goodStack(),
          res(T.key, "signing", {
            keyUsage: "SIGN_VERIFY",
            customerMasterKeySpec: "ECC_NIST_P256",
          }),
        ],
      },
    ],
  },
  "alarm-has-actions": {
    bad: [
      {
        title: "no actions",
        resources: withChange(T.alarm, "api-errors", (i) => without(i, "alarmActions")),
        urn: urnOf(T.alarm, "api-errors"),
      },
      {
        title: "actions disabled",
        resources: withChange(T.alarm, "api-errors", (i) => ({ ...i, actionsEnabled: false })),
        urn: urnOf(T.alarm, "api-errors"),
      },
    ],
    good: [{ title: "notifies the alarm topic", resources: goodStack() }],
  },
  ...IAM_REFERENCE_CASES,
  ...MESSAGING_CASES,
  ...API_NETWORK_CASES,
};
