/**
 * Defect 8: the s3-events-lambda redrive works end to end. Ingest failures (Lambda's async
 * invocation records) and work messages the processor gave up on sit in separate queues; the
 * redrive (functions/object-ingest/redrive.ts, README "Redrive") brings both back to the work
 * queue, and the processor then stores every object. SQS is an in-memory model of the API calls
 * involved (receive counts, redrive to the DLQ, StartMessageMoveTask back to the source queue);
 * DynamoDB is dynalite.
 */
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as SQS from "@aws-sdk/client-sqs";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { makeHandler as makeIngest } from "../../functions/object-ingest/handler";
import {
  redriveIngestFailures,
  redriveWorkDlq,
  unwrapInvocationRecord,
} from "../../functions/object-ingest/redrive";
import { makeHandler as makeProcessor } from "../../functions/object-processor/handler";
import * as faults from "./support/awsFaults";
import { LocalDynamo, startDynalite } from "./support/dynalite";
import { notification, s3Record, silentLogger, sqsEvent, sqsRecord } from "./support/objectEvents";

const ACCOUNT = "123456789012";
const url = (q: string) => `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${q}`;
const arn = (q: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${q}`;
const MAX_RECEIVES = 5;

interface Message {
  MessageId: string;
  Body: string;
  receives: number;
  /** Queue a DLQ message came from (what StartMessageMoveTask returns it to). */
  origin?: string;
}

/** The SQS semantics the flow relies on, per queue name. */
class SqsModel {
  queues = new Map<string, Message[]>([
    ["object-work", []],
    ["object-work-dlq", []],
    ["object-ingest-failures", []],
  ]);
  private n = 0;
  private nameOf = (urlOrArn: string) => urlOrArn.split(/[/:]/).pop()!;
  send(queueUrl: string, body: string, origin?: string) {
    this.queues
      .get(this.nameOf(queueUrl))!
      .push({ MessageId: `m${++this.n}`, Body: body, receives: 0, origin });
  }
  install(mock: ReturnType<typeof mockClient>) {
    mock
      .on(SQS.SendMessageBatchCommand)
      .callsFake((input: SQS.SendMessageBatchCommand["input"]) => {
        for (const e of input.Entries ?? []) this.send(input.QueueUrl!, e.MessageBody!);
        return { Successful: [], Failed: [] };
      });
    mock.on(SQS.ReceiveMessageCommand).callsFake((input: SQS.ReceiveMessageCommand["input"]) => {
      const q = this.queues.get(this.nameOf(input.QueueUrl!))!;
      return {
        Messages: q.slice(0, input.MaxNumberOfMessages ?? 1).map((m) => ({
          MessageId: m.MessageId,
          Body: m.Body,
          ReceiptHandle: m.MessageId,
        })),
      };
    });
    mock
      .on(SQS.DeleteMessageBatchCommand)
      .callsFake((input: SQS.DeleteMessageBatchCommand["input"]) => {
        const name = this.nameOf(input.QueueUrl!);
        const gone = new Set((input.Entries ?? []).map((e) => e.ReceiptHandle));
        this.queues.set(
          name,
          this.queues.get(name)!.filter((m) => !gone.has(m.MessageId)),
        );
        return { Successful: [], Failed: [] };
      });
    mock
      .on(SQS.StartMessageMoveTaskCommand)
      .callsFake((input: SQS.StartMessageMoveTaskCommand["input"]) => {
        const dlq = this.nameOf(input.SourceArn!);
        for (const m of this.queues.get(dlq)!) this.send(url(m.origin!), m.Body);
        this.queues.set(dlq, []);
        return { TaskHandle: "task-1" };
      });
  }
  /** Lambda's SQS poller: one receive of every work message, redrive to the DLQ past the limit. */
  async poll(processor: ReturnType<typeof makeProcessor>) {
    const work = this.queues.get("object-work")!;
    if (work.length === 0) return;
    for (const m of work) m.receives++;
    const out = await processor(
      sqsEvent(...work.map((m) => sqsRecord(m.MessageId, m.Body, "object-work"))),
    );
    const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
    const kept = work.filter((m) => failed.has(m.MessageId));
    for (const m of kept.filter((k) => k.receives >= MAX_RECEIVES)) {
      this.send(url("object-work-dlq"), m.Body, "object-work");
    }
    this.queues.set(
      "object-work",
      kept.filter((k) => k.receives < MAX_RECEIVES),
    );
  }
}

/** The record Lambda sends to an async on-failure destination after the last retry. */
function invocationRecord(payload: unknown) {
  return JSON.stringify({
    version: "1.0",
    timestamp: "2026-11-26T10:00:00.000Z",
    requestContext: {
      requestId: "c0ffee",
      functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:object-ingest:$LATEST`,
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: "ThrottledException", errorMessage: "Request is throttled" },
  });
}

