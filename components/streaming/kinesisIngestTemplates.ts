import { createHash } from "node:crypto";

// What the Kinesis proxy serves, as data: request models, mapping templates, responses. Pure, so
// tests render the templates the API runs.

/** Kinesis PutRecords takes at most 500 records per call. */
export const MAX_RECORDS_PER_REQUEST = 500;
/** Kinesis partition keys are 1-256 Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;
export const JSON_CONTENT = "application/json";
const SEVERITY_VALUES = ["info", "low", "medium", "high", "critical"];

/**
 * JSON schema (draft 4, what API Gateway models use) of one record: the event data (an object)
 * and the partition key. The event fields the stream processor reads are checked here too, so a
 * malformed event is a 400 for the client rather than a poison record in the stream.
 */
export const RECORD_SCHEMA = {
  type: "object",
  required: ["data", "partitionKey"],
  additionalProperties: false,
  properties: {
    data: {
      type: "object",
      description: "The event. Any JSON object; the fields below are optional but typed.",
      properties: {
        eventId: {
          type: "string",
          minLength: 1,
          maxLength: 128,
          description: "Idempotency key: records with the same eventId are stored once.",
        },
        type: { type: "string", minLength: 1, maxLength: 64 },
        severity: { type: "string", enum: SEVERITY_VALUES },
        occurredAt: {
          type: ["string", "number"],
          description: "ISO-8601 timestamp or epoch milliseconds.",
        },
        key: { type: "string", minLength: 1, maxLength: 256 },
        value: { type: "number" },
      },
    },
    partitionKey: {
      type: "string",
      minLength: 1,
      maxLength: MAX_PARTITION_KEY_LENGTH,
      description: "Kinesis partition key: records with the same key stay in order on one shard.",
    },
  },
} as const;

/** Model of `POST /record` (one record, Kinesis PutRecord). */
export const PUT_RECORD_SCHEMA = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "PutRecordRequest",
  ...RECORD_SCHEMA,
};

/** Model of `POST /records` (1-500 records, Kinesis PutRecords). */
export const PUT_RECORDS_SCHEMA = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "PutRecordsRequest",
  type: "object",
  required: ["records"],
  additionalProperties: false,
  properties: {
    records: {
      type: "array",
      minItems: 1,
      maxItems: MAX_RECORDS_PER_REQUEST,
      items: RECORD_SCHEMA,
    },
  },
};

/**
 * Request mapping template of `POST /record`: the body becomes a Kinesis PutRecord call.
 * `$input.json` renders the data as JSON text (not Velocity's map syntax) and the partition key as
 * a quoted, escaped JSON string; the data is base64-encoded as the Kinesis API requires.
 */
export function putRecordTemplate(streamName: string): string {
  return [
    "{",
    `  "StreamName": "${streamName}",`,
    `  "PartitionKey": $input.json('$.partitionKey'),`,
    `  "Data": "$util.base64Encode($input.json('$.data'))"`,
    "}",
  ].join("\n");
}

/** Request mapping template of `POST /records`: one PutRecords entry per record, in order. */
export function putRecordsTemplate(streamName: string): string {
  return [
    "{",
    `  "StreamName": "${streamName}",`,
    `  "Records": [`,
    `#foreach($record in $input.path('$.records'))`,
    "    {",
    `      "PartitionKey": $input.json("$.records[$foreach.index].partitionKey"),`,
    `      "Data": "$util.base64Encode($input.json("$.records[$foreach.index].data"))"`,
    "    }#if($foreach.hasNext),#end",
    "#end",
    "  ]",
    "}",
  ].join("\n");
}

/** 200 of `POST /record`: where the record went, in the API's camelCase. */
export const PUT_RECORD_RESPONSE_TEMPLATE = [
  "{",
  `  "sequenceNumber": $input.json('$.SequenceNumber'),`,
  `  "shardId": $input.json('$.ShardId')`,
  "}",
].join("\n");

/**
 * 200 of `POST /records`: PutRecords succeeds per record, so the count of failed records and each
 * record's outcome (in request order) go back to the client, which retries only the failed ones.
 */
