import { expect } from "chai";
import { evaluatePolicies } from "../../policy/evaluate";
import { iamActionExists } from "../../policy/rules";
import { RESOURCELESS_REQUESTS, needsResource } from "../../policy/rules/iam";
import {
  actionSupportsConditionKey,
  arnPatternsIntersect,
  closest,
  expandAction,
  isGlobalConditionKey,
  resourceFitsAction,
  serviceExists,
} from "../../policy/rules/iamReference";
import { rolePolicy } from "./cases";

const one = (id: string) => {
  const found = expandAction(id);
  if (found === "all" || found.length !== 1) throw new Error(`${id}: ${JSON.stringify(found)}`);
  return found[0];
};

describe("AWS's Service Authorization Reference (policy/rules/iamReference.ts)", () => {
  it("knows services and actions, case-insensitively", () => {
    expect(serviceExists("sqs")).to.equal(true);
    expect(serviceExists("SQS")).to.equal(true);
    expect(serviceExists("sqsx")).to.equal(false);
    expect(serviceExists("../actions/sqs")).to.equal(false);
    expect(one("SQS:sendmessage").id).to.equal("sqs:SendMessage");
    expect(expandAction("sqs:SendMesage")).to.deep.equal([]);
    expect(expandAction("*")).to.equal("all");
  });

  it("suggests the closest action or service for a misspelt one", () => {
    const [found] = evaluatePolicies(
      rolePolicy({
        Effect: "Allow",
        Action: "sqs:SendMesage",
        Resource: "arn:aws:sqs:us-east-1:1:q",
      }),
      { rules: [iamActionExists] },
    );
    expect(found.message).to.contain('(did you mean "sqs:SendMessage"?)');
    const [service] = evaluatePolicies(
      rolePolicy({ Effect: "Allow", Action: "dynamdb:GetItem", Resource: "*" }),
      { rules: [iamActionExists] },
    );
    expect(service.message).to.contain('no service prefix "dynamdb" (did you mean "dynamodb"?)');
    expect(closest("zzzzzzzz", ["sqs", "sns"])).to.equal(undefined);
    const [malformed] = evaluatePolicies(
      rolePolicy({ Effect: "Allow", Action: "sqs: SendMessage", Resource: "*" }),
      { rules: [iamActionExists] },
    );
    expect(malformed.message).to.contain('not of the form "service:Action"');
  });

  it("expands wildcards through the data", () => {
    const generate = expandAction("kms:GenerateDataKey*");
    expect(generate).to.not.equal("all");
    const ids = (generate as { id: string }[]).map((a) => a.id);
    expect(ids).to.include.members(["kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"]);
    expect(ids.every((id) => id.startsWith("kms:GenerateDataKey"))).to.equal(true);
    expect((expandAction("sqs:*") as unknown[]).length).to.be.greaterThan(15);
    expect((expandAction("sqs:?etQueueUrl") as { id: string }[]).map((a) => a.id)).to.deep.equal([
      "sqs:GetQueueUrl",
    ]);
  });

  it("reads resource types: none for the actions only * authorises (the known wrong grants)", () => {
    for (const id of [
      "kinesis:UpdateShardCount",
      "dynamodb:ListStreams",
      "logs:DescribeLogGroups",
    ]) {
      expect(one(id).resourceTypes, id).to.deep.equal([]);
    }
    expect(one("kinesis:DescribeStream").resourceTypes.map((rt) => rt.arn)).to.deep.equal([
      "arn:${Partition}:kinesis:${Region}:${Account}:stream/${StreamName}",
    ]);
  });

  it("intersects ARN patterns, variables and * as wildcards, ? as one character", () => {
    const stream = "arn:${Partition}:kinesis:${Region}:${Account}:stream/${StreamName}";
    expect(
      arnPatternsIntersect("arn:aws:kinesis:us-east-1:123456789012:stream/s", stream),
    ).to.equal(true);
    expect(arnPatternsIntersect("arn:aws:kinesis:*:*:stream/*", stream)).to.equal(true);
    expect(arnPatternsIntersect("arn:aws:kinesis:us-east-1:1:stream/?", stream)).to.equal(true);
    expect(arnPatternsIntersect("arn:aws:sqs:us-east-1:123456789012:q", stream)).to.equal(false);
    expect(arnPatternsIntersect("arn:aws:kinesis:us-east-1:1:table/t", stream)).to.equal(false);
    expect(arnPatternsIntersect("*", stream)).to.equal(true);
    expect(
      arnPatternsIntersect(
        "arn:aws:s3:::b/${aws:username}/*",
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
      ),
    ).to.equal(true);
    expect(
      arnPatternsIntersect("arn:aws:s3:::b", "arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
    ).to.equal(false);
    expect(arnPatternsIntersect("", "")).to.equal(true);
    expect(arnPatternsIntersect("a", "")).to.equal(false);
  });

  it("matches a Resource to an action's resource types", () => {
    const get = one("s3:GetObject");
    expect(resourceFitsAction("arn:aws:s3:::uploads/*", get)).to.equal(true);
    expect(resourceFitsAction("arn:aws:s3:::uploads", one("s3:ListBucket"))).to.equal(true);
    expect(resourceFitsAction("arn:aws:sqs:us-east-1:1:q", get)).to.equal(false);
  });

  it("knows condition keys: global, the action's own, its resource types', with variables", () => {
    expect(isGlobalConditionKey("aws:SourceArn")).to.equal(true);
    expect(isGlobalConditionKey("AWS:SecureTransport")).to.equal(true);
    expect(isGlobalConditionKey("aws:ResourceTag/team")).to.equal(true);
    expect(isGlobalConditionKey("aws:SecureTransprt")).to.equal(false);
    expect(isGlobalConditionKey("aws:ResourceTag/")).to.equal(false);
    expect(actionSupportsConditionKey(one("sts:AssumeRole"), "sts:ExternalId")).to.equal(true);
    const decrypt = one("kms:Decrypt");
    expect(actionSupportsConditionKey(decrypt, "kms:ViaService")).to.equal(true);
    expect(actionSupportsConditionKey(decrypt, "kms:EncryptionContext:aws:sqs:arn")).to.equal(true);
    expect(actionSupportsConditionKey(decrypt, "kms:EncryptionContext:")).to.equal(false);
    expect(actionSupportsConditionKey(one("sqs:SendMessage"), "kms:ViaService")).to.equal(false);
    expect(actionSupportsConditionKey(one("s3:ListBucket"), "s3:prefix")).to.equal(true);
  });

  it("RESOURCELESS_REQUESTS holds only while the data marks every resource type optional", () => {
    for (const id of RESOURCELESS_REQUESTS) {
      const a = one(id);
      expect(a.resourceTypes.length, id).to.be.greaterThan(0);
      expect(
        a.resourceTypes.every((rt) => !rt.required),
        id,
      ).to.equal(true);
      expect(needsResource(a), id).to.equal(false);
    }
    expect(needsResource(one("sqs:SendMessage"))).to.equal(true);
    expect(needsResource(one("xray:PutTraceSegments"))).to.equal(false);
    // The exception is not "optional means resourceless": S3 lists its types as optional too.
    expect(needsResource(one("s3:DeleteObject"))).to.equal(true);
  });
});
