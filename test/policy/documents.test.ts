import { expect } from "chai";
import {
  conditionHolds,
  coversAction,
  coversResource,
  deniesInsecureTransport,
  globMatch,
  includesService,
  statementsOf,
} from "../../policy/rules/documents";

describe("policy documents (as AWS reads them)", () => {
  it("wildcards: * any run, ? one character; actions ignore case, ARNs do not", () => {
    expect(globMatch("kms:GenerateDataKey*", "kms:GenerateDataKey")).to.equal(true);
    expect(globMatch("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext")).to.equal(true);
    expect(globMatch("sqs:Send?essage", "sqs:SendMessage")).to.equal(true);
    expect(globMatch("SQS:sendmessage", "sqs:SendMessage", true)).to.equal(true);
    expect(globMatch("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x")).to.equal(false);
    // Regex metacharacters in ARNs are literal.
    expect(globMatch("arn:aws:sqs:us-east-1:1:q.fifo", "arn:aws:sqs:us-east-1:1:qxfifo")).to.equal(
      false,
    );
  });

  it("NotAction and NotResource apply to everything they do not list", () => {
    expect(coversAction({ NotAction: "iam:*" }, "sqs:SendMessage")).to.equal(true);
    expect(coversAction({ NotAction: ["sqs:*"] }, "sqs:SendMessage")).to.equal(false);
    expect(coversResource({ NotResource: "arn:aws:sqs:*:*:other" }, "arn:aws:sqs:r:1:q")).to.equal(
      true,
    );
    expect(coversResource({ Resource: ["arn:aws:sqs:*:*:q"] }, "arn:aws:sqs:r:1:q")).to.equal(true);
  });

  it("principals: a service, a list of services, or everyone", () => {
    expect(includesService({ Service: "sns.amazonaws.com" }, "sns.amazonaws.com")).to.equal(true);
    expect(includesService({ Service: ["s3.amazonaws.com"] }, "sns.amazonaws.com")).to.equal(false);
    expect(includesService("*", "sns.amazonaws.com")).to.equal(true);
    expect(includesService({ AWS: ["*"] }, "sns.amazonaws.com")).to.equal(true);
    expect(includesService({ AWS: "arn:aws:iam::1:root" }, "sns.amazonaws.com")).to.equal(false);
  });

  it("conditions on a key: Arn* and *Like match wildcards, StringEquals exactly, Not* negates", () => {
    const on = (op: string, v: unknown) => ({ Condition: { [op]: { "aws:SourceArn": v } } });
    const topic = "arn:aws:sns:us-east-1:1:events";
    expect(conditionHolds({}, "aws:SourceArn", topic)).to.equal(undefined);
    expect(conditionHolds(on("ArnEquals", topic), "aws:SourceArn", topic)).to.equal(true);
    expect(conditionHolds(on("ArnLike", "arn:aws:sns:*:1:*"), "aws:SourceArn", topic)).to.equal(
      true,
    );
    expect(conditionHolds(on("StringEquals", "arn:aws:sns:*"), "aws:SourceArn", topic)).to.equal(
      false,
    );
    expect(conditionHolds(on("ArnNotEquals", topic), "aws:SourceArn", topic)).to.equal(false);
    // Condition keys are case-insensitive; values may be a list.
    expect(
      conditionHolds(
        { Condition: { ArnEquals: { "AWS:SOURCEARN": ["x", topic] } } },
        "aws:SourceArn",
        topic,
      ),
    ).to.equal(true);
  });

  it("a TLS guard is a Deny for everyone on aws:SecureTransport false", () => {
    const guard = {
      Effect: "Deny",
      Principal: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    expect(deniesInsecureTransport(guard)).to.equal(true);
    expect(deniesInsecureTransport({ ...guard, Effect: "Allow" })).to.equal(false);
    expect(
      deniesInsecureTransport({ ...guard, Principal: { AWS: "arn:aws:iam::1:root" } }),
    ).to.equal(false);
    expect(
      deniesInsecureTransport({ ...guard, Condition: { Bool: { "aws:SecureTransport": true } } }),
    ).to.equal(false);
  });

  it("reads documents given as JSON text or objects; null when unreadable", () => {
    expect(statementsOf('{"Statement":{"Effect":"Allow"}}')).to.deep.equal([{ Effect: "Allow" }]);
    expect(statementsOf({ Statement: [] })).to.deep.equal([]);
    expect(statementsOf("{nope")).to.equal(null);
  });
});
