import { expect } from "chai";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import {
  MalformedEventError,
  decodeS3Key,
  objectEventId,
  parseS3Body,
} from "../../../functions/lib/s3Events";
import { processSqsBatch } from "../../../functions/lib/sqsBatch";

/** An S3 ObjectCreated notification as S3 sends it (key form-encoded). */
export function s3Notification(key: string, sequencer = "0062A1B2C3D4E5F601", bucket = "uploads") {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: "2026-11-26T10:00:00.000Z",
        eventName: "ObjectCreated:Put",
        s3: {
          s3SchemaVersion: "1.0",
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key, size: 1024, eTag: "d41d8cd98f00b204e9800998ecf8427e", sequencer },
        },
      },
    ],
  };
}

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    body,
    receiptHandle: "rh",
    attributes: {},
    messageAttributes: {},
  }) as unknown as SQSRecord;

describe("functions/lib/s3Events", () => {
  it("decodes form-encoded keys: + is a space, %2B is a plus, unicode survives", () => {
    expect(decodeS3Key("my+file.txt")).to.equal("my file.txt");
    expect(decodeS3Key("a%2Bb.txt")).to.equal("a+b.txt");
    expect(decodeS3Key("caf%C3%A9/%E2%9C%93.png")).to.equal("café/✓.png");
    expect(() => decodeS3Key("bad%E0%A4%A")).to.throw(MalformedEventError);
  });

  it("parses a raw S3 -> SQS body", () => {
    const parsed = parseS3Body(JSON.stringify(s3Notification("reports/q3+final.pdf")));
    expect(parsed.kind).to.equal("records");
    if (parsed.kind !== "records") return;
    expect(parsed.records[0]).to.deep.include({
      bucket: "uploads",
      key: "reports/q3 final.pdf",
      size: 1024,
    });
  });

  it("unwraps an SNS envelope", () => {
    const body = JSON.stringify({
      Type: "Notification",
      MessageId: "m",
      Message: JSON.stringify(s3Notification("x+y")),
    });
    const parsed = parseS3Body(body);
    expect(parsed.kind === "records" && parsed.records[0].key).to.equal("x y");
  });

  it("recognises the s3:TestEvent, raw and enveloped", () => {
    const test = { Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "uploads" };
    expect(parseS3Body(JSON.stringify(test))).to.deep.equal({ kind: "test" });
    expect(
      parseS3Body(JSON.stringify({ Type: "Notification", Message: JSON.stringify(test) })),
    ).to.deep.equal({ kind: "test" });
  });

  it("rejects malformed bodies with a clear error", () => {
    for (const body of [
      "not json",
      "{}",
      JSON.stringify({ Records: [{}] }),
      JSON.stringify({ Type: "Notification", Message: "{" }),
    ]) {
      expect(() => parseS3Body(body), body).to.throw(MalformedEventError);
    }
  });

  it("gives a duplicated event the same id and another write a different one", () => {
    const a = parseS3Body(JSON.stringify(s3Notification("k", "001")));
    const b = parseS3Body(JSON.stringify(s3Notification("k", "001")));
    const c = parseS3Body(JSON.stringify(s3Notification("k", "002")));
    if (a.kind !== "records" || b.kind !== "records" || c.kind !== "records")
      throw new Error("parse");
    expect(objectEventId(a.records[0])).to.equal(objectEventId(b.records[0]));
    expect(objectEventId(a.records[0])).not.to.equal(objectEventId(c.records[0]));
  });
});

describe("functions/lib/sqsBatch", () => {
  const event = (ids: string[]): SQSEvent => ({ Records: ids.map((id) => record(id, id)) });

  it("reports exactly the failed records", async () => {
    const seen: string[] = [];
    const res = await processSqsBatch(event(["a", "b", "c"]), async (r) => {
      seen.push(r.messageId);
      if (r.body === "b") throw new Error("boom");
    });
    expect(seen).to.deep.equal(["a", "b", "c"]);
    expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: "b" }]);
  });

  it("stops at the first failure on FIFO queues and returns the rest", async () => {
    const res = await processSqsBatch(
      event(["a", "b", "c"]),
      async (r) => {
        if (r.body === "b") throw new Error("boom");
      },
      { fifo: true },
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).to.deep.equal(["b", "c"]);
  });

  it("returns an empty failure list for an empty or fully successful batch", async () => {
    expect(await processSqsBatch({ Records: [] }, async () => {})).to.deep.equal({
      batchItemFailures: [],
    });
  });
});
