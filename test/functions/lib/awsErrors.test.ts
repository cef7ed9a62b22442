import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
} from "@aws-sdk/client-dynamodb";
import {
  KMSAccessDeniedException as KinesisKmsDenied,
  KMSDisabledException as KinesisKmsDisabled,
  KMSThrottlingException as KinesisKmsThrottling,
} from "@aws-sdk/client-kinesis";
import { S3ServiceException } from "@aws-sdk/client-s3";
import { AuthorizationErrorException, KMSAccessDeniedException } from "@aws-sdk/client-sns";
import { KmsAccessDenied, SQSServiceException } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import {
  describeAwsError,
  isAuthorizationError,
  rethrowIfAuthorization,
} from "../../../functions/lib/awsErrors";
import * as faults from "../support/awsFaults";

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: "R", attempts: 1 });

describe("functions/lib/awsErrors", () => {
  it("recognises authorization refusals of every service, KMS included, as the SDK raises them", () => {
    const denied: unknown[] = [
      new DynamoDBServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        $metadata: meta(400),
        message: "not authorized",
      }),
      new S3ServiceException({
        name: "AccessDenied",
        $fault: "client",
        $metadata: meta(403),
        message: "Access Denied",
      }),
      // HEAD has no error body: the SDK names it by the status only.
      new S3ServiceException({
        name: "403",
        $fault: "client",
        $metadata: meta(403),
        message: "UnknownError",
      }),
      new SQSServiceException({
        name: "AccessDenied",
        $fault: "client",
        $metadata: meta(403),
        message: "denied",
      }),
      new KmsAccessDenied({ $metadata: meta(400), message: "kms denied" }),
      new KMSAccessDeniedException({ $metadata: meta(400), message: "kms denied" }),
      new AuthorizationErrorException({
        $metadata: meta(403),
        message: "not authorized to publish",
      }),
      new KinesisKmsDenied({ $metadata: meta(400), message: "kms denied" }),
      new KinesisKmsDisabled({ $metadata: meta(400), message: "key disabled" }),
      Object.assign(new Error("x"), { name: "KMS.AccessDeniedException" }),
      Object.assign(new Error("x"), { name: "KMS.KMSInvalidStateException" }),
      Object.assign(new Error("x"), { name: "UnauthorizedOperation" }),
      Object.assign(new Error("x"), { Code: "KmsNotFound" }),
    ];
    for (const e of denied) expect(isAuthorizationError(e), (e as Error).name).to.equal(true);
  });

  it("leaves throttling, conditional failures, missing objects and faults alone", () => {
    const others: unknown[] = [
      faults.dynamo.throttling(),
      faults.dynamo.throughputExceeded(),
      faults.dynamo.internal(),
      faults.s3.slowDown(),
      faults.sqs.throttled(),
      new KinesisKmsThrottling({ $metadata: meta(400), message: "slow down" }),
      new ConditionalCheckFailedException({ $metadata: meta(400), message: "exists" }),
      new S3ServiceException({
        name: "NoSuchKey",
        $fault: "client",
        $metadata: meta(404),
        message: "gone",
      }),
      new Error("boom"),
      undefined,
      "text",
    ];
    for (const e of others)
      expect(isAuthorizationError(e), String((e as Error)?.name)).to.equal(false);
  });

  it("rethrows only authorization errors, and describes errors without their internals", () => {
    const denied = new KmsAccessDenied({ $metadata: meta(400), message: "kms denied" });
    expect(() => rethrowIfAuthorization(denied)).to.throw(KmsAccessDenied);
    expect(() => rethrowIfAuthorization(faults.dynamo.throttling())).not.to.throw();
    expect(describeAwsError(denied)).to.deep.equal({
      name: "KmsAccessDenied",
      message: "kms denied",
      authorization: true,
    });
  });
});
