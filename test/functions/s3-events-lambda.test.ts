/**
 * The s3-events-lambda chain at runtime: S3 -> object-ingest -> SQS -> object-processor ->
 * DynamoDB, with SQS mocked (what ingest sends is fed to the processor as SQS would deliver it),
 * S3 mocked and DynamoDB in dynalite.
 */
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  SQSClient,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { makeHandler as makeIngest } from "../../functions/object-ingest/handler";
import { chunk, toQueueMessages } from "../../functions/object-ingest/forward";
import { makeHandler as makeProcessor } from "../../functions/object-processor/handler";
import { classify } from "../../functions/object-processor/process";
import { MalformedEventError } from "../../functions/lib/s3Events";
import * as faults from "./support/awsFaults";
import {
  TEST_EVENT,
  notification,
  s3Record,
  silentLogger,
  sqsEvent,
  sqsRecord,
} from "./support/objectEvents";
import { LocalDynamo, REGION, putFailingOnce, startDynalite } from "./support/dynalite";

const TABLE = "processed-objects";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/object-work";
const mockSqs = () => mockClient(SQSClient);
const mockS3 = () => mockClient(S3Client);

describe("functions/object-ingest", () => {
  let sqsMock: ReturnType<typeof mockSqs>;
  let ingest: ReturnType<typeof makeIngest>;
  before(() => {
    sqsMock = mockSqs();
    ingest = makeIngest(() => ({
      sqs: new SQSClient({ region: "us-east-1" }),
      queueUrl: QUEUE_URL,
      logger: silentLogger(),
    }));
  });
  after(() => sqsMock.restore());
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it("queues one message per record, in batches of at most 10", async () => {
    const records = Array.from({ length: 12 }, (_, i) =>
      s3Record(`f${i}.txt`, { sequencer: `S${i}` }),
    );
    expect(await ingest(notification(...records))).to.deep.equal({ forwarded: 12 });
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).to.deep.equal([10, 2]);
    expect(calls[0].args[0].input.QueueUrl).to.equal(QUEUE_URL);
    const first = JSON.parse(calls[0].args[0].input.Entries![0].MessageBody!);
    expect(first).to.deep.equal({ Records: [records[0]] });
  });

  it("ignores s3:TestEvent and throws on anything that is not an S3 notification", async () => {
    expect(await ingest(TEST_EVENT)).to.deep.equal({ forwarded: 0 });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).to.have.length(0);
    let error: unknown;
    try {
      await ingest({ hello: "world" });
    } catch (e) {
      error = e;
    }
    // Thrown, so Lambda retries the invocation and then sends it to the on-failure DLQ.
    expect(error).to.be.instanceOf(MalformedEventError);
    expect(() => toQueueMessages({ Records: [] })).to.throw(MalformedEventError);
  });

  it("resends only the entries SQS rejected, and fails the invocation if they fail again", async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: "r0", MessageId: "1", MD5OfMessageBody: "x" }],
        Failed: [{ Id: "r1", SenderFault: false, Code: "InternalError" }],
      })
      .resolves({ Successful: [{ Id: "r1", MessageId: "2", MD5OfMessageBody: "x" }], Failed: [] });
    await ingest(notification(s3Record("a.txt"), s3Record("b.txt")));
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls[1].args[0].input.Entries!.map((e) => e.Id)).to.deep.equal(["r1"]);

    sqsMock.reset();
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: "r0", SenderFault: false, Code: "InternalError" }] });
    let message = "";
    try {
      await ingest(notification(s3Record("c.txt")));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/rejected 1 message\(s\) twice: r0/);
  });

  it("fails the invocation when SQS throttles or fails the send (Lambda retries it, then the on-failure destination)", async () => {
    for (const error of [
      faults.sqs.throttled(),
      faults.sqs.kmsThrottled(),
      faults.sqs.internal(),
    ]) {
      sqsMock.reset();
      sqsMock.on(SendMessageBatchCommand).rejects(error);
      let thrown: unknown;
      try {
        await ingest(notification(s3Record("a.txt")));
      } catch (e) {
        thrown = e;
      }
      expect(thrown, error.name).to.equal(error);
    }
  });

  it("chunk keeps order and sizes", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect(chunk([])).to.deep.equal([]);
  });
});

