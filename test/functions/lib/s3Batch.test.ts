import { expect } from "chai";
import { putOnce } from "../../../functions/lib/idempotentPut";
import { processS3EventBatch } from "../../../functions/lib/s3Batch";
import type { S3ObjectEvent } from "../../../functions/lib/s3Events";
import {
  TEST_EVENT,
  notification,
  s3Record,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
} from "../support/objectEvents";
import { LocalDynamo, startDynalite } from "../support/dynalite";

describe("functions/lib/s3Batch", () => {
  it("hands every object of every message to the handler and counts the batch", async () => {
    const seen: S3ObjectEvent[] = [];
    const res = await processS3EventBatch(
      sqsEvent(
        sqsRecord("two", notification(s3Record("a"), s3Record("b+c", { sequencer: "2" }))),
        sqsRecord("sns", snsEnvelope(notification(s3Record("d")))),
        sqsRecord("test", snsEnvelope(TEST_EVENT)),
      ),
      async (o) => void seen.push(o),
    );
    expect(seen.map((o) => o.key)).to.deep.equal(["a", "b c", "d"]);
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(res.stats).to.deep.equal({ messages: 3, objects: 3, testEvents: 1, failed: 0 });
  });

  it("fails the whole message when one of its objects fails; FIFO stops at the first failure", async () => {
    const event = sqsEvent(
      sqsRecord("m1", notification(s3Record("ok"), s3Record("bad"))),
      sqsRecord("m2", notification(s3Record("ok2"))),
    );
    const handle = async (o: S3ObjectEvent) => {
      if (o.key === "bad") throw new Error("boom");
    };
    const failures: string[] = [];
    const standard = await processS3EventBatch(event, handle, {
      onFailure: (f) => void failures.push(`${f.messageId}: ${f.error}`),
    });
    expect(standard.batchItemFailures).to.deep.equal([{ itemIdentifier: "m1" }]);
    expect(failures).to.deep.equal(["m1: boom"]);
    const fifo = await processS3EventBatch(event, handle, { fifo: true });
    expect(fifo.batchItemFailures.map((f) => f.itemIdentifier)).to.deep.equal(["m1", "m2"]);
  });
});

describe("functions/lib/idempotentPut (against dynalite)", () => {
  let local: LocalDynamo;
  before(async () => {
    local = await startDynalite();
    await local.createTable("once");
  });
  after(() => local.close());

  it("writes the first item and reports later ones with the same key as duplicates", async () => {
    expect(await putOnce(local.doc, "once", { id: "k", n: 1 })).to.equal("written");
    expect(await putOnce(local.doc, "once", { id: "k", n: 2 })).to.equal("duplicate");
    expect(await local.scan("once")).to.deep.equal([{ id: "k", n: 1 }]);
  });

  it("rethrows other errors (they fail the record, which is retried)", async () => {
    let name = "";
    try {
      await putOnce(local.doc, "no-such-table", { id: "k" });
    } catch (e) {
      name = (e as Error).name;
    }
    expect(name).to.equal("ResourceNotFoundException");
  });
});
