/**
 * Every handler with AWS's own sample event of its trigger (test/fixtures/aws-events, copied from
 * the SAM CLI and Powertools; sources in its README). As sent, the samples carry foreign paths and
 * data: each handler answers them without a crash (a 4xx JSON answer, a reported record, an
 * archived invalid row). Adapted only in the fields that route to our code (path, body, data),
 * they run the real path end to end.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type {
  APIGatewayProxyEventV2,
  DynamoDBStreamEvent,
  FirehoseTransformationEvent,
  KinesisStreamEvent,
  SQSEvent,
} from "aws-lambda";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { handler as archiveTransform } from "../../functions/archive-transform/handler";
import { makeHandler as checksumSummary } from "../../functions/checksum-summary/handler";
import { makeHandler as fileIndexer } from "../../functions/file-indexer/handler";
import { makeHandler as filesApi } from "../../functions/files-api/handler";
import { makeHandler as itemsApi } from "../../functions/items-api/handler";
import { createItemsService } from "../../functions/lib/items";
import { makeHandler as metadataIndexer } from "../../functions/metadata-indexer/handler";
import { makeHandler as objectIngest } from "../../functions/object-ingest/handler";
import { makeHandler as objectProcessor } from "../../functions/object-processor/handler";
import { makeHandler as objectsApi } from "../../functions/objects-api/handler";
import { makeHandler as aggregator } from "../../functions/stream-aggregator/handler";
import { makeHandler as notifier } from "../../functions/stream-notifier/handler";
import { makeHandler as processor } from "../../functions/stream-processor/handler";
import { LocalDynamo, startDynalite } from "./support/dynalite";
import { silentLogger } from "./support/objectEvents";

const FIXTURES = path.join(__dirname, "..", "fixtures", "aws-events");
const load = <T>(file: string): T =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as T;
const HTTP = ["sam/apigateway/HttpApi.json", "powertools/apigw-http/no-auth.json"];
const S3_QUEUE = "powertools/s3/sqs-event.json";
const FOREIGN_SQS = [
  "sam/sqs/Sqs.json",
  "powertools/sqs/base.json",
  "powertools/sqs/sns-body.json",
];
const KINESIS = ["sam/kinesis/Kinesis.json", "powertools/kinesis/stream.json"];
const STREAMS = ["sam/dynamodb/DynamoDBUpdate.json", "powertools/dynamodb/base.json"];
const FIREHOSE = [
  "sam/kinesis/KinesisFirehoseStreamsAsSource.json",
  "powertools/kinesis/firehose.json",
];

/** The sample re-routed to one of our routes; everything else as AWS sent it. */
function route(
  file: string,
  method: string,
  rawPath: string,
  body?: object,
): APIGatewayProxyEventV2 {
  const e = load<APIGatewayProxyEventV2>(file);
  return {
    ...e,
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString: "",
    queryStringParameters: undefined,
    headers: { ...e.headers, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
    isBase64Encoded: false,
    requestContext: {
      ...e.requestContext,
      stage: "$default",
      http: { ...e.requestContext.http, method, path: rawPath },
    },
  };
}

const isJsonError = (res: { statusCode?: number; body?: string }) => {
  expect(res.statusCode).to.be.within(400, 499);
  expect(JSON.parse(res.body!)).to.have.nested.property("error.message");
};

describe("handlers with AWS's sample events (test/fixtures/aws-events)", function () {
  this.timeout(30_000);
  let local: LocalDynamo;
  let s3Mock: AwsClientStub<S3Client>;
  let sqsMock: AwsClientStub<SQSClient>;
  let snsMock: AwsClientStub<SNSClient>;
  let n = 0;
  const table = async (hashKey = "id") => {
    const name = `sample-${++n}`;
    await local.createTable(name, hashKey);
    return name;
  };
  before(async () => {
    // Created here, not at load time: mocks of one client class must not overlap across files.
    s3Mock = mockClient(S3Client);
    sqsMock = mockClient(SQSClient);
    snsMock = mockClient(SNSClient);
    local = await startDynalite();
  });
  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: "text/plain", ContentLength: 5 });
    s3Mock.on(GetObjectCommand).callsFake(() => ({
      // The handler reads the body as an async iterable of bytes.
      Body: Readable.from([Buffer.from("hello")]) as never,
      ContentLength: 5,
    }));
    sqsMock.reset().on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    snsMock.reset().on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
  });
  after(async () => {
    s3Mock.restore();
    sqsMock.restore();
    snsMock.restore();
    await local.close();
  });

  it("items-api: HTTP API samples get a 4xx JSON answer as sent, and create an item when routed", async () => {
    const name = await table();
    const h = itemsApi({ service: createItemsService(name, { client: local.client }) });
    for (const file of HTTP) {
      isJsonError(await h(load(file)));
      const res = await h(route(file, "POST", "/items", { name: `from ${file}` }));
      expect(res.statusCode, file).to.equal(201);
    }
    expect(await local.scan(name)).to.have.length(2);
  });

  it("files-api and objects-api: HTTP API samples, as sent and routed", async () => {
    const s3 = new S3Client({
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const files = filesApi({
      s3,
      config: {
        bucket: "b",
        allowedContentTypes: ["text/plain"],
        maxUploadBytes: 10,
        urlTtlSeconds: 60,
        keyPrefix: "uploads/",
      },
    });
    const name = await table();
    const objects = objectsApi(() => ({ ddb: local.doc, tableName: name, logger: silentLogger() }));
    for (const file of HTTP) {
      isJsonError(await files(load(file)));
      isJsonError(await objects(load(file)));
      const signed = await files(
        route(file, "POST", "/files", { fileName: "a.txt", contentType: "text/plain", size: 3 }),
      );
      expect(signed.statusCode, file).to.equal(201);
      const listed = await objects(route(file, "GET", "/objects"));
      expect(listed.statusCode, file).to.equal(200);
    }
  });

  it("object-ingest: S3 notification samples are queued, one message per record", async () => {
    const ingest = objectIngest(() => ({
      sqs: new SQSClient({ region: "us-east-1" }),
      queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/work",
      logger: silentLogger(),
    }));
    for (const file of ["sam/s3/S3Put.json", "powertools/s3/base.json"]) {
      const event = load<{ Records: unknown[] }>(file);
      expect(await ingest(event), file).to.deep.equal({ forwarded: event.Records.length });
    }
  });

  it("SQS consumers of S3 events: the S3-in-SQS sample is stored; foreign bodies are reported, not thrown", async () => {
    const s3 = new S3Client({ region: "us-east-1" });
    const consumers = [
      async (t: string) => fileIndexer({ ddb: local.doc, s3, tableName: t }),
      async (t: string) =>
        metadataIndexer(() => ({ s3, ddb: local.doc, tableName: t, logger: silentLogger() })),
      async (t: string) =>
        checksumSummary(() => ({ s3, ddb: local.doc, tableName: t, logger: silentLogger() })),
      async (t: string) =>
        objectProcessor(() => ({ s3, ddb: local.doc, tableName: t, logger: silentLogger() })),
    ];
    for (const make of consumers) {
      const name = await table();
      const h = await make(name);
      expect(await h(load<SQSEvent>(S3_QUEUE))).to.deep.equal({ batchItemFailures: [] });
      expect(await local.scan(name)).to.have.length(1);
      for (const file of FOREIGN_SQS) {
        const event = load<SQSEvent>(file);
        const out = await h(event);
        expect(
          out.batchItemFailures.map((f) => f.itemIdentifier),
          file,
        ).to.deep.equal(event.Records.map((r) => r.messageId));
      }
      expect(await local.scan(name)).to.have.length(1);
    }
  });

  it("stream-processor and stream-aggregator: Kinesis samples' text data is poison; JSON data is stored and counted", async () => {
    const [dedupe, data] = [await table("eventId"), await table("eventId")];
    const p = processor({
      ddb: local.doc,
      dedupeTable: dedupe,
      dataTable: data,
      dedupeTtlSeconds: 60,
    });
    const agg = aggregator({ ddb: local.doc, table: await table("metric"), ttlSeconds: 60 });
    for (const file of KINESIS) {
      const event = load<KinesisStreamEvent>(file);
      const out = await p(event);
      expect(
        out.batchItemFailures.map((f) => f.itemIdentifier),
        file,
      ).to.deep.equal(event.Records.map((r) => r.kinesis.sequenceNumber));
      const json = {
        Records: event.Records.map((r, i) => ({
          ...r,
          kinesis: {
            ...r.kinesis,
            data: Buffer.from(JSON.stringify({ type: "sample", i, file })).toString("base64"),
          },
        })),
      };
      expect((await p(json)).batchItemFailures, file).to.deep.equal([]);
      const state = await agg({
        ...json,
        window: { start: "2026-01-01T00:00:00Z", end: "2026-01-01T00:01:00Z" },
        state: {},
        isFinalInvokeForWindow: false,
        isWindowTerminatedEarly: false,
        shardId: "shardId-000000000000",
        eventSourceARN: event.Records[0].eventSourceARN,
      } as never);
      expect(JSON.parse(state.state!.window).aggregates.sample.count).to.equal(
        event.Records.length,
      );
    }
    expect((await local.scan(data)).length).to.equal(
      KINESIS.reduce((a, f) => a + load<KinesisStreamEvent>(f).Records.length, 0),
    );
  });

  it("stream-notifier: DynamoDB Streams samples are formatted and published without a failure", async () => {
    const h = notifier({
      sns: new SNSClient({ region: "us-east-1" }),
      topicArn: "arn:aws:sns:us-east-1:123456789012:t",
      rules: { eventNames: ["INSERT", "MODIFY", "REMOVE"], severities: [] },
    });
    for (const file of STREAMS) {
      const event = load<DynamoDBStreamEvent>(file);
      expect(await h(event), file).to.deep.equal({ batchItemFailures: [] });
    }
    const published = snsMock
      .commandCalls(PublishBatchCommand)
      .flatMap((c) => c.args[0].input.PublishBatchRequestEntries!);
    expect(published.length).to.equal(
      STREAMS.reduce((a, f) => a + load<DynamoDBStreamEvent>(f).Records.length, 0),
    );
    for (const entry of published) JSON.parse(entry.Message!);
  });

  it("archive-transform: Firehose samples come back Ok, one archived row each", async () => {
    for (const file of FIREHOSE) {
      const event = load<FirehoseTransformationEvent>(file);
      const out = await archiveTransform(event);
      expect(
        out.records.map((r) => [r.recordId, r.result]),
        file,
      ).to.deep.equal(event.records.map((r) => [r.recordId, "Ok"]));
      out.records.forEach((r, i) => {
        const row = JSON.parse(Buffer.from(r.data!, "base64").toString());
        const sent = Buffer.from(event.records[i].data, "base64")
          .toString()
          .replace(/\r?\n$/, "");
        expect(row.payload).to.equal(sent);
        if (row.valid) expect(row.eventid).to.be.a("string");
        else expect(row.error).to.be.a("string").and.not.equal("");
      });
    }
  });
});
