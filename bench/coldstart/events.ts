/**
 * One sample event and environment per function for the cold-start benchmark: real-shaped events
 * that pass the handlers' validation and reach their first AWS call (which goes to the local stub,
 * see ./stub.ts). Functions not listed here are measured with an empty event.
 */
import {
  ACCOUNT,
  REGION,
  httpApiEvent,
  notification,
  s3Record,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
} from "../../scripts/harness/awsEvents";

const ITEM_ID = "3f1f2b9e-5c3d-4b7a-9a61-2f0c8e4d7a10";

const s3Notification = (key: string) => notification(s3Record(key));
const sqsBatch = (body: unknown) => sqsEvent(sqsRecord("m-1", body));
const httpEvent = (method: string, path: string, body?: unknown) =>
  httpApiEvent(method, path, {
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    userAgent: "bench",
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

/** An HTTP API event as a JWT authorizer hands it on, with path parameters. */
const authorizedEvent = (
  method: string,
  path: string,
  extra: {
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
  },
) => {
  const e = httpEvent(method, path, extra.body);
  return {
    ...e,
    pathParameters: extra.pathParameters,
    queryStringParameters: extra.query,
    requestContext: {
      ...e.requestContext,
      authorizer: { jwt: { claims: { sub: "client-1" }, scopes: [] } },
    },
  };
};

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
  "item-summary": {
    env: { ITEMS_TABLE: "items", FILES_BUCKET: "files", ITEM_FILES_PREFIX: "uploads/items/" },
    event: authorizedEvent("GET", `/items/${ITEM_ID}/summary`, { pathParameters: { id: ITEM_ID } }),
  },
  "order-summary": {
    env: { ORDERS_TABLE: "orders", INVOICES_TABLE: "invoices", SHIPMENTS_TABLE: "shipments" },
    event: authorizedEvent("GET", `/orders/${ITEM_ID}/summary`, {
      pathParameters: { id: ITEM_ID },
    }),
  },
  "aggregates-api": {
    env: { AGGREGATES_TABLE: "aggregates" },
    event: authorizedEvent("GET", "/aggregates", { query: { type: "click", key: "client-1" } }),
  },
  "notify-subscriptions": {
    env: { TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:notify` },
    event: authorizedEvent("POST", "/subscriptions", {
      body: { protocol: "email", endpoint: "client@example.com" },
    }),
  },
  "items-api": { env: { TABLE_NAME: "items" }, event: httpEvent("GET", `/items/${ITEM_ID}`) },
  "files-api": {
    env: { BUCKET_NAME: "files" },
    event: httpEvent("POST", "/files", { fileName: "a.png", contentType: "image/png", size: 10 }),
  },
  "objects-api": { env: { TABLE_NAME: "objects" }, event: httpEvent("GET", "/objects") },
  "file-indexer": { env: { TABLE_NAME: "files" }, event: sqsBatch(s3Notification("a.png")) },
  "object-processor": { env: { TABLE_NAME: "objects" }, event: sqsBatch(s3Notification("a.png")) },
  "metadata-indexer": {
    env: { TABLE_NAME: "metadata" },
    event: sqsBatch(snsEnvelope(s3Notification("a.png"))),
  },
  "checksum-summary": {
    env: { TABLE_NAME: "checksums" },
    event: sqsBatch(snsEnvelope(s3Notification("a.png"))),
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
