import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createHash } from "node:crypto";
import { makeHandler } from "../../functions/checksum-summary/handler";
import { etagCheck, summarize } from "../../functions/checksum-summary/summary";
import * as faults from "./support/awsFaults";
import * as ev from "./support/objectEvents";
import { CREDENTIALS, LocalDynamo, REGION, startDynalite } from "./support/dynalite";
import { LocalS3, startS3rver } from "./support/s3rver";

const TABLE = "object-checksums";
const BUCKET = "uploads";
const CONTENT = "hello, fan-out\n".repeat(1000);
const SHA = createHash("sha256").update(CONTENT).digest("hex");
const MD5 = createHash("md5").update(CONTENT).digest("hex");
/** The event of the stored object "docs/read me.txt" (CONTENT, plain MD5 ETag). */
const readMe = (sequencer: string) =>
  ev.s3Record("docs/read+me.txt", { size: CONTENT.length, eTag: MD5, sequencer });

describe("functions/checksum-summary (against s3rver and dynalite)", () => {
  let local: LocalDynamo;
  let localS3: LocalS3;
  let s3: S3Client;
  let handler: ReturnType<typeof makeHandler>;
  let gets = 0;

  before(async () => {
    local = await startDynalite();
    await local.createTable(TABLE);
    localS3 = await startS3rver([BUCKET]);
    s3 = localS3.s3;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "docs/read me.txt", Body: CONTENT }));
    // Count downloads, to prove a too-large object is never fetched.
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === GetObjectCommand.name) gets++;
        return next(args);
      },
      { step: "initialize" },
    );
    handler = makeHandler(() => ({
      s3,
      ddb: local.doc,
      tableName: TABLE,
      logger: ev.silentLogger(),
      maxObjectBytes: 1024 * 1024,
      now: () => new Date("2026-11-26T10:00:00.000Z"),
    }));
  });
  after(async () => {
    await localS3.close();
    await local.close();
  });

  it("hashes the object the event names (decoded key) and checks it against the MD5 ETag", async () => {
    const record = readMe("A1");
    const res = await handler(
      ev.sqsEvent(
        ev.sqsRecord("m1", ev.snsEnvelope(ev.notification(record))),
        ev.sqsRecord("t", ev.TEST_EVENT),
      ),
    );
    expect(res).to.deep.equal({ batchItemFailures: [] });
    const rows = await local.scan(TABLE);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({
      id: "uploads/docs/read me.txt#A1",
      status: "summarized",
      sha256: SHA,
      bytes: CONTENT.length,
      etag: "match",
    });
  });

  it("writes one row for a duplicated event", async () => {
    const record = readMe("A1");
    const res = await handler(
      ev.sqsEvent(
        ev.sqsRecord("m2", ev.notification(record)),
        ev.sqsRecord("m3", ev.notification(record)),
      ),
    );
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(await local.scan(TABLE)).to.have.length(1);
  });

  it("does not download objects above the limit, and records deleted ones as missing", async () => {
    const before = gets;
    const res = await handler(
      ev.sqsEvent(
        ev.sqsRecord(
          "big",
          ev.notification(ev.s3Record("huge.bin", { size: 5 * 1024 ** 3, sequencer: "B1" })),
        ),
        ev.sqsRecord(
          "gone",
          ev.notification(ev.s3Record("deleted.txt", { size: 10, sequencer: "B2" })),
        ),
      ),
    );
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(gets - before).to.equal(1); // only the deleted one was attempted
    const rows = await local.scan(TABLE);
    expect(rows.find((r) => r.key === "huge.bin")).to.deep.include({ status: "too-large" });
    expect(rows.find((r) => r.key === "deleted.txt")).to.deep.include({ status: "missing" });
  });

  it("fails exactly the record whose bucket is unreachable", async () => {
    const res = await handler(
      ev.sqsEvent(
        ev.sqsRecord("ok", ev.notification(ev.s3Record("docs/read+me.txt", { sequencer: "C1" }))),
        ev.sqsRecord(
          "nobucket",
          ev.notification(ev.s3Record("x.txt", { bucket: "no-such-bucket", sequencer: "C2" })),
        ),
      ),
    );
    expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: "nobucket" }]);
  });

  it("fails a record when S3 throttles the download or the stream breaks off mid-body, storing nothing until a delivery reads it whole", async () => {
    const faulty = new S3Client({ region: REGION, credentials: CREDENTIALS });
    const s3Mock = mockClient(faulty);
    async function* brokenBody() {
      yield Buffer.from("hello, ");
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    }
    s3Mock
      .on(GetObjectCommand)
      .rejectsOnce(faults.s3.slowDown())
      .resolvesOnce({ Body: brokenBody() as never })
      .callsFake((input: GetObjectCommand["input"]) => s3.send(new GetObjectCommand(input)));
    const flaky = makeHandler(() => ({
      s3: faulty,
      ddb: local.doc,
      tableName: TABLE,
      logger: ev.silentLogger(),
      now: () => new Date("2026-11-26T10:00:00.000Z"),
    }));
    try {
      const body = ev.notification(readMe("D1"));
      const row = async () =>
        (await local.scan(TABLE)).filter((r) => r.id === "uploads/docs/read me.txt#D1");
      for (const attempt of ["throttled", "broken"]) {
        const res = await flaky(ev.sqsEvent(ev.sqsRecord(attempt, body)));
        expect(res.batchItemFailures, attempt).to.deep.equal([{ itemIdentifier: attempt }]);
        expect(await row(), attempt).to.deep.equal([]);
      }
      expect(
        (await flaky(ev.sqsEvent(ev.sqsRecord("whole", body)))).batchItemFailures,
      ).to.deep.equal([]);
      expect(await row()).to.have.length(1);
      expect((await row())[0]).to.deep.include({
        status: "summarized",
        sha256: SHA,
        etag: "match",
      });
    } finally {
      s3Mock.restore();
    }
  });

  it("summarize streams chunks; etagCheck only trusts plain MD5 ETags", async () => {
    async function* chunks() {
      yield Buffer.from("ab");
      yield Buffer.from("c");
    }
    const s = await summarize(chunks());
    expect(s.bytes).to.equal(3);
    expect(s.sha256).to.equal(createHash("sha256").update("abc").digest("hex"));
    expect(etagCheck(`"${s.md5}"`, s.md5)).to.equal("match");
    expect(etagCheck("0123456789abcdef0123456789abcdef", s.md5)).to.equal("mismatch");
    expect(etagCheck("0123456789abcdef0123456789abcdef-3", s.md5)).to.equal("unverifiable");
    expect(etagCheck(undefined, s.md5)).to.equal("unverifiable");
  });
});
