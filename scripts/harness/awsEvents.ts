/**
 * Real-shaped AWS events for the Lambda handlers, shared by the tests (test/functions/support)
 * and the cold-start benchmark (bench/coldstart/events.ts): S3 notification records (keys
 * form-encoded as S3 writes them), SNS envelopes, SQS records and batches, and HTTP API (payload
 * 2.0) requests.
 */
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from "aws-lambda";
import { createHash } from "node:crypto";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";

export interface RecordOptions {
  bucket?: string;
  sequencer?: string;
  versionId?: string;
  size?: number;
  eTag?: string;
  eventName?: string;
}

/** One S3 notification record; `key` is given as S3 encodes it (spaces as `+`, %XX escapes). */
export function s3Record(encodedKey: string, o: RecordOptions = {}) {
  const bucket = o.bucket ?? "uploads";
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: REGION,
    eventTime: "2026-11-26T10:00:00.000Z",
    eventName: o.eventName ?? "ObjectCreated:Put",
    userIdentity: { principalId: "AWS:AIDAEXAMPLE" },
    requestParameters: { sourceIPAddress: "203.0.113.10" },
    responseElements: { "x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "object-created",
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: "A3NL1KOZZKExample" },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: {
        key: encodedKey,
        size: o.size ?? 1024,
        eTag: o.eTag ?? "d41d8cd98f00b204e9800998ecf8427e",
        ...(o.versionId ? { versionId: o.versionId } : {}),
        sequencer: o.sequencer ?? "0062A1B2C3D4E5F601",
      },
    },
  };
}

export const notification = (...records: ReturnType<typeof s3Record>[]) => ({ Records: records });

export const TEST_EVENT = {
  Service: "Amazon S3",
  Event: "s3:TestEvent",
  Time: "2026-11-26T09:59:00.000Z",
  Bucket: "uploads",
  RequestId: "5582815E1AEA5ADF",
  HostId: "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
};

/** The envelope SNS wraps a message in when raw delivery is off. */
export function snsEnvelope(message: unknown, topic = "object-created") {
  return {
    Type: "Notification",
    MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
    TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:${topic}`,
    Subject: "Amazon S3 Notification",
    Message: JSON.stringify(message),
    Timestamp: "2026-11-26T10:00:00.123Z",
    SignatureVersion: "2",
    Signature: "EXAMPLEpH+..",
    SigningCertURL: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
    UnsubscribeURL: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe`,
  };
}

/** One SQS record as Lambda's event source mapping delivers it. */
export function sqsRecord(messageId: string, body: unknown, queue = "work"): SQSRecord {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1764151200000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1764151200001",
    },
    messageAttributes: {},
    md5OfBody: createHash("md5").update(text).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`,
    awsRegion: REGION,
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export interface HttpApiRequest {
  body?: string;
  query?: Record<string, string>;
  /** Default: none. */
  headers?: Record<string, string>;
  /** Default: false. */
  base64?: boolean;
  /** Default: "test". */
  userAgent?: string;
}

/** An API Gateway HTTP API (payload 2.0) event as the $default stage delivers it. */
export function httpApiEvent(
  method: string,
  path: string,
  options: HttpApiRequest = {},
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    queryStringParameters: options.query,
    requestContext: {
      accountId: ACCOUNT,
      apiId: "api",
      domainName: `api.execute-api.${REGION}.amazonaws.com`,
      domainPrefix: "api",
      http: {
        method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.1",
        userAgent: options.userAgent ?? "test",
      },
      requestId: "req",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "01/Jan/2026:00:00:00 +0000",
      timeEpoch: 0,
    },
    body: options.body,
    isBase64Encoded: options.base64 ?? false,
  };
}