describe("functions/object-processor (against dynalite)", () => {
  let local: LocalDynamo;
  let s3Mock: ReturnType<typeof mockS3>;
  let sqsMock: ReturnType<typeof mockSqs>;
  let processor: ReturnType<typeof makeProcessor>;
  before(async () => {
    s3Mock = mockS3();
    sqsMock = mockSqs();
    local = await startDynalite();
    await local.createTable(TABLE);
    processor = makeProcessor(() => ({
      s3: new S3Client({ region: "us-east-1" }),
      ddb: local.doc,
      tableName: TABLE,
      logger: silentLogger(),
      now: () => new Date("2026-11-26T10:00:00.000Z"),
    }));
  });
  after(async () => {
    s3Mock.restore();
    sqsMock.restore();
    await local.close();
  });
  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: "image/png", ContentLength: 4096 });
  });

  /** Runs ingest and returns what it sent, as the SQS records the processor would receive. */
  async function throughQueue(event: unknown) {
    const sent: SendMessageBatchRequestEntry[] = [];
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      sent.push(...input.Entries);
      return { Successful: [], Failed: [] };
    });
    const ingest = makeIngest(() => ({
      sqs: new SQSClient({ region: "us-east-1" }),
      queueUrl: QUEUE_URL,
      logger: silentLogger(),
    }));
    await ingest(event);
    return sent.map((e, i) => sqsRecord(`msg-${i}`, e.MessageBody!, "object-work"));
  }

  it("processes what ingest queued: decoded keys, classification, one row each", async () => {
    const records = await throughQueue(
      notification(
        s3Record("uploads/photos/Beach+Day.PNG", { versionId: "v1", sequencer: "01" }),
        s3Record("uploads/notes", { versionId: "v1", sequencer: "02" }),
      ),
    );
    const res = await processor(sqsEvent(...records));
    expect(res).to.deep.equal({ batchItemFailures: [] });
    const rows = await local.scan(TABLE);
    const beach = rows.find((r) => r.key === "uploads/photos/Beach Day.PNG")!;
    expect(beach).to.deep.include({
      id: "uploads/uploads/photos/Beach Day.PNG#v1",
      contentType: "image/png",
      size: 4096,
      prefix: "uploads",
      extension: "png",
      status: "processed",
    });
  });

  it("a redelivered or duplicated event produces one row", async () => {
    const records = await throughQueue(
      notification(s3Record("uploads/once.txt", { versionId: "v9", sequencer: "09" })),
    );
    await processor(sqsEvent(...records));
    await processor(sqsEvent(records[0], { ...records[0], messageId: "dup" }));
    const rows = (await local.scan(TABLE)).filter((r) => r.key === "uploads/once.txt");
    expect(rows).to.have.length(1);
  });

  it("reports exactly the failed records of a batch", async () => {
    s3Mock
      .on(HeadObjectCommand, { Key: "uploads/denied.txt" })
      .rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
    const res = await processor(
      sqsEvent(
        sqsRecord("good", notification(s3Record("uploads/good.txt", { sequencer: "21" }))),
        sqsRecord("denied", notification(s3Record("uploads/denied.txt", { sequencer: "22" }))),
        sqsRecord("garbage", "]]]"),
        sqsRecord("test", TEST_EVENT),
        sqsRecord("also-good", notification(s3Record("uploads/good2.txt", { sequencer: "23" }))),
      ),
    );
    expect(res.batchItemFailures).to.deep.equal([
      { itemIdentifier: "denied" },
      { itemIdentifier: "garbage" },
    ]);
    const keys = (await local.scan(TABLE)).map((r) => r.key);
    expect(keys).to.include.members(["uploads/good.txt", "uploads/good2.txt"]);
  });

  it("a retried ingest re-sends what an earlier attempt already queued; the processor still writes each object once", async () => {
    const records = Array.from({ length: 12 }, (_, i) =>
      s3Record(`uploads/retry/f${i}.txt`, { versionId: "v1", sequencer: `R${i}` }),
    );
    const sent: SendMessageBatchRequestEntry[] = [];
    let calls = 0;
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input) => {
      // The first attempt queues its first 10 messages, then SQS throttles the second batch.
      if (++calls === 2) throw faults.sqs.throttled();
      sent.push(...input.Entries);
      return { Successful: [], Failed: [] };
    });
    const ingest = makeIngest(() => ({
      sqs: new SQSClient({ region: REGION }),
      queueUrl: QUEUE_URL,
      logger: silentLogger(),
    }));
    let failed = false;
    await ingest(notification(...records)).catch(() => (failed = true));
    expect(failed).to.equal(true);
    await ingest(notification(...records)); // Lambda's retry of the same event
    expect(sent).to.have.length(22);

    const res = await processor(
      sqsEvent(...sent.map((e, i) => sqsRecord(`retry-${i}`, e.MessageBody!, "object-work"))),
    );
    expect(res.batchItemFailures).to.deep.equal([]);
    const keys = (await local.scan(TABLE))
      .map((r) => String(r.key))
      .filter((k) => k.startsWith("uploads/retry/"));
    expect(keys).to.have.length(12);
    expect(new Set(keys).size).to.equal(12);
  });

  it("returns a record to the queue when DynamoDB throttles its write; the redelivery writes it once", async () => {
    const { doc, mock: ddbMock } = putFailingOnce(local, faults.dynamo.throttling());
    const throttled = makeProcessor(() => ({
      s3: new S3Client({ region: REGION }),
      ddb: doc,
      tableName: TABLE,
      logger: silentLogger(),
    }));
    try {
      const body = notification(
        s3Record("uploads/throttled.txt", { versionId: "v1", sequencer: "31" }),
      );
      expect((await throttled(sqsEvent(sqsRecord("t1", body)))).batchItemFailures).to.deep.equal([
        { itemIdentifier: "t1" },
      ]);
      expect((await throttled(sqsEvent(sqsRecord("t2", body)))).batchItemFailures).to.deep.equal(
        [],
      );
      expect((await throttled(sqsEvent(sqsRecord("t3", body)))).batchItemFailures).to.deep.equal(
        [],
      );
      const rows = (await local.scan(TABLE)).filter((r) => r.key === "uploads/throttled.txt");
      expect(rows).to.have.length(1);
    } finally {
      ddbMock.restore();
    }
  });

  it("classify splits prefix and extension", () => {
    expect(classify("a/b/c.TXT")).to.deep.equal({ prefix: "a", extension: "txt" });
    expect(classify("root.tar.gz")).to.deep.equal({ prefix: "", extension: "gz" });
    expect(classify("dir/.hidden")).to.deep.equal({ prefix: "dir", extension: "" });
  });
});
