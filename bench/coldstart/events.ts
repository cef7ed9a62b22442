/**
 * One sample event and environment per function for the cold-start benchmark: real-shaped events
 * that pass the handlers' validation and reach their first AWS call (which goes to the local stub,
 * see ./stub.ts). Functions not listed here are measured with an empty event.
 */
import { createHash } from "node:crypto";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const ITEM_ID = "3f1f2b9e-5c3d-4b7a-9a61-2f0c8e4d7a10";

const s3Notification = (key: string) => ({
  Records: [
    {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: REGION,
      eventTime: "2026-11-26T10:00:00.000Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "AWS:AIDAEXAMPLE" },
      requestParameters: { sourceIPAddress: "203.0.113.10" },
      responseElements: { "x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8" },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "object-created",
        bucket: {
          name: "uploads",
          ownerIdentity: { principalId: "A3NL" },
          arn: "arn:aws:s3:::uploads",
        },
        object: {
          key,
          size: 1024,
          eTag: "d41d8cd98f00b204e9800998ecf8427e",
          sequencer: "0062A1B2C3D4E5F601",
        },
      },
    },
  ],
});

const snsEnvelope = (message: unknown) => ({
  Type: "Notification",
  MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
  TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:object-created`,
  Subject: "Amazon S3 Notification",
  Message: JSON.stringify(message),
  Timestamp: "2026-11-26T10:00:00.123Z",
  SignatureVersion: "2",
  Signature: "EXAMPLE",
  SigningCertURL: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-0.pem`,
  UnsubscribeURL: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe`,
});

const sqsEvent = (body: unknown) => {
  const text = JSON.stringify(body);
  return {
    Records: [
      {
        messageId: "m-1",
        receiptHandle: "AQEBm-1",
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
        eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:work`,
        awsRegion: REGION,
      },
    ],
  };
};

const httpEvent = (method: string, path: string, body?: unknown) => ({
  version: "2.0",
  routeKey: `${method} ${path}`,
  rawPath: path,
  rawQueryString: "",
  headers: { "content-type": "application/json" },
  requestContext: {
    accountId: ACCOUNT,
    apiId: "api",
    domainName: "api.execute-api.us-east-1.amazonaws.com",
    domainPrefix: "api",
    http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.1", userAgent: "bench" },
    requestId: "req",
    routeKey: `${method} ${path}`,
    stage: "$default",
    time: "01/Jan/2026:00:00:00 +0000",
    timeEpoch: 0,
  },
  body: body === undefined ? undefined : JSON.stringify(body),
  isBase64Encoded: false,
});

const kinesisEvent = (data: unknown) => ({
  Records: [
    {
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: "p0",
        sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
        data: Buffer.from(JSON.stringify(data)).toString("base64"),
        approximateArrivalTimestamp: 1764151200.0,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: "shardId-000000000000:49590338271490256608559692538361571095921575989136588898",
      eventName: "aws:kinesis:record",
      invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/bench`,
      awsRegion: REGION,
      eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/events`,
    },
  ],
});

export interface Sample {
  env: Record<string, string>;
  event: unknown;
}

export const SAMPLES: Record<string, Sample> = {
  // Firehose transformation: pure, no AWS call.
  "archive-transform": {
    env: {},
    event: {
      invocationId: "inv-1",
      deliveryStreamArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/archive`,
      region: REGION,
      records: [
        {
          recordId: "r-1",
          approximateArrivalTimestamp: 1764151200000,
          data: Buffer.from(JSON.stringify({ eventId: "e-1", type: "click" })).toString("base64"),
        },
      ],
    },
  },
  "items-api": { env: { TABLE_NAME: "items" }, event: httpEvent("GET", `/items/${ITEM_ID}`) },
  "files-api": {
    env: { BUCKET_NAME: "files" },
    event: httpEvent("POST", "/files", { fileName: "a.png", contentType: "image/png", size: 10 }),
  },
  "objects-api": { env: { TABLE_NAME: "objects" }, event: httpEvent("GET", "/objects") },
  "file-indexer": { env: { TABLE_NAME: "files" }, event: sqsEvent(s3Notification("a.png")) },
  "object-processor": { env: { TABLE_NAME: "objects" }, event: sqsEvent(s3Notification("a.png")) },
  "metadata-indexer": {
    env: { TABLE_NAME: "metadata" },
    event: sqsEvent(snsEnvelope(s3Notification("a.png"))),
  },
  "checksum-summary": {
    env: { TABLE_NAME: "checksums" },
    event: sqsEvent(snsEnvelope(s3Notification("a.png"))),
  },
  "object-ingest": {
    // SQS sends to the queue URL's host: the stub's ("{endpoint}" is replaced by its URL).
    env: { QUEUE_URL: `{endpoint}/${ACCOUNT}/ingest` },
    event: s3Notification("a.png"),
  },
  "stream-processor": {
    env: { DATA_TABLE: "data", DEDUPE_TABLE: "dedupe" },
    event: kinesisEvent({ eventId: "e-1", type: "click", key: "/home" }),
  },
  "stream-aggregator": {
    env: { AGGREGATES_TABLE: "aggregates" },
    event: {
      ...kinesisEvent({ eventId: "e-1", type: "click", key: "/home" }),
      window: { start: "2026-11-26T10:00:00Z", end: "2026-11-26T10:01:00Z" },
      state: {},
      shardId: "shardId-000000000000",
      eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/events`,
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: false,
    },
  },
  "stream-notifier": {
    env: { TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:notify` },
    event: {
      Records: [
        {
          eventID: "id-1",
          eventName: "INSERT",
          eventVersion: "1.1",
          eventSource: "aws:dynamodb",
          awsRegion: REGION,
          eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/events/stream/2026-01-01T00:00:00.000`,
          dynamodb: {
            Keys: { eventId: { S: "e-1" } },
            NewImage: {
              eventId: { S: "e-1" },
              type: { S: "payment_failed" },
              severity: { S: "high" },
            },
            SequenceNumber: "1000",
            SizeBytes: 100,
            StreamViewType: "NEW_AND_OLD_IMAGES",
          },
        },
      ],
    },
  },
  "shard-autoscaler": {
    env: {
      SCALER_SETTINGS: JSON.stringify({
        streamName: "events",
        streamArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/events`,
        upAlarmName: "events-up",
        downAlarmName: "events-down",
        alarmActionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:scaler`,
      }),
    },
    event: { source: "aws.events", "detail-type": "Scheduled Event", detail: {} },
  },
};
