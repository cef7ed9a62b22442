import { expect } from "chai";
import { draft4Validate } from "../support/draft4";
import {
  ACCESS_LOG_FORMAT,
  BAD_REQUEST_BODY_TEMPLATE,
  CLIENT_ERROR_TEMPLATE,
  KinesisIngestApi,
  MAX_DATA_CHARS,
  MAX_RECORDS_PER_REQUEST,
  PUT_RECORDS_RESPONSE_TEMPLATE,
  PUT_RECORDS_SCHEMA,
  PUT_RECORD_RESPONSE_TEMPLATE,
  PUT_RECORD_SCHEMA,
  SERVER_ERROR_TEMPLATE,
  putRecordTemplate,
  putRecordsTemplate,
} from "../../components/streaming/kinesisIngestApi";
import { MAX_EVENT_BYTES, SEVERITIES, decodeKinesisRecord } from "../../functions/lib/streamEvents";
import { kinesisRecord } from "../functions/support/streamEmulators";
import { Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";
import { renderVtl } from "../fixtures/vtl";
import { ALARMS_TOPIC_ARN as ALARMS } from "../support/componentFixtures";

const STREAM = "events-stream";
const STREAM_ARN = `arn:aws:kinesis:us-east-1:123456789012:stream/${STREAM}`;
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

// API Gateway validates bodies against the models with a draft-4 validator: so do these tests.
const model = (schema: object) => ({
  safeParse: (body: unknown) => {
    const r = draft4Validate(schema, body);
    return { success: r.success, error: { issues: r.paths.map((p) => ({ path: p.split(".") })) } };
  },
});
const recordModel = model(PUT_RECORD_SCHEMA);
const recordsModel = model(PUT_RECORDS_SCHEMA);
const decode = (b64: string) => JSON.parse(Buffer.from(b64, "base64").toString("utf8"));

describe("KinesisIngestApi request models", () => {
  it("are draft-4 JSON schemas API Gateway accepts", () => {
    for (const schema of [PUT_RECORD_SCHEMA, PUT_RECORDS_SCHEMA]) {
      expect(schema.$schema).to.equal("http://json-schema.org/draft-04/schema#");
      expect(schema.type).to.equal("object");
      expect(schema.additionalProperties).to.equal(false);
    }
  });

  it("accept a record with any data object and a partition key", () => {
    const ok = [
      { data: { a: 1 }, partitionKey: "k" },
      {
        data: {
          eventId: "e-1",
          type: "click",
          severity: "high",
          occurredAt: 1,
          value: 2.5,
          x: [1],
        },
        partitionKey: "x".repeat(256),
      },
      { data: { occurredAt: "2026-01-01T00:00:00Z" }, partitionKey: "ключ" },
    ];
    for (const body of ok)
      expect(recordModel.safeParse(body).success, JSON.stringify(body)).to.equal(true);
  });

  it("reject what Kinesis or the processor would refuse, naming the field", () => {
    const bad: [unknown, string][] = [
      [{ data: { a: 1 } }, "partitionKey"],
      [{ partitionKey: "k" }, "data"],
      [{ data: "text", partitionKey: "k" }, "data"],
      [{ data: [1], partitionKey: "k" }, "data"],
      [{ data: {}, partitionKey: "" }, "partitionKey"],
      [{ data: {}, partitionKey: "x".repeat(257) }, "partitionKey"],
      [{ data: {}, partitionKey: "k", extra: 1 }, ""],
      [{ data: { eventId: "" }, partitionKey: "k" }, "data.eventId"],
      [{ data: { eventId: "x".repeat(129) }, partitionKey: "k" }, "data.eventId"],
      [{ data: { severity: "urgent" }, partitionKey: "k" }, "data.severity"],
      [{ data: { occurredAt: true }, partitionKey: "k" }, "data.occurredAt"],
      [{ data: { value: "12" }, partitionKey: "k" }, "data.value"],
    ];
    for (const [body, path] of bad) {
      const r = recordModel.safeParse(body);
      expect(r.success, JSON.stringify(body)).to.equal(false);
      expect(r.error!.issues.map((i) => i.path.join("."))).to.include(path);
    }
  });

  it("limit a batch to 1-500 valid records", () => {
    const rec = { data: { a: 1 }, partitionKey: "k" };
    expect(recordsModel.safeParse({ records: [rec] }).success).to.equal(true);
    expect(
      recordsModel.safeParse({ records: Array(MAX_RECORDS_PER_REQUEST).fill(rec) }).success,
    ).to.equal(true);
    expect(recordsModel.safeParse({ records: [] }).success).to.equal(false);
    expect(
      recordsModel.safeParse({ records: Array(MAX_RECORDS_PER_REQUEST + 1).fill(rec) }).success,
    ).to.equal(false);
    const r = recordsModel.safeParse({ records: [rec, { data: {} }] });
    expect(r.error!.issues[0].path.join(".")).to.equal("records.1.partitionKey");
    expect(recordsModel.safeParse([rec]).success).to.equal(false);
  });

  it("offer exactly the severities the stream processor knows", () => {
    expect(PUT_RECORD_SCHEMA.properties.data.properties.severity.enum).to.deep.equal([
      ...SEVERITIES,
      ...SEVERITIES.map((s) => s.toUpperCase()),
    ]);
  });
});

describe("KinesisIngestApi mapping templates", () => {
  it("turn POST /record into PutRecord with base64 JSON data and an escaped partition key", () => {
    const data = {
      eventId: "e-1",
      type: "click",
      value: 3,
      nested: { list: [1, "two"], q: 'say "hi"' },
    };
    const partitionKey = 'user "42" \\ ü';
    const out = JSON.parse(renderVtl(putRecordTemplate(STREAM), { body: { data, partitionKey } }));
    expect(out.StreamName).to.equal(STREAM);
    expect(out.PartitionKey).to.equal(partitionKey);
    expect(decode(out.Data)).to.deep.equal(data);
    expect(Object.keys(out).sort()).to.deep.equal(["Data", "PartitionKey", "StreamName"]);
  });

  it("turn POST /records into one PutRecords entry per record, in order", () => {
    const records = [
      { data: { n: 1, text: "ä,ö" }, partitionKey: "a" },
      { data: { n: 2, arr: [{ x: null }] }, partitionKey: "b" },
      { data: { n: 3 }, partitionKey: "a" },
    ];
    const rendered = renderVtl(putRecordsTemplate(STREAM), { body: { records } });
    const out = JSON.parse(rendered);
    expect(out.StreamName).to.equal(STREAM);
    expect(out.Records).to.have.length(3);
    out.Records.forEach((r: { Data: string; PartitionKey: string }, i: number) => {
      expect(r.PartitionKey).to.equal(records[i].partitionKey);
      expect(decode(r.Data)).to.deep.equal(records[i].data);
    });
    // A single record renders without a trailing comma.
    const one = JSON.parse(
      renderVtl(putRecordsTemplate(STREAM), { body: { records: [records[0]] } }),
    );
    expect(one.Records).to.have.length(1);
  });

  it("would catch the classic $elem.data pitfall (Velocity prints maps as {k=v})", () => {
    const naive = `{"Records": [#foreach($r in $input.path('$.records')){"Data": "$util.base64Encode($r.data)"}#if($foreach.hasNext),#end#end]}`;
    const out = JSON.parse(renderVtl(naive, { body: { records: [{ data: { a: 1 } }] } }));
    expect(Buffer.from(out.Records[0].Data, "base64").toString()).to.equal("{a=1}");
  });

  it("never render data with Velocity's map syntax", () => {
    for (const t of [putRecordTemplate(STREAM), putRecordsTemplate(STREAM)]) {
      expect(t).to.match(/\$util\.base64Encode\(\$(input\.json\(|data\))/);
      if (t.includes("base64Encode($data)")) expect(t).to.include("#set($data = $input.json(");
      expect(t).not.to.match(/\$record\.data|\$elem\./);
    }
  });

  it("defect 4: data the processor cannot store (over its byte limit) never reaches the stream", () => {
    // Worst cases for bytes per character: 3-byte "€", 4-byte astral pairs, and plain ASCII.
    for (const unit of ["€", "😀", "x"]) {
      const fill = (chars: number) => unit.repeat(Math.floor(chars / unit.length));
      const overhead = JSON.stringify({ blob: "" }).length;
      const fits = { blob: fill(MAX_DATA_CHARS - overhead) };
      const over = { blob: fill(MAX_DATA_CHARS - overhead) + "xx" };
      const out = JSON.parse(
        renderVtl(putRecordTemplate(STREAM), { body: { data: fits, partitionKey: "k" } }),
      );
      const bytes = Buffer.from(out.Data, "base64");
      expect(bytes.length, unit).to.be.at.most(MAX_EVENT_BYTES);
      expect(decodeKinesisRecord(kinesisRecord(bytes.toString("utf8"))).ok, unit).to.equal(true);
      for (const [template, body] of [
        [putRecordTemplate(STREAM), { data: over, partitionKey: "k" }],
        [
          putRecordsTemplate(STREAM),
          {
            records: [
              { data: { a: 1 }, partitionKey: "k" },
              { data: over, partitionKey: "k" },
            ],
          },
        ],
      ] as const) {
        const rendered = renderVtl(template, { body });
        expect(() => JSON.parse(rendered), unit).to.throw(); // Kinesis: 400 SerializationException
      }
    }
    const answer = JSON.parse(
      renderVtl(CLIENT_ERROR_TEMPLATE, {
        body: { __type: "SerializationException", Message: "Start of structure not found" },
      }),
    );
    expect(answer.message).to.contain(`${MAX_DATA_CHARS} characters`);
  });

  it("map Kinesis' responses to camelCase, per-record outcomes included", () => {
    const one = JSON.parse(
      renderVtl(PUT_RECORD_RESPONSE_TEMPLATE, {
        body: { SequenceNumber: "4959", ShardId: "shardId-000000000000" },
      }),
    );
    expect(one).to.deep.equal({ sequenceNumber: "4959", shardId: "shardId-000000000000" });

    const throttled = 'Rate exceeded for shard "shardId-0"';
    // Each of Kinesis' per-record results beside the record the API must answer with.
    const results = [
      [
        { SequenceNumber: "1", ShardId: "shardId-0" },
        { sequenceNumber: "1", shardId: "shardId-0" },
      ],
      [
        { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: throttled },
        { errorCode: "ProvisionedThroughputExceededException", errorMessage: throttled },
      ],
      [
        { SequenceNumber: "3", ShardId: "shardId-0" },
        { sequenceNumber: "3", shardId: "shardId-0" },
      ],
    ];
    const many = JSON.parse(
      renderVtl(PUT_RECORDS_RESPONSE_TEMPLATE, {
        body: { FailedRecordCount: 1, Records: results.map(([kinesis]) => kinesis) },
      }),
    );
    expect(many).to.deep.equal({
      failedRecordCount: 1,
      records: results.map(([, answered]) => answered),
    });
  });

  it("turn Kinesis throttling into 429 and keep other client errors as 400", () => {
    const throttled = {
      body: { __type: "ProvisionedThroughputExceededException", message: "Rate exceeded" },
    };
    const body = JSON.parse(renderVtl(CLIENT_ERROR_TEMPLATE, throttled));
    expect(body).to.deep.equal({
      message: "Rate exceeded",
      type: "ProvisionedThroughputExceededException",
      requestId: "$context.requestId",
    });
    expect(
      (throttled as { context?: { responseOverride?: { status?: number } } }).context
        ?.responseOverride?.status,
    ).to.equal(429);

    const kms = { body: { __type: "KMSThrottlingException", message: "slow down" } };
    renderVtl(CLIENT_ERROR_TEMPLATE, kms);
    expect(
      (kms as { context?: { responseOverride?: { status?: number } } }).context?.responseOverride
        ?.status,
    ).to.equal(429);

    const other = { body: { __type: "ResourceNotFoundException", message: "no stream" } };
    JSON.parse(renderVtl(CLIENT_ERROR_TEMPLATE, other));
    expect(
      (other as { context?: { responseOverride?: unknown } }).context?.responseOverride,
    ).to.equal(undefined);
  });

  it("hide server errors behind a request id", () => {
    const out = JSON.parse(
      renderVtl(SERVER_ERROR_TEMPLATE, { body: {}, context: { requestId: "req-1" } }),
    );
    expect(out).to.deep.equal({
      message: "The stream is unavailable; retry with backoff.",
      requestId: "req-1",
    });
  });

  it("log JSON access lines with the validation and integration errors", () => {
    const format = JSON.parse(ACCESS_LOG_FORMAT);
    expect(format).to.include({
      requestId: "$context.requestId",
      validationError: "$context.error.validationErrorString",
      integrationError: "$context.integration.error",
      apiKeyId: "$context.identity.apiKeyId",
    });
  });

  it("defect 7: the 400 of a failed model is JSON whatever the validation error quotes", () => {
    // Plain substitution, as gateway responses do; the error text quotes the offending JSON.
    const detail = '[instance value ("urgent") not found in enum (possible values: ["info"])]';
    const sample = BAD_REQUEST_BODY_TEMPLATE.replace(
      "$context.error.messageString",
      '"Invalid request body"',
    )
      .replaceAll("$context.error.validationErrorString", detail)
      .replace("$context.requestId", "r-1");
    expect(JSON.parse(sample)).to.include({ message: "Invalid request body", requestId: "r-1" });
  });

  it("defect 7: the Kinesis error template is JSON with quotes in the message and fields missing", () => {
    const bodies: unknown[] = [
      { __type: "ValidationException", message: String.raw`Value "a\"b" at 'data' failed` },
      { __type: "AccessDeniedException", Message: "User: x is not authorized" },
      { message: "no type" },
      { __type: "InvalidArgumentException" },
      {},
    ];
    for (const body of bodies) {
      const out = JSON.parse(renderVtl(CLIENT_ERROR_TEMPLATE, { body }));
      expect(out.message, JSON.stringify(body)).to.be.a("string").and.not.equal("");
      const b = body as { message?: string; Message?: string; __type?: string };
      if (b.message ?? b.Message) expect(out.message).to.equal(b.message ?? b.Message);
      expect(out.type).to.equal(b.__type);
    }
  });
});

describe("KinesisIngestApi", () => {
  let rec: Recorder;
  let ids: { api: string; validator: string; key: string };
  before(async () => {
    rec = installMocks({ stack: "ingest-test" });
    const ingest = new KinesisIngestApi("ingest", {
      streamName: STREAM,
      streamArn: STREAM_ARN,
      streamKmsKeyArn: KEY,
      throttleRateLimit: 25,
      throttleBurstLimit: 50,
      quotaLimit: 5000,
      quotaPeriod: "WEEK",
      logRetentionDays: 30,
      alarmTopicArn: ALARMS,
      manageAccountLogsRole: true,
    });
    new KinesisIngestApi("open", {
      streamName: STREAM,
      streamArn: STREAM_ARN,
      authorization: "NONE",
    });
    await rec.settle();
    ids = {
      api: await valueOf(ingest.restApi.id),
      validator: await valueOf(ingest.requestValidator.id),
      key: await valueOf(ingest.apiKeyId),
    };
  });

  const api = () => rec.get("aws:apigateway/restApi:RestApi", "ingest");
  const policyOf = (name: string) =>
    JSON.parse(rec.get("aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string);

  it("lets its role put records into this one stream, and nothing else", () => {
    const doc = policyOf("ingest-kinesis");
    expect(doc.Statement).to.have.length(2);
    expect(doc.Statement[0]).to.deep.equal({
      Effect: "Allow",
      Action: ["kinesis:PutRecord", "kinesis:PutRecords"],
      Resource: [STREAM_ARN],
    });
    // A CMK-encrypted stream needs a data key, usable only through Kinesis.
    expect(doc.Statement[1]).to.deep.equal({
      Effect: "Allow",
      Action: ["kms:GenerateDataKey"],
      Resource: [KEY],
      Condition: { StringEquals: { "kms:ViaService": "kinesis.us-east-1.amazonaws.com" } },
    });
    expect(policyOf("open-kinesis").Statement).to.have.length(1);
    const trust = JSON.parse(
      rec.get("aws:iam/role:Role", "ingest-kinesis").inputs.assumeRolePolicy as string,
    );
    expect(trust.Statement[0].Principal).to.deep.equal({ Service: "apigateway.amazonaws.com" });
    expect(trust.Statement[0].Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
  });

  it("validates bodies against the models and requires an API key on both routes", () => {
    const validator = rec.get("aws:apigateway/requestValidator:RequestValidator", "ingest-body");
    expect(validator.inputs).to.include({ validateRequestBody: true });
    for (const [route, model] of [
      ["record", "PutRecordRequest"],
      ["records", "PutRecordsRequest"],
    ]) {
      const m = rec.get("aws:apigateway/method:Method", `ingest-${route}`).inputs;
      expect(m).to.include({
        httpMethod: "POST",
        authorization: "AWS_IAM",
        apiKeyRequired: true,
        requestValidatorId: ids.validator,
      });
      expect(m.requestModels).to.deep.equal({ "application/json": model });
      const resource = rec.get("aws:apigateway/resource:Resource", `ingest-${route}`).inputs;
      expect(resource).to.include({ pathPart: route, parentId: api().state.rootResourceId });
      const modelRes = rec.get("aws:apigateway/model:Model", `ingest-${route}`).inputs;
      expect(JSON.parse(modelRes.schema as string)).to.deep.equal(
        route === "record" ? PUT_RECORD_SCHEMA : PUT_RECORDS_SCHEMA,
      );
    }
    expect(rec.get("aws:apigateway/method:Method", "open-record").inputs.authorization).to.equal(
      "NONE",
    );
  });

  it("integrates each route with its Kinesis action through the role, JSON only", () => {
    for (const [route, action, template] of [
      ["record", "PutRecord", putRecordTemplate(STREAM)],
      ["records", "PutRecords", putRecordsTemplate(STREAM)],
    ]) {
      const i = rec.get("aws:apigateway/integration:Integration", `ingest-${route}`).inputs;
      expect(i).to.include({
        type: "AWS",
        integrationHttpMethod: "POST",
        uri: `arn:aws:apigateway:us-east-1:kinesis:action/${action}`,
        credentials: rec.get("aws:iam/role:Role", "ingest-kinesis").state.arn,
        passthroughBehavior: "NEVER",
      });
      expect(i.requestTemplates).to.deep.equal({ "application/json": template });
      expect(i.requestParameters).to.deep.equal({
        "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
      });
      const selection = ["200", "400", "500"].map(
        (code) =>
          rec.get(
            "aws:apigateway/integrationResponse:IntegrationResponse",
            `ingest-${route}-${code}`,
          ).inputs.selectionPattern,
      );
      expect(selection).to.deep.equal([undefined, "4\\d{2}", "5\\d{2}"]);
      rec.get("aws:apigateway/methodResponse:MethodResponse", `ingest-${route}-429`);
    }
    const bad = rec.get("aws:apigateway/response:Response", "ingest-bad-request-body").inputs;
    expect(bad).to.include({ responseType: "BAD_REQUEST_BODY", statusCode: "400" });
  });

  it("redeploys when the routes change and deploys after every route part", () => {
    const deployment = rec.get("aws:apigateway/deployment:Deployment", "ingest");
    expect((deployment.inputs.triggers as Record<string, string>).redeployment).to.match(
      /^[0-9a-f]{64}$/,
    );
    const parts = [
      "integration:Integration",
      "method:Method",
      "integrationResponse:IntegrationResponse",
    ].flatMap((t) => rec.byType(`aws:apigateway/${t}`).filter((r) => r.name.startsWith("ingest-")));
    for (const p of parts) expect(deployment.dependsOn).to.include(p.urn);
  });

  it("throttles the stage and the usage plan, with a quota per API key", () => {
    const plan = rec.get("aws:apigateway/usagePlan:UsagePlan", "ingest").inputs;
    expect(plan.throttleSettings).to.deep.equal({ rateLimit: 25, burstLimit: 50 });
    expect(plan.quotaSettings).to.deep.equal({ limit: 5000, period: "WEEK" });
    expect(plan.apiStages).to.deep.equal([{ apiId: ids.api, stage: "v1" }]);
    const key = rec.get("aws:apigateway/usagePlanKey:UsagePlanKey", "ingest").inputs;
    expect(key).to.include({
      keyType: "API_KEY",
      keyId: ids.key,
    });
    const settings = rec.get("aws:apigateway/methodSettings:MethodSettings", "ingest").inputs;
    expect(settings.methodPath).to.equal("*/*");
    expect(settings.settings).to.include({
      throttlingRateLimit: 25,
      throttlingBurstLimit: 50,
      metricsEnabled: true,
      dataTraceEnabled: false,
      loggingLevel: "ERROR",
    });
  });

  it("writes access logs and owns the execution log group, both with retention", () => {
    const stage = rec.get("aws:apigateway/stage:Stage", "ingest");
    const access = rec.get("aws:cloudwatch/logGroup:LogGroup", "ingest-access");
    expect(stage.inputs.accessLogSettings).to.deep.equal({
      destinationArn: access.state.arn,
      format: ACCESS_LOG_FORMAT,
    });
    expect(stage.inputs.xrayTracingEnabled).to.equal(true);
    expect(access.inputs.retentionInDays).to.equal(30);
    const execution = rec.get("aws:cloudwatch/logGroup:LogGroup", "ingest-execution").inputs;
    expect(execution).to.include({
      name: `API-Gateway-Execution-Logs_${ids.api}/v1`,
      retentionInDays: 30,
    });
    // Logging needs the account's CloudWatch role before the stage exists.
    const account = rec.get("aws:apigateway/account:Account", "ingest-account");
    expect(stage.dependsOn).to.include(account.urn);
    expect(rec.byType("aws:apigateway/account:Account")).to.have.length(1);
  });

  it("alarms on 5XX responses", () => {
    const alarm = rec.get("aws:cloudwatch/metricAlarm:MetricAlarm", "ingest-5xx").inputs;
    expect(alarm).to.include({ namespace: "AWS/ApiGateway", metricName: "5XXError" });
    expect(alarm.dimensions).to.deep.equal({ ApiName: api().state.name, Stage: "v1" });
    expect(alarm.alarmActions).to.deep.equal([ALARMS]);
  });

  it("rejects invalid arguments before creating anything", () => {
    expect(
      () =>
        new KinesisIngestApi("bad", {
          streamName: STREAM,
          streamArn: STREAM_ARN,
          stageName: "v 1",
          throttleBurstLimit: 0,
          quotaLimit: 1.5,
          logRetentionDays: 8,
        }),
    ).to.throw(
      /KinesisIngestApi "bad"[\s\S]*stageName[\s\S]*throttleBurstLimit[\s\S]*quotaLimit[\s\S]*logRetentionDays/,
    );
  });
});
