import { HeadObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { makeHandler } from "../../functions/metadata-indexer/handler";
import { metadataItem } from "../../functions/metadata-indexer/metadata";
import { parseS3Body } from "../../functions/lib/s3Events";
import * as faults from "./support/awsFaults";
import {
  TEST_EVENT,
  notification,
  s3Record,
  silentLogger,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
} from "./support/objectEvents";
import { LocalDynamo, REGION, putFailingOnce, startDynalite } from "./support/dynalite";

const TABLE = "object-metadata";
const NOW = new Date("2026-11-26T10:00:05.000Z");

const notFound = () =>
  new S3ServiceException({
    name: "NotFound",
    $fault: "client",
    $metadata: { httpStatusCode: 404 },
    message: "Not Found",
  });

const mockS3 = () => mockClient(S3Client);

describe("functions/metadata-indexer (against dynalite)", () => {
  let local: LocalDynamo;
  // Created in before(): mockClient patches every S3Client, so it must not outlive this suite.
  let s3Mock: ReturnType<typeof mockS3>;
  let now = NOW;
  let handler: ReturnType<typeof makeHandler>;

  before(async () => {
    s3Mock = mockS3();
    local = await startDynalite();
    await local.createTable(TABLE);
    handler = makeHandler(() => ({
      s3: new S3Client({ region: "us-east-1" }),
      ddb: local.doc,
      tableName: TABLE,
      logger: silentLogger(),
      now: () => now,
    }));
  });
  after(async () => {
    s3Mock.restore();
    await local.close();
  });
  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(HeadObjectCommand).resolves({
      ContentType: "application/pdf",
      ContentLength: 2048,
      LastModified: new Date("2026-11-26T09:59:59.000Z"),
      Metadata: { owner: "alice" },
    });
  });

  it("indexes raw and SNS-enveloped bodies, skips test events, fails only the malformed record", async () => {
    const event = sqsEvent(
      sqsRecord("m-raw", notification(s3Record("reports/q3+final%2B.pdf", { sequencer: "01" }))),
      sqsRecord("m-sns", snsEnvelope(notification(s3Record("caf%C3%A9.png", { sequencer: "02" })))),
      sqsRecord("m-test", TEST_EVENT),
      sqsRecord("m-bad", "{not json"),
    );
    const res = await handler(event);
    expect(res).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "m-bad" }] });

    const rows = await local.scan(TABLE);
    expect(rows.map((r) => r.key).sort()).to.deep.equal(["café.png", "reports/q3 final+.pdf"]);
    const pdf = rows.find((r) => r.key === "reports/q3 final+.pdf")!;
    expect(pdf).to.deep.include({
      id: "uploads/reports/q3 final+.pdf#01",
      bucket: "uploads",
      contentType: "application/pdf",
      size: 2048,
      status: "indexed",
      userMetadata: { owner: "alice" },
      indexedAt: NOW.toISOString(),
    });
    // HEAD asked for the decoded key.
    expect(s3Mock.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).to.include(
      "reports/q3 final+.pdf",
    );
  });

  it("is idempotent: a redelivered batch leaves one row per object write, first write kept", async () => {
    const body = notification(s3Record("dup.txt", { versionId: "v1", sequencer: "03" }));
    now = new Date("2026-11-26T11:00:00.000Z");
    expect(await handler(sqsEvent(sqsRecord("a", body)))).to.deep.equal({ batchItemFailures: [] });
    now = new Date("2026-11-26T12:00:00.000Z");
    // The same write delivered again, and once more through SNS (a second notification path).
    expect(
      await handler(sqsEvent(sqsRecord("b", body), sqsRecord("c", snsEnvelope(body)))),
    ).to.deep.equal({ batchItemFailures: [] });
    const rows = (await local.scan(TABLE)).filter((r) => r.key === "dup.txt");
    expect(rows).to.have.length(1);
    expect(rows[0].id).to.equal("uploads/dup.txt#v1");
    expect(rows[0].indexedAt).to.equal("2026-11-26T11:00:00.000Z");
    now = NOW;
  });

  it("records an object deleted before indexing as missing instead of retrying forever", async () => {
    s3Mock.on(HeadObjectCommand).rejects(notFound());
    const res = await handler(sqsEvent(sqsRecord("gone", notification(s3Record("gone.txt")))));
    expect(res.batchItemFailures).to.deep.equal([]);
    const row = (await local.scan(TABLE)).find((r) => r.key === "gone.txt")!;
    expect(row.status).to.equal("missing");
    expect(row.size).to.equal(1024); // from the event
  });

  it("fails exactly the records whose S3 call fails (they return to the queue)", async () => {
    s3Mock
      .on(HeadObjectCommand, { Key: "flaky.txt" })
      .rejects(new Error("SlowDown: please reduce your request rate"));
    const res = await handler(
      sqsEvent(
        sqsRecord("ok-1", notification(s3Record("fine-1.txt", { sequencer: "11" }))),
        sqsRecord("flaky", notification(s3Record("flaky.txt", { sequencer: "12" }))),
        sqsRecord("ok-2", notification(s3Record("fine-2.txt", { sequencer: "13" }))),
      ),
    );
    expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: "flaky" }]);
    const keys = (await local.scan(TABLE)).map((r) => r.key);
    expect(keys).to.include.members(["fine-1.txt", "fine-2.txt"]);
    expect(keys).to.not.include("flaky.txt");
  });

  it("returns a record to the queue when DynamoDB throttles its write, and indexes it once on redelivery", async () => {
    const { doc, mock: ddbMock } = putFailingOnce(local, faults.dynamo.throughputExceeded());
    const throttled = makeHandler(() => ({
      s3: new S3Client({ region: REGION }),
      ddb: doc,
      tableName: TABLE,
      logger: silentLogger(),
      now: () => now,
    }));
    try {
      const body = notification(s3Record("throttled.txt", { sequencer: "21" }));
      const ok = notification(s3Record("unaffected.txt", { sequencer: "22" }));
      expect(await throttled(sqsEvent(sqsRecord("t1", body), sqsRecord("u1", ok)))).to.deep.equal({
        batchItemFailures: [{ itemIdentifier: "t1" }],
      });
      expect((await local.scan(TABLE)).map((r) => r.key)).not.to.include("throttled.txt");
      expect(await throttled(sqsEvent(sqsRecord("t2", body)))).to.deep.equal({
        batchItemFailures: [],
      });
      const keys = (await local.scan(TABLE)).map((r) => r.key);
      expect(keys.filter((k) => k === "throttled.txt")).to.have.length(1);
      expect(keys.filter((k) => k === "unaffected.txt")).to.have.length(1);
    } finally {
      ddbMock.restore();
    }
  });

  it("fails a message holding a record without bucket or key (malformed, to the DLQ)", async () => {
    const broken = { Records: [{ eventName: "ObjectCreated:Put", s3: { object: {} } }] };
    const res = await handler(sqsEvent(sqsRecord("broken", broken)));
    expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: "broken" }]);
  });

  it("metadataItem is pure: the same event maps to the same row id", () => {
    const parsed = parseS3Body(JSON.stringify(notification(s3Record("a+b.txt"))));
    if (parsed.kind !== "records") throw new Error("expected records");
    const a = metadataItem(parsed.records[0], undefined, NOW);
    const b = metadataItem(parsed.records[0], { metadata: {} }, NOW);
    expect(a.id).to.equal(b.id);
    expect(a.status).to.equal("missing");
    expect(b.userMetadata).to.equal(undefined);
  });
});