describe("s3-events-lambda redrive (defect 8)", function () {
  this.timeout(30_000);
  let local: LocalDynamo;
  let sqsMock: AwsClientStub<SQS.SQSClient>;
  let s3Mock: AwsClientStub<S3Client>;
  before(async () => {
    // Created here, not at load time: mocks of one client class must not overlap across files.
    sqsMock = mockClient(SQS.SQSClient);
    s3Mock = mockClient(S3Client);
    local = await startDynalite();
  });
  after(async () => {
    sqsMock.restore();
    s3Mock.restore();
    await local.close();
  });

  it("redrives both failure queues to the work queue, and the processor then stores every object", async () => {
    const table = "redrive-objects";
    await local.createTable(table);
    const sqs = new SqsModel();
    sqsMock.reset();
    sqs.install(sqsMock);
    s3Mock.reset().on(HeadObjectCommand).resolves({ ContentType: "image/png", ContentLength: 1 });
    const client = new SQS.SQSClient({ region: "us-east-1" });
    const ingest = makeIngest(() => ({
      sqs: client,
      queueUrl: url("object-work"),
      logger: silentLogger(),
    }));

    // a.png: SQS throttles every attempt of the ingest invocation; Lambda gives up after its
    // retries and writes the invocation record to the ingest failures queue.
    const eventA = notification(s3Record("uploads/a.png", { versionId: "1", sequencer: "0A" }));
    sqsMock.on(SQS.SendMessageBatchCommand).rejects(faults.sqs.throttled());
    for (let i = 0; i < 3; i++) await ingest(eventA).catch(() => undefined);
    sqs.send(url("object-ingest-failures"), invocationRecord(eventA));
    sqs.install(sqsMock);

    // b.png is queued, but the table is throttled for every receive: it ends in the work DLQ.
    await ingest(notification(s3Record("uploads/b.png", { versionId: "1", sequencer: "0B" })));
    const throttledDdb = {
      send: () => Promise.reject(faults.dynamo.throughputExceeded()),
    } as unknown as LocalDynamo["doc"];
    const deps = (ddb: LocalDynamo["doc"]) =>
      makeProcessor(() => ({
        s3: new S3Client({ region: "us-east-1" }),
        ddb,
        tableName: table,
        logger: silentLogger(),
        now: () => new Date("2026-11-26T10:00:00.000Z"),
      }));
    for (let i = 0; i < MAX_RECEIVES; i++) await sqs.poll(deps(throttledDdb));
    expect(sqs.queues.get("object-work-dlq")).to.have.length(1);
    expect(sqs.queues.get("object-ingest-failures")).to.have.length(1);
    // Why the destinations are apart: an invocation record is not work the processor can do.
    const confused = await deps(local.doc)(
      sqsEvent(sqsRecord("x", invocationRecord(eventA), "object-work")),
    );
    expect(confused.batchItemFailures).to.deep.equal([{ itemIdentifier: "x" }]);

    // The operator runs the redrive; the processor drains the work queue.
    expect(await redriveWorkDlq(client, arn("object-work-dlq"))).to.equal("task-1");
    const result = await redriveIngestFailures({
      sqs: client,
      failuresUrl: url("object-ingest-failures"),
      workUrl: url("object-work"),
    });
    expect(result).to.deep.equal({ redriven: 1, kept: 0 });
    await sqs.poll(deps(local.doc));

    const rows = await local.scan(table);
    expect(rows.map((r) => r.key).sort()).to.deep.equal(["uploads/a.png", "uploads/b.png"]);
    for (const q of sqs.queues.values()) expect(q).to.have.length(0);
  });

  it("keeps what it cannot redrive, and refuses messages that are not invocation records", async () => {
    const sqs = new SqsModel();
    sqsMock.reset();
    sqs.install(sqsMock);
    sqs.send(url("object-ingest-failures"), '{"Records": []}');
    const client = new SQS.SQSClient({ region: "us-east-1" });
    const result = await redriveIngestFailures({
      sqs: client,
      failuresUrl: url("object-ingest-failures"),
      workUrl: url("object-work"),
    });
    expect(result).to.deep.equal({ redriven: 0, kept: 1 });
    expect(sqs.queues.get("object-ingest-failures")).to.have.length(1);
    expect(() => unwrapInvocationRecord('{"Records": []}')).to.throw(/invocation record/);
  });
});
