import { createHash } from "node:crypto";
import { EVENT_DATA_SCHEMA } from "../../functions/lib/eventSchema";
import { MAX_EVENT_BYTES } from "../../functions/lib/streamEvents";

// What the Kinesis proxy serves, as data: request models, mapping templates, responses. Pure, so
// tests render the templates the API runs.

/** Kinesis PutRecords takes at most 500 records per call. */
export const MAX_RECORDS_PER_REQUEST = 500;
/** Kinesis partition keys are 1-256 Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;
export const JSON_CONTENT = "application/json";

/**
 * JSON schema (draft 4, what API Gateway models use) of one record: the event data and the
 * partition key. The data's schema is the one the stream processor validates every record with
 * (functions/lib/eventSchema.ts), so a record this model admits is one the pipeline stores, and one
 * the pipeline would refuse is a 400 for the client rather than a poison record in the stream.
 */
export const RECORD_SCHEMA = {
  type: "object",
  required: ["data", "partitionKey"],
  additionalProperties: false,
  properties: {
    data: EVENT_DATA_SCHEMA,
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
 * Longest data API Gateway forwards, in characters of its JSON text (UTF-16 units, what VTL's
 * `length()` counts). A character is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4), so
 * no forwarded record exceeds the processor's MAX_EVENT_BYTES: a draft-4 model cannot measure an
 * object's size, so the mapping templates do.
 */
export const MAX_DATA_CHARS = Math.floor(MAX_EVENT_BYTES / 3);

/**
 * What a template sends instead of a request when data is too large: not JSON, so Kinesis answers
 * 400 SerializationException before any write, and CLIENT_ERROR_TEMPLATE names the limit.
 */
const TOO_LARGE = "DataTooLarge";

/**
 * Request mapping template of `POST /record`: the body becomes a Kinesis PutRecord call.
 * `$input.json` renders the data as JSON text (not Velocity's map syntax) and the partition key as
 * a quoted, escaped JSON string; the data is base64-encoded as the Kinesis API requires.
 */
export function putRecordTemplate(streamName: string): string {
  return [
    `#set($data = $input.json('$.data'))`,
    `#if($data.length() > ${MAX_DATA_CHARS})`,
    TOO_LARGE,
    "#else",
    "{",
    `  "StreamName": "${streamName}",`,
    `  "PartitionKey": $input.json('$.partitionKey'),`,
    `  "Data": "$util.base64Encode($data)"`,
    "}",
    "#end",
  ].join("\n");
}

/** Request mapping template of `POST /records`: one PutRecords entry per record, in order. */
export function putRecordsTemplate(streamName: string): string {
  return [
    "#set($tooLarge = false)",
    `#foreach($record in $input.path('$.records'))`,
    `#if($input.json("$.records[$foreach.index].data").length() > ${MAX_DATA_CHARS})#set($tooLarge = true)#end`,
    "#end",
    "#if($tooLarge)",
    TOO_LARGE,
    "#else",
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
    "#end",
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
 * becomes 429 so clients back off; anything else stays 400. Every field is optional in the error
 * body (Kinesis writes `message`, some AWS errors `Message`, a proxy error neither), and only
 * `$input.json` output (a JSON value with its quotes escaped) or constant text is emitted, so the
 * body is valid JSON whatever the error says.
 */
export const CLIENT_ERROR_TEMPLATE = [
  `#set($type = "$!input.path('$.__type')")`,
  `#if($type.contains("ThroughputExceeded") || $type.contains("Throttling"))`,
  "#set($context.responseOverride.status = 429)",
  "#end",
  "{",
  `#if($type.contains("SerializationException"))`,
  `  "message": "Each record's data must be at most ${MAX_DATA_CHARS} characters of JSON.",`,
  `#elseif("$!input.path('$.message')" != "")`,
  `  "message": $input.json('$.message'),`,
  `#elseif("$!input.path('$.Message')" != "")`,
  `  "message": $input.json('$.Message'),`,
  "#else",
  `  "message": "The stream refused the request.",`,
  "#end",
  `#if($type != "")`,
  `  "type": $input.json('$.__type'),`,
  "#end",
  `  "requestId": "$context.requestId"`,
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
 * substitution (no VTL, no escaping): `messageString` is API Gateway's fixed text, quoted, and the
 * request id is an id. `validationErrorString` quotes the offending JSON, so it would break the body;
 * it is in the access log line (ACCESS_LOG_FORMAT), found by the request id.
 */
export const BAD_REQUEST_BODY_TEMPLATE =
  '{"message": $context.error.messageString, "detail": "See the access log entry of this request id for the failed constraint.", "requestId": "$context.requestId"}';

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
