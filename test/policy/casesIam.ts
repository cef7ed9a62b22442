/**
 * Cases of the rules that check IAM documents against AWS's Service Authorization Reference:
 * actions exist, Resources can match the actions' resource types, condition keys exist. Each bad
 * case breaks one document of the baseline stack; the baseline itself passes.
 */
import type { Cases } from "./cases";
import {
  ACCOUNT,
  KEY_ARN,
  REGION,
  STREAM_ARN,
  T,
  WORK,
  doc,
  goodStack,
  res,
  urnOf,
  withChange,
} from "./fixtures";

const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/items-4e07408`;
const rolePolicy = (...statements: Record<string, unknown>[]) =>
  withChange(T.rolePolicy, "api", (i) => ({ ...i, policy: doc(...statements) }));
/** The baseline queue policy with statements added (its own still hold). */
const queuePolicy = (...statements: Record<string, unknown>[]) =>
  withChange(T.queuePolicy, "work", (i) => {
    const { Statement } = JSON.parse(String(i.policy)) as { Statement: Record<string, unknown>[] };
    return { ...i, policy: doc(...Statement, ...statements) };
  });
const managed = (...statements: Record<string, unknown>[]) => [
  ...goodStack(),
  res(T.policy, "ops", { policy: doc(...statements) }),
];
const ROLE_POLICY = urnOf(T.rolePolicy, "api");

export const IAM_REFERENCE_CASES: Cases = {
  "iam-action-exists": {
    bad: [
      {
        title: "a misspelt action",
        resources: rolePolicy({ Effect: "Allow", Action: "sqs:SendMesage", Resource: WORK.arn }),
        urn: ROLE_POLICY,
      },
      {
        title: "an unknown service prefix in a queue policy's Deny",
        resources: queuePolicy({
          Effect: "Deny",
          Principal: "*",
          Action: "sqsx:*",
          Resource: WORK.arn,
        }),
        urn: urnOf(T.queuePolicy, "work"),
      },
      {
        title: "a wildcard that matches no action",
        resources: managed({
          Effect: "Allow",
          Action: "kinesis:Frobnicate*",
          Resource: STREAM_ARN,
        }),
        urn: urnOf(T.policy, "ops"),
      },
      {
        title: "a trust policy action that does not exist",
        resources: withChange(T.role, "api", (i) => ({
          ...i,
          assumeRolePolicy: doc({
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRoles",
          }),
        })),
        urn: urnOf(T.role, "api"),
      },
    ],
    good: [
      { title: "the baseline stack", resources: goodStack() },
      {
        title: "action names are case-insensitive; wildcards that match",
        resources: rolePolicy({
          Effect: "Allow",
          Action: ["SQS:sendmessage", "kms:GenerateDataKey*"],
          Resource: [WORK.arn, KEY_ARN],
        }),
      },
    ],
  },
  "iam-resource-matches-action": {
    bad: [
      {
        title: "an action with no resource type scoped to an ARN (UpdateShardCount)",
        resources: rolePolicy({
          Effect: "Allow",
          Action: ["kinesis:DescribeStreamSummary", "kinesis:UpdateShardCount"],
          Resource: STREAM_ARN,
        }),
        urn: ROLE_POLICY,
      },
      {
        title: "a table action on a stream ARN",
        resources: rolePolicy({
          Effect: "Allow",
          Action: "dynamodb:GetItem",
          Resource: `${TABLE_ARN}/stream/2026-01-01T00:00:00.000`.replace("table/", "stream/"),
        }),
        urn: ROLE_POLICY,
      },
      {
        title: "a queue ARN for a topic action",
        resources: rolePolicy({ Effect: "Allow", Action: "sns:Publish", Resource: WORK.arn }),
        urn: ROLE_POLICY,
      },
      {
        title: "a Resource no action of the statement can match (bucket policy style)",
        resources: managed({
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: [WORK.arn, KEY_ARN],
        }),
        urn: urnOf(T.policy, "ops"),
      },
      {
        title: "a Deny whose wildcard actions can match none of its Resources",
        resources: queuePolicy({
          Effect: "Deny",
          Principal: "*",
          Action: "sqs:*",
          Resource: STREAM_ARN,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
        urn: urnOf(T.queuePolicy, "work"),
      },
    ],
    good: [
      {
        title: "the baseline stack (key policies on *, Deny sqs:* on the queue)",
        resources: goodStack(),
      },
      {
        title: "wildcard-only actions on * in their own statement; ARN patterns with wildcards",
        resources: rolePolicy(
          { Effect: "Allow", Action: "kinesis:UpdateShardCount", Resource: "*" },
          {
            Effect: "Allow",
            Action: ["dynamodb:Query", "dynamodb:GetItem"],
            Resource: [TABLE_ARN, `${TABLE_ARN}/index/*`],
          },
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/api:*`,
          },
          { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::uploads-5d41402/*" },
        ),
      },
      {
        title: "unknown values (null in the offline plan) are skipped",
        resources: rolePolicy({ Effect: "Allow", Action: "sns:Publish", Resource: [null] }),
      },
    ],
  },
  "iam-condition-key-exists": {
    bad: [
      {
        title: "a key of another action",
        resources: rolePolicy({
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: WORK.arn,
          Condition: { StringEquals: { "kms:ViaService": `sqs.${REGION}.amazonaws.com` } },
        }),
        urn: ROLE_POLICY,
      },
      {
        title: "a misspelt global key in a queue policy",
        resources: queuePolicy({
          Effect: "Deny",
          Principal: "*",
          Action: "sqs:*",
          Resource: WORK.arn,
          Condition: { Bool: { "aws:SecureTransprt": "false" } },
        }),
        urn: urnOf(T.queuePolicy, "work"),
      },
    ],
    good: [
      { title: "the baseline stack (aws:SourceArn, aws:SecureTransport)", resources: goodStack() },
      {
        title: "service keys, keys with variables, case-insensitive",
        resources: rolePolicy({
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: KEY_ARN,
          Condition: {
            StringEquals: {
              "KMS:ViaService": `sqs.${REGION}.amazonaws.com`,
              "kms:EncryptionContext:aws:sqs:arn": WORK.arn,
              "aws:ResourceTag/team": "flows",
            },
          },
        }),
      },
    ],
  },
};