export const PUT_RECORDS_RESPONSE_TEMPLATE = [
  "{",
  `  "failedRecordCount": $input.json('$.FailedRecordCount'),`,
  `  "records": [`,
  `#foreach($r in $input.path('$.Records'))`,
  `#if($r.ErrorCode != $null && $r.ErrorCode != "")`,
  `    {"errorCode": $input.json("$.Records[$foreach.index].ErrorCode"), "errorMessage": $input.json("$.Records[$foreach.index].ErrorMessage")}#if($foreach.hasNext),#end`,
  "#else",
  `    {"sequenceNumber": $input.json("$.Records[$foreach.index].SequenceNumber"), "shardId": $input.json("$.Records[$foreach.index].ShardId")}#if($foreach.hasNext),#end`,
  "#end",
  "#end",
  "  ]",
  "}",
].join("\n");

/**
 * 4xx from Kinesis: throttling (ProvisionedThroughputExceededException, KMSThrottlingException)
 * becomes 429 so clients back off; anything else stays 400.
 */
export const CLIENT_ERROR_TEMPLATE = [
  `#set($type = $input.path('$.__type'))`,
  `#if($type.contains("ThroughputExceeded") || $type.contains("Throttling"))`,
  "#set($context.responseOverride.status = 429)",
  "#end",
  "{",
  `  "message": $input.json('$.message'),`,
  `  "type": $input.json('$.__type')`,
  "}",
].join("\n");

/** 5xx from Kinesis: no internals leak; the request id lets operators find the access log line. */
export const SERVER_ERROR_TEMPLATE = [
  "{",
  `  "message": "The stream is unavailable; retry with backoff.",`,
  `  "requestId": "$context.requestId"`,
  "}",
].join("\n");

/** Access log line (JSON): one per request, with the validation and integration errors. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  caller: "$context.identity.caller",
  apiKeyId: "$context.identity.apiKeyId",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  error: "$context.error.message",
  validationError: "$context.error.validationErrorString",
  integrationStatus: "$context.integration.status",
  integrationError: "$context.integration.error",
  integrationLatency: "$context.integration.latency",
});

/**
 * Body of the 400 a request failing its model gets. Gateway responses take plain `$context`
 * substitution (no VTL); `messageString` is already a quoted JSON string.
 */
export const BAD_REQUEST_BODY_TEMPLATE =
  '{"message": $context.error.messageString, "errors": "$context.error.validationErrorString", "requestId": "$context.requestId"}';

/** One route: resource, model, method, integration and its responses. */
export interface Route {
  path: "record" | "records";
  action: "PutRecord" | "PutRecords";
  schema: object;
  requestTemplate: (stream: string) => string;
  responseTemplate: string;
}

export const ROUTES: Route[] = [
  {
    path: "record",
    action: "PutRecord",
    schema: PUT_RECORD_SCHEMA,
    requestTemplate: putRecordTemplate,
    responseTemplate: PUT_RECORD_RESPONSE_TEMPLATE,
  },
  {
    path: "records",
    action: "PutRecords",
    schema: PUT_RECORDS_SCHEMA,
    requestTemplate: putRecordsTemplate,
    responseTemplate: PUT_RECORDS_RESPONSE_TEMPLATE,
  },
];

/** Integration responses: status, the backend status codes they match, and their body. */
export const RESPONSES = [
  { statusCode: "200", selectionPattern: undefined, template: undefined },
  { statusCode: "400", selectionPattern: "4\\d{2}", template: CLIENT_ERROR_TEMPLATE },
  { statusCode: "500", selectionPattern: "5\\d{2}", template: SERVER_ERROR_TEMPLATE },
] as const;

/**
 * A fingerprint of everything the stage serves (templates, models, auth): a new deployment
 * whenever it changes.
 */
export function routesFingerprint(stream: string, arn: string, authorization: string): string {
  return createHash("sha256")
    .update(
      JSON.stringify({
        stream,
        arn,
        authorization,
        routes: ROUTES.map((r) => [
          r.path,
          r.schema,
          r.requestTemplate(stream),
          r.responseTemplate,
        ]),
        responses: RESPONSES,
        badRequest: BAD_REQUEST_BODY_TEMPLATE,
      }),
    )
    .digest("hex");
}
