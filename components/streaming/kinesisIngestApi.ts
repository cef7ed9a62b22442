import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { metricAlarm } from "../observability/alarms";
import {
  API_QUOTA_PER_DAY,
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { allow, assumeRolePolicy, policyDocument } from "../security/iam";
import { Transform, applyTransform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import { EVENT_DATA_SCHEMA } from "../../functions/lib/eventSchema";
import { MAX_EVENT_BYTES } from "../../functions/lib/streamEvents";

/** Kinesis PutRecords takes at most 500 records per call. */
export const MAX_RECORDS_PER_REQUEST = 500;
/** Kinesis partition keys are 1-256 Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;
const JSON_CONTENT = "application/json";

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

export type QuotaPeriod = "DAY" | "WEEK" | "MONTH";

export interface KinesisIngestApiArgs {
  /** Name of the stream records are put into. Required. */
  streamName: pulumi.Input<string>;
  /** ARN of that stream: the only resource the API's role may write to. Required. */
  streamArn: pulumi.Input<string>;
  /**
   * Customer-managed key the stream is encrypted with: producers need `kms:GenerateDataKey` on it,
   * granted only through Kinesis (`kms:ViaService`). Default: none (AWS-managed key).
   */
  streamKmsKeyArn?: pulumi.Input<string>;
  /** Stage name, the first path segment of the URL. Default: "v1". */
  stageName?: string;
  /**
   * Caller authentication on top of the API key: "AWS_IAM" (SigV4, `execute-api:Invoke`) or
   * "NONE" (the API key alone identifies the caller). Default: "AWS_IAM".
   */
  authorization?: "AWS_IAM" | "NONE";
  /** Steady-state requests per second (stage and usage plan). Default: 50 (`API_THROTTLE_RATE`). */
  throttleRateLimit?: number;
  /** Burst of requests above the rate. Default: 100 (`API_THROTTLE_BURST`). */
  throttleBurstLimit?: number;
  /** Requests per API key per `quotaPeriod`. Default: 1,000,000 (`API_QUOTA_PER_DAY`). */
  quotaLimit?: number;
  /** Quota period. Default: "DAY". */
  quotaPeriod?: QuotaPeriod;
  /** Retention of the access and execution log groups. Default: 14 days. */
  logRetentionDays?: number;
  /** KMS key of the log groups. Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Topic for the 5XX and latency alarms. Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * Set this region's account-wide API Gateway CloudWatch Logs role (REST API logging needs it).
   * It is one setting per account and region: turn it on in exactly one stack. Default: false.
   */
  manageAccountLogsRole?: boolean;
  /** Override hooks, one per child. Default: none. */
  transform?: {
    restApi?: Transform<aws.apigateway.RestApiArgs>;
    role?: Transform<aws.iam.RoleArgs>;
    stage?: Transform<aws.apigateway.StageArgs>;
    methodSettings?: Transform<aws.apigateway.MethodSettingsArgs>;
    usagePlan?: Transform<aws.apigateway.UsagePlanArgs>;
    accessLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    putRecordIntegration?: Transform<aws.apigateway.IntegrationArgs>;
    putRecordsIntegration?: Transform<aws.apigateway.IntegrationArgs>;
  };
}

/**
 * Records every problem with the API's arguments (`field` prefixes the names), so a component
 * embedding the API can reject bad arguments before creating anything.
 */
export function checkIngestArgs(
  errors: ArgumentErrors,
  field: string,
  args: Partial<KinesisIngestApiArgs>,
): ArgumentErrors {
  const f = (n: string) => (field ? `${field}.${n}` : n);
  const stageName = args.stageName ?? "v1";
  const rate = args.throttleRateLimit ?? API_THROTTLE_RATE;
  const burst = args.throttleBurstLimit ?? API_THROTTLE_BURST;
  const quota = args.quotaLimit ?? API_QUOTA_PER_DAY;
  const retention = args.logRetentionDays ?? LOG_RETENTION_DAYS;
  return errors
    .check(
      /^[A-Za-z0-9_-]{1,128}$/.test(stageName),
      f("stageName"),
      `"${stageName}" is not a valid stage name`,
      "use letters, digits, - and _",
    )
    .check(rate > 0, f("throttleRateLimit"), `${rate} is not positive`, "use a rate above 0")
    .check(
      Number.isInteger(burst) && burst >= 1,
      f("throttleBurstLimit"),
      `${burst} is not a positive integer`,
      "use 1 or more",
    )
    .check(
      Number.isInteger(quota) && quota >= 1,
      f("quotaLimit"),
      `${quota} is not a positive integer`,
      "use 1 or more requests per period",
    )
    .checkLogRetention(retention, f("logRetentionDays"));
}

/** One route: resource, model, method, integration and its responses. */
interface Route {
  path: "record" | "records";
  action: "PutRecord" | "PutRecords";
  schema: object;
  requestTemplate: (stream: string) => string;
  responseTemplate: string;
}

const ROUTES: Route[] = [
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
const RESPONSES = [
  { statusCode: "200", selectionPattern: undefined, template: undefined },
  { statusCode: "400", selectionPattern: "4\\d{2}", template: CLIENT_ERROR_TEMPLATE },
  { statusCode: "500", selectionPattern: "5\\d{2}", template: SERVER_ERROR_TEMPLATE },
] as const;

/**
 * API Gateway REST API as a Kinesis proxy, so clients never hold Kinesis credentials or know the
 * stream: `POST /record` (PutRecord) and `POST /records` (PutRecords, up to 500), bodies validated
 * against JSON schema models before any call, mapping templates that base64-encode the data, a role
 * that may only put records into this one stream, API keys with a usage plan (throttle and quota),
 * stage throttling, JSON access logs, execution error logs with retention, X-Ray, and alarms.
 */
export class KinesisIngestApi extends pulumi.ComponentResource {
  readonly restApi: aws.apigateway.RestApi;
  readonly role: aws.iam.Role;
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly requestValidator: aws.apigateway.RequestValidator;
  readonly models: Record<"record" | "records", aws.apigateway.Model>;
  readonly methods: Record<"record" | "records", aws.apigateway.Method>;
  readonly integrations: Record<"record" | "records", aws.apigateway.Integration>;
  readonly deployment: aws.apigateway.Deployment;
  readonly stage: aws.apigateway.Stage;
  readonly methodSettings: aws.apigateway.MethodSettings;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  readonly executionLogGroup: aws.cloudwatch.LogGroup;
  readonly apiKey: aws.apigateway.ApiKey;
  readonly usagePlan: aws.apigateway.UsagePlan;
  /** The account-level logging role setting; only with `manageAccountLogsRole`. */
  readonly account?: aws.apigateway.Account;
  /** Base URL of the stage; POST to `${url}/record` or `${url}/records`. */
  readonly url: pulumi.Output<string>;
  readonly apiKeyId: pulumi.Output<string>;
  private readonly logicalName: string;

  constructor(name: string, args: KinesisIngestApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:KinesisIngestApi", name, {}, opts);
    const stageName = args.stageName ?? "v1";
    const rate = args.throttleRateLimit ?? API_THROTTLE_RATE;
    const burst = args.throttleBurstLimit ?? API_THROTTLE_BURST;
    const quota = args.quotaLimit ?? API_QUOTA_PER_DAY;
    const retention = args.logRetentionDays ?? LOG_RETENTION_DAYS;
    checkIngestArgs(new ArgumentErrors("KinesisIngestApi", name), "", args).throwIfAny();
    this.logicalName = name;

    const parent = { parent: this };
    const region = aws.getRegionOutput({}, parent).region;
    const account = aws.getCallerIdentityOutput({}, parent).accountId;

    this.restApi = new aws.apigateway.RestApi(
      name,
      applyTransform<aws.apigateway.RestApiArgs>(
        {
          description: `Kinesis ingest proxy ${name}: POST /record and POST /records`,
          endpointConfiguration: { types: "REGIONAL" },
          // Producers send their key in the x-api-key header.
          apiKeySource: "HEADER",
        },
        args.transform?.restApi,
        name,
      ),
      parent,
    );
    const restApi = this.restApi.id;

    // The only thing the proxy may do: put records into this stream.
    this.role = new aws.iam.Role(
      `${name}-kinesis`,
      applyTransform<aws.iam.RoleArgs>(
        {
          assumeRolePolicy: assumeRolePolicy("apigateway.amazonaws.com", account),
          description: `API Gateway ${name} puts records into its stream`,
        },
        args.transform?.role,
        `${name}-kinesis`,
      ),
      parent,
    );
    this.rolePolicy = new aws.iam.RolePolicy(
      `${name}-kinesis`,
      {
        role: this.role.id,
        policy: policyDocument(
          [
            allow(["kinesis:PutRecord", "kinesis:PutRecords"], [args.streamArn]),
            ...(args.streamKmsKeyArn
              ? [
                  allow(["kms:GenerateDataKey"], [args.streamKmsKeyArn], {
                    StringEquals: {
                      "kms:ViaService": pulumi.interpolate`kinesis.${region}.amazonaws.com`,
                    },
                  }),
                ]
              : []),
          ],
          `KinesisIngestApi "${name}" role policy`,
        ),
      },
      parent,
    );

    this.requestValidator = new aws.apigateway.RequestValidator(
      `${name}-body`,
      {
        restApi,
        name: "validate-body",
        validateRequestBody: true,
        validateRequestParameters: true,
      },
      parent,
    );

    const models = {} as Record<"record" | "records", aws.apigateway.Model>;
    const methods = {} as Record<"record" | "records", aws.apigateway.Method>;
    const integrations = {} as Record<"record" | "records", aws.apigateway.Integration>;
    const routeResources: pulumi.Resource[] = [];
    const authorization = args.authorization ?? "AWS_IAM";
    for (const route of ROUTES) {
      const n = `${name}-${route.path}`;
      const resource = new aws.apigateway.Resource(
        n,
        { restApi, parentId: this.restApi.rootResourceId, pathPart: route.path },
        parent,
      );
      models[route.path] = new aws.apigateway.Model(
        n,
        {
          restApi,
          name: `${route.action}Request`,
          contentType: JSON_CONTENT,
          description: `Body of POST /${route.path}`,
          schema: JSON.stringify(route.schema),
        },
        parent,
      );
      methods[route.path] = new aws.apigateway.Method(
        n,
        {
          restApi,
          resourceId: resource.id,
          httpMethod: "POST",
          authorization,
          apiKeyRequired: true,
          requestValidatorId: this.requestValidator.id,
          requestModels: { [JSON_CONTENT]: models[route.path].name },
          operationName: route.action,
        },
        parent,
      );
      integrations[route.path] = new aws.apigateway.Integration(
        n,
        applyTransform<aws.apigateway.IntegrationArgs>(
          {
            restApi,
            resourceId: resource.id,
            httpMethod: methods[route.path].httpMethod,
            type: "AWS",
            integrationHttpMethod: "POST",
            uri: pulumi.interpolate`arn:aws:apigateway:${region}:kinesis:action/${route.action}`,
            credentials: this.role.arn,
            requestParameters: {
              "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
            },
            requestTemplates: {
              [JSON_CONTENT]: pulumi.output(args.streamName).apply(route.requestTemplate),
            },
            // Only application/json (the validated model) reaches Kinesis; other types get 415.
            passthroughBehavior: "NEVER",
          },
          route.path === "record"
            ? args.transform?.putRecordIntegration
            : args.transform?.putRecordsIntegration,
          n,
        ),
        // The role must be able to write before the first request arrives.
        { parent: this, dependsOn: [this.rolePolicy] },
      );
      for (const r of RESPONSES) {
        const rn = `${n}-${r.statusCode}`;
        const methodResponse = new aws.apigateway.MethodResponse(
          rn,
          {
            restApi,
            resourceId: resource.id,
            httpMethod: methods[route.path].httpMethod,
            statusCode: r.statusCode,
            responseModels: { [JSON_CONTENT]: "Empty" },
          },
          parent,
        );
        routeResources.push(
          methodResponse,
          new aws.apigateway.IntegrationResponse(
            rn,
            {
              restApi,
              resourceId: resource.id,
              httpMethod: methods[route.path].httpMethod,
              statusCode: methodResponse.statusCode,
              selectionPattern: r.selectionPattern,
              responseTemplates: { [JSON_CONTENT]: r.template ?? route.responseTemplate },
            },
            { parent: this, dependsOn: [integrations[route.path]] },
          ),
        );
      }
      // Throttled puts are rewritten to 429 by CLIENT_ERROR_TEMPLATE; declare it on the method.
      routeResources.push(
        new aws.apigateway.MethodResponse(
          `${n}-429`,
          {
            restApi,
            resourceId: resource.id,
            httpMethod: methods[route.path].httpMethod,
            statusCode: "429",
            responseModels: { [JSON_CONTENT]: "Empty" },
          },
          parent,
        ),
        resource,
      );
    }
    this.models = models;
    this.methods = methods;
    this.integrations = integrations;

    const badRequestBody = new aws.apigateway.Response(
      `${name}-bad-request-body`,
      {
        restApiId: restApi,
        responseType: "BAD_REQUEST_BODY",
        statusCode: "400",
        responseTemplates: { [JSON_CONTENT]: BAD_REQUEST_BODY_TEMPLATE },
      },
      parent,
    );

    // A new deployment whenever anything the stage serves changes (templates, models, auth).
    const fingerprint = pulumi.all([args.streamName, args.streamArn]).apply(([stream, arn]) =>
      createHash("sha256")
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
        .digest("hex"),
    );
    this.deployment = new aws.apigateway.Deployment(
      name,
      { restApi, description: `${name} routes`, triggers: { redeployment: fingerprint } },
      {
        parent: this,
        dependsOn: [
          ...Object.values(methods),
          ...Object.values(integrations),
          ...routeResources,
          badRequestBody,
        ],
      },
    );

    const logGroupPrefix = `/aws/apigateway/${pulumi.getProject()}-${pulumi.getStack()}`;
    this.accessLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-access`,
      applyTransform<aws.cloudwatch.LogGroupArgs>(
        {
          name: `${logGroupPrefix}/${name}/access`,
          retentionInDays: retention,
          kmsKeyId: args.logKmsKeyArn,
        },
        args.transform?.accessLogGroup,
        `${name}-access`,
      ),
      parent,
    );
    // API Gateway would create this group itself, with no retention; owning it sets one.
    this.executionLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-execution`,
      {
        name: pulumi.interpolate`API-Gateway-Execution-Logs_${restApi}/${stageName}`,
        retentionInDays: retention,
        kmsKeyId: args.logKmsKeyArn,
      },
      parent,
    );

    if (args.manageAccountLogsRole) {
      const accountRole = new aws.iam.Role(
        `${name}-account-logs`,
        {
          assumeRolePolicy: assumeRolePolicy("apigateway.amazonaws.com", account),
          description: "API Gateway writes REST API access and execution logs (account setting)",
        },
        parent,
      );
      const accountPolicy = new aws.iam.RolePolicy(
        `${name}-account-logs`,
        {
          role: accountRole.id,
          // AmazonAPIGatewayPushToCloudWatchLogs's actions
          // (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html),
          // scoped to this account's log groups where the reference allows it: DescribeLogGroups
          // supports no resource type, so it stands alone on "*".
          policy: policyDocument(
            [
              allow(["logs:DescribeLogGroups"], ["*"]),
              allow(
                [
                  "logs:CreateLogGroup",
                  "logs:CreateLogStream",
                  "logs:DescribeLogStreams",
                  "logs:PutLogEvents",
                  "logs:GetLogEvents",
                  "logs:FilterLogEvents",
                ],
                [pulumi.interpolate`arn:aws:logs:${region}:${account}:log-group:*`],
              ),
            ],
            `KinesisIngestApi "${name}" account logs role policy`,
          ),
        },
        parent,
      );
      this.account = new aws.apigateway.Account(
        `${name}-account`,
        { cloudwatchRoleArn: accountRole.arn },
        { parent: this, dependsOn: [accountPolicy] },
      );
    }

    this.stage = new aws.apigateway.Stage(
      name,
      applyTransform<aws.apigateway.StageArgs>(
        {
          restApi,
          deployment: this.deployment.id,
          stageName,
          xrayTracingEnabled: true,
          accessLogSettings: {
            destinationArn: this.accessLogGroup.arn,
            format: ACCESS_LOG_FORMAT,
          },
        },
        args.transform?.stage,
        name,
      ),
      {
        parent: this,
        dependsOn: [this.executionLogGroup, ...(this.account ? [this.account] : [])],
      },
    );

    this.methodSettings = new aws.apigateway.MethodSettings(
      name,
      applyTransform<aws.apigateway.MethodSettingsArgs>(
        {
          restApi,
          stageName: this.stage.stageName,
          methodPath: "*/*",
          settings: {
            metricsEnabled: true,
            loggingLevel: "ERROR",
            // Request bodies are customer data: never copied into execution logs.
            dataTraceEnabled: false,
            throttlingRateLimit: rate,
            throttlingBurstLimit: burst,
          },
        },
        args.transform?.methodSettings,
        name,
      ),
      parent,
    );

    this.apiKey = new aws.apigateway.ApiKey(
      name,
      { description: `Producer key for ${name}`, enabled: true },
      parent,
    );
    this.usagePlan = new aws.apigateway.UsagePlan(
      name,
      applyTransform<aws.apigateway.UsagePlanArgs>(
        {
          description: `Producers of ${name}`,
          apiStages: [{ apiId: restApi, stage: this.stage.stageName }],
          throttleSettings: { rateLimit: rate, burstLimit: burst },
          quotaSettings: { limit: quota, period: args.quotaPeriod ?? "DAY" },
        },
        args.transform?.usagePlan,
        name,
      ),
      parent,
    );
    new aws.apigateway.UsagePlanKey(
      name,
      { keyId: this.apiKey.id, keyType: "API_KEY", usagePlanId: this.usagePlan.id },
      parent,
    );

    if (args.alarmTopicArn) {
      const dimensions = { ApiName: this.restApi.name, Stage: this.stage.stageName };
      metricAlarm(
        `${name}-5xx`,
        {
          description: `Ingest API ${name} returned 5XX (Kinesis unavailable or the role lost access; see the access log)`,
          namespace: "AWS/ApiGateway",
          metricName: "5XXError",
          dimensions,
        },
        args.alarmTopicArn,
        this,
      );
    }

    this.url = this.stage.invokeUrl;
    this.apiKeyId = this.apiKey.id;
    this.registerOutputs({ url: this.url, apiKeyId: this.apiKeyId });
  }

  /** Dashboard row of the REST API stage: requests, 4XX/5XX (rejected and failed puts), latency. */
  widgets(title = `Ingest API ${this.logicalName}`): DashboardRow[] {
    const m = (metricName: string, label: string, stat?: string) =>
      metric(
        "AWS/ApiGateway",
        metricName,
        { ApiName: this.restApi.name, Stage: this.stage.stageName },
        { label, stat },
      );
    return [
      {
        title,
        widgets: [
          { title: "Requests", lines: [m("Count", "requests")] },
          {
            title: "Errors",
            lines: [m("4XXError", "4XX (invalid, unauthorised, over quota)"), m("5XXError", "5XX")],
          },
          {
            title: "Latency (ms)",
            unit: "ms",
            lines: [
              m("Latency", "p50", "p50"),
              m("Latency", "p99", "p99"),
              m("IntegrationLatency", "Kinesis p99", "p99"),
            ],
          },
        ],
      },
    ];
  }
}
