import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { makeHandler } from "../../functions/file-indexer/handler";
import { fileRow } from "../../functions/file-indexer/record";
import * as faults from "./support/awsFaults";
import { LocalDynamo, detachedDoc, startDynalite } from "./support/dynalite";
import {
  RecordOptions,
  TEST_EVENT,
  notification,
  s3Record as objectRecord,
  sqsEvent as batch,
  sqsRecord as queueRecord,
} from "./support/objectEvents";

const BUCKET = "files-bucket-826bbda";
const TABLE = "files";
let sequence = 0;

/** One S3 event record of the versioned upload bucket, key as S3 encodes it (`+` for spaces). */
const s3Record = (encodedKey: string, options: RecordOptions = {}) =>
  objectRecord(encodedKey, {
    bucket: BUCKET,
    versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
    sequencer: "0055AED6DCD90281E5",
    ...options,
  });

/** An SQS record of the uploads queue carrying `body`, with a fresh message id. */
const sqsRecord = (body: unknown) =>
  queueRecord(`msg-${++sequence}`, body, "three-tier-lambda-s3-uploads");

describe("functions/file-indexer (against dynalite)", () => {
  let local: LocalDynamo;
  // No removeUndefinedValues (unlike the deployed client): a row with an undefined attribute fails.
  let ddb: DynamoDBDocumentClient;
  // Created in before(): mockClient patches S3Client globally until restored.
  let s3Mock: ReturnType<typeof mockClient>;
  let handler: ReturnType<typeof makeHandler>;

  before(async () => {
    local = await startDynalite();
    await local.createTable(TABLE);
    ddb = DynamoDBDocumentClient.from(local.client);
    s3Mock = mockClient(S3Client);
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: "image/png", ContentLength: 1024 });
    s3Mock
      .on(HeadObjectCommand, { Key: "uploads/gone.txt" })
      .rejects(Object.assign(new Error("Not Found"), { name: "NotFound" }));
    handler = makeHandler({
      ddb,
      s3: new S3Client({ region: "us-east-1" }),
      tableName: TABLE,
      now: () => new Date("2026-01-01T12:00:01Z"),
    });
  });

  after(async () => {
    s3Mock?.restore();
    await local?.close();
  });

  const rows = () => local.scan(TABLE);
  const rowFor = async (key: string) => (await rows()).filter((r) => r.key === key);

  it("decodes keys with spaces ('+'), unicode and a literal '+' and records each file once", async () => {
    const res = await handler(
      batch(
        sqsRecord(notification(s3Record("uploads/a1/my+holiday+photo.png", { sequencer: "01" }))),
        sqsRecord(
          notification(
            s3Record("uploads/a2/%E6%97%A5%E6%9C%AC%E8%AA%9E+%C3%A9t%C3%A9.png", {
              sequencer: "02",
            }),
          ),
        ),
        sqsRecord(notification(s3Record("uploads/a3/c%2B%2B+notes.png", { sequencer: "03" }))),
      ),
    );
    expect(res.batchItemFailures).to.deep.equal([]);
    const [holiday] = await rowFor("uploads/a1/my holiday photo.png");
    expect(holiday).to.deep.include({
      id: `${BUCKET}/uploads/a1/my holiday photo.png#096fKKXTRTtl3on89fVO.nfljtsv6qko`,
      bucket: BUCKET,
      size: 1024,
      contentType: "image/png",
      versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
      eventName: "ObjectCreated:Put",
      indexedAt: "2026-01-01T12:00:01.000Z",
    });
    expect(await rowFor("uploads/a2/日本語 été.png")).to.have.length(1);
    expect(await rowFor("uploads/a3/c++ notes.png")).to.have.length(1);
    // HEAD asked S3 for the decoded key and the exact version.
    const heads = s3Mock.commandCalls(HeadObjectCommand).map((c) => c.args[0].input);
    expect(heads).to.deep.include({
      Bucket: BUCKET,
      Key: "uploads/a3/c++ notes.png",
      VersionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
    });
  });

  it("acknowledges and ignores s3:TestEvent", async () => {
    const before = (await rows()).length;
    const res = await handler(batch(sqsRecord({ ...TEST_EVENT, Bucket: BUCKET })));
    expect(res.batchItemFailures).to.deep.equal([]);
    expect((await rows()).length).to.equal(before);
  });

  it("fails only the malformed records of a batch", async () => {
    const good = sqsRecord(notification(s3Record("uploads/ok/after+bad.png", { sequencer: "10" })));
    const notJson = sqsRecord("this is not json");
    const noS3 = sqsRecord(JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put" }] }));
    const badKey = sqsRecord(notification(s3Record("uploads/%E0%A4%A.png", { sequencer: "11" })));
    const other = sqsRecord(JSON.stringify({ hello: "world" }));
    const res = await handler(batch(notJson, good, noS3, badKey, other));
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).to.deep.equal([
      notJson.messageId,
      noS3.messageId,
      badKey.messageId,
      other.messageId,
    ]);
    expect(await rowFor("uploads/ok/after bad.png")).to.have.length(1);
  });

  it("writes one row for duplicated and redelivered events", async () => {
    const body = notification(s3Record("uploads/dup/report+final.png", { sequencer: "20" }));
    const first = await handler(batch(sqsRecord(body), sqsRecord(body)));
    const redelivery = await handler(batch(sqsRecord(body)));
    expect(first.batchItemFailures).to.deep.equal([]);
    expect(redelivery.batchItemFailures).to.deep.equal([]);
    expect(await rowFor("uploads/dup/report final.png")).to.have.length(1);
  });

  it("keeps one row per version when a key is overwritten", async () => {
    const v1 = s3Record("uploads/v/doc.png", { versionId: "v1", sequencer: "30" });
    const v2 = s3Record("uploads/v/doc.png", { versionId: "v2", sequencer: "31" });
    await handler(batch(sqsRecord(notification(v1, v2))));
    const found = await rowFor("uploads/v/doc.png");
    expect(found.map((r) => r.versionId).sort()).to.deep.equal(["v1", "v2"]);
  });

  it("records a file deleted before indexing, without its content type", async () => {
    const res = await handler(
      batch(sqsRecord(notification(s3Record("uploads/gone.txt", { sequencer: "40" })))),
    );
    expect(res.batchItemFailures).to.deep.equal([]);
    const [row] = await rowFor("uploads/gone.txt");
    expect(row).not.to.have.property("contentType");
  });

  it("skips events other than ObjectCreated", async () => {
    const res = await handler(
      batch(
        sqsRecord(
          notification(
            s3Record("uploads/removed.png", { eventName: "ObjectRemoved:Delete", sequencer: "50" }),
          ),
        ),
      ),
    );
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(await rowFor("uploads/removed.png")).to.have.length(0);
  });

  it("returns a record whose write fails, and only that one, to the queue", async () => {
    const failing = makeHandler({
      ddb: {
        send: async (command: { input: { Item?: { key?: string } } }) => {
          if (command.input.Item?.key === "uploads/throttled.png") {
            throw Object.assign(new Error("Rate exceeded"), {
              name: "ProvisionedThroughputExceededException",
            });
          }
          return {};
        },
      } as unknown as DynamoDBDocumentClient,
      tableName: TABLE,
    });
    const bad = sqsRecord(notification(s3Record("uploads/throttled.png", { sequencer: "60" })));
    const ok = sqsRecord(notification(s3Record("uploads/fine.png", { sequencer: "61" })));
    const res = await failing(batch(ok, bad));
    expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: bad.messageId }]);
  });

  it("returns a message to the queue when S3 throttles its HEAD (SlowDown), and indexes it once on redelivery", async () => {
    s3Mock
      .on(HeadObjectCommand, { Key: "uploads/slow.png" })
      .rejectsOnce(faults.s3.slowDown())
      .resolves({ ContentType: "image/png", ContentLength: 1024 });
    const body = notification(s3Record("uploads/slow.png", { sequencer: "70" }));
    const first = sqsRecord(body);
    expect((await handler(batch(first))).batchItemFailures).to.deep.equal([
      { itemIdentifier: first.messageId },
    ]);
    expect(await rowFor("uploads/slow.png")).to.have.length(0);
    expect((await handler(batch(sqsRecord(body)))).batchItemFailures).to.deep.equal([]);
    expect(await rowFor("uploads/slow.png")).to.have.length(1);
  });

  it("retries a message whose second object failed (DynamoDB InternalServerError) whole: the redelivery writes the rest and nothing twice", async () => {
    const doc = detachedDoc();
    const ddbMock = mockClient(doc);
    let failed = false;
    ddbMock.on(PutCommand).callsFake(async (input: PutCommand["input"]) => {
      if (input.Item?.key === "uploads/pair/second.png" && !failed) {
        failed = true;
        throw faults.dynamo.internal();
      }
      return ddb.send(new PutCommand(input));
    });
    let clock = Date.parse("2026-01-01T13:00:00Z");
    const flaky = makeHandler({
      ddb: doc,
      tableName: TABLE,
      now: () => new Date((clock += 60_000)),
    });
    try {
      const body = notification(
        s3Record("uploads/pair/first.png", { sequencer: "80" }),
        s3Record("uploads/pair/second.png", { sequencer: "81" }),
      );
      const delivery = sqsRecord(body);
      expect((await flaky(batch(delivery))).batchItemFailures).to.deep.equal([
        { itemIdentifier: delivery.messageId },
      ]);
      const [firstRow] = await rowFor("uploads/pair/first.png");
      expect((await flaky(batch(sqsRecord(body)))).batchItemFailures).to.deep.equal([]);
      expect(await rowFor("uploads/pair/first.png")).to.deep.equal([firstRow]);
      expect(await rowFor("uploads/pair/second.png")).to.have.length(1);
    } finally {
      ddbMock.restore();
    }
  });

  it("builds rows keyed by bucket, key and version (sequencer without versioning)", () => {
    const event = {
      eventName: "ObjectCreated:Put",
      eventTime: "t",
      bucket: "b",
      key: "k",
      sequencer: "0A",
    };
    expect(fileRow(event, undefined, new Date(0)).id).to.equal("b/k#0A");
    expect(fileRow({ ...event, versionId: "v9" }, undefined, new Date(0)).id).to.equal("b/k#v9");
  });
});
