/**
 * AWS errors as the SDK raises them (real exception classes, names, faults and status codes), for
 * injecting throttling and service faults through aws-sdk-client-mock. Each message holds a
 * "secret" (an ARN, an account id, a table name) so a test can check no response leaks it.
 */
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  ThrottlingException,
} from "@aws-sdk/client-dynamodb";
import { S3ServiceException } from "@aws-sdk/client-s3";
import { AuthorizationErrorException, ThrottledException } from "@aws-sdk/client-sns";
import { KmsThrottled, RequestThrottled, SQSServiceException } from "@aws-sdk/client-sqs";

/** Text that appears in every injected error and must never reach a client. */
export const SECRET = "arn:aws:dynamodb:us-east-1:123456789012:table/secret-table";

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: "REQ-1", attempts: 3 });

export const dynamo = {
  throughputExceeded: () =>
    new ProvisionedThroughputExceededException({
      message: `The level of configured provisioned throughput for ${SECRET} was exceeded`,
      $metadata: meta(400),
    }),
  throttling: () =>
    new ThrottlingException({
      message: `Rate of requests exceeds ${SECRET}`,
      $metadata: meta(400),
    }),
  internal: () =>
    new InternalServerError({ message: `Internal server error (${SECRET})`, $metadata: meta(500) }),
  missingTable: () =>
    new ResourceNotFoundException({
      message: `Requested resource not found: ${SECRET}`,
      $metadata: meta(400),
    }),
};

export const s3 = {
  slowDown: () =>
    new S3ServiceException({
      name: "SlowDown",
      $fault: "server",
      $metadata: meta(503),
      message: `Please reduce your request rate (${SECRET})`,
    }),
  internal: () =>
    new S3ServiceException({
      name: "InternalError",
      $fault: "server",
      $metadata: meta(500),
      message: `We encountered an internal error (${SECRET})`,
    }),
};

export const sqs = {
  throttled: () =>
    new RequestThrottled({ message: `Request is throttled (${SECRET})`, $metadata: meta(400) }),
  kmsThrottled: () =>
    new KmsThrottled({ message: `KMS throttled the request (${SECRET})`, $metadata: meta(400) }),
  internal: () =>
    new SQSServiceException({
      name: "InternalFailure",
      $fault: "server",
      $metadata: meta(500),
      message: `Internal failure (${SECRET})`,
    }),
};

export const sns = {
  throttled: () =>
    new ThrottledException({ message: `Rate exceeded (${SECRET})`, $metadata: meta(400) }),
  notAuthorized: () =>
    new AuthorizationErrorException({
      message: `User: arn:aws:sts::123456789012:assumed-role/orders-task is not authorized to perform SNS:Publish on ${SECRET}`,
      $metadata: meta(403),
    }),
};
