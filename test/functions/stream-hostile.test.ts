/**
 * Issue 12, defects 1-3 and 5: hostile records on the analytics path (processor, aggregator,
 * notifier) against dynalite, which enforces DynamoDB's item size and number limits.
 */
import { expect } from "chai";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { batchPut } from "../../functions/lib/dynamoBatch";
import { decodeKinesisRecord } from "../../functions/lib/streamEvents";
import { processBatch } from "../../functions/stream-processor/process";
import { makeHandler as aggregator } from "../../functions/stream-aggregator/handler";
import {
  foldRecords,
  emptyState,
  serializeState,
} from "../../functions/stream-aggregator/aggregate";
import { formatNotification } from "../../functions/stream-notifier/notify";
import { kinesisRecord } from "./support/streamEmulators";
import { LocalDynamo, startDynalite } from "./support/dynalite";

describe("issue 12: hostile records on the stream path (dynalite)", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let n = 0;
  before(async () => {
    dynamo = await startDynalite();
  });
  after(async () => dynamo?.close());

  async function tables() {
    const t = { dedupe: `h-dedupe-${++n}`, data: `h-data-${n}`, aggregates: `h-agg-${n}` };
    await Promise.all([
      dynamo.createTable(t.dedupe, "eventId"),
      dynamo.createTable(t.data, "eventId"),
      dynamo.createTable(t.aggregates, "metric", "windowShard"),
    ]);
    const deps = {
      ddb: dynamo.doc,
      dedupeTable: t.dedupe,
      dataTable: t.data,
      dedupeTtlSeconds: 60,
    };
    return { ...t, deps };
  }

  it("defect 1: one item DynamoDB refuses costs only itself, with its reason", async () => {
    const t = await tables();
    const items = Array.from({ length: 25 }, (_, i) => ({ eventId: `i${i}`, n: i }));
    items[7] = { eventId: "i7", n: 7, blob: "x".repeat(401 * 1024) } as never; // over 400 KB
    items[13] = { eventId: "i13", n: 1e20 }; // the SDK cannot marshal it as a JS number
    const failed = await batchPut(dynamo.doc, t.data, items, (i) => String(i.eventId));
    expect([...failed.keys()].sort()).to.deep.equal(["i13", "i7"]);
    expect(failed.get("i7")).to.deep.include({ retryable: false });
    expect(failed.get("i7")!.reason).to.match(/size|ValidationException/i);
    expect(failed.get("i13")!.reason).to.match(/MAX_SAFE_INTEGER/);
    expect((await dynamo.scan(t.data)).map((r) => r.eventId).sort()).to.have.length(23);
  });

  it("defect 1: a 100-record batch with hostile numbers and keys stores every storable record", async () => {
    const t = await tables();
    const { deps } = t;
    const records = Array.from({ length: 100 }, (_, i) => kinesisRecord({ eventId: `r${i}`, i }));
    records[10] = kinesisRecord({ eventId: "big", value: 1e20 });
    records[20] = kinesisRecord('{"eventId":"proto","__proto__":{"x":1},"n":1e-200}');
    records[30] = kinesisRecord({ eventId: "tiny", value: 1e-200 }); // refused by the schema
    records[40] = kinesisRecord('{"eventId":"huge","nested":{"n":123456789012345678901234567890}}');
    const out = await processBatch(records, Date.now() + 30_000, deps);
    expect(out.response.batchItemFailures).to.deep.equal([
      { itemIdentifier: records[30].kinesis.sequenceNumber },
    ]);
    const rows = new Map((await dynamo.scan(t.data)).map((r) => [r.eventId, r]));
    expect(rows.size).to.equal(99);
    expect(String(rows.get("big")!.value)).to.equal("100000000000000000000");
    expect(rows.get("proto")!.payload).to.equal(
      '{"eventId":"proto","__proto__":{"x":1},"n":1e-200}',
    );
    expect(rows.get("huge")!.payload).to.contain("123456789012345678901234567890");
  });

  it("defect 2: an occurredAt outside the date range fails its record only, in both consumers", async () => {
    const t = await tables();
    const { deps } = t;
    const bad = kinesisRecord({ eventId: "far", occurredAt: 1e16 });
    const good = kinesisRecord({ eventId: "near", occurredAt: 1_767_225_600_000 });
    const weird = kinesisRecord({ eventId: "w" }, { arrivedAt: 1e20 }); // arrival time out of range
    const out = await processBatch([bad, good, weird], Date.now() + 30_000, deps);
    expect(out.response.batchItemFailures.map((f) => f.itemIdentifier)).to.deep.equal([
      bad.kinesis.sequenceNumber,
      weird.kinesis.sequenceNumber,
    ]);
    expect((await dynamo.scan(t.data)).map((r) => r.eventId)).to.deep.equal(["near"]);
    const state = foldRecords(emptyState(), [bad, good, weird]);
    expect(state.rejected).to.equal(2);
    expect(state.aggregates.event.count).to.equal(1);
    expect(decodeKinesisRecord(bad)).to.deep.include({ ok: false });
  });

  it("defect 2: data nested 50,000 levels deep (no eventId: content hash) is stored, not a stack overflow", async () => {
    const t = await tables();
    const { deps } = t;
    const text = `{"deep":${"[".repeat(50_000)}${"]".repeat(50_000)}}`;
    const out = await processBatch([kinesisRecord(text)], Date.now() + 30_000, deps);
    expect(out.response.batchItemFailures).to.deep.equal([]);
    const [row] = await dynamo.scan(t.data);
    expect(row.payload).to.equal(text);
    expect(row.eventId).to.match(/^sha256:/);
  });

  it("defect 3: sums past 2^53 close the window with the exact total", async () => {
    const t = await tables();
    const h = aggregator({ ddb: dynamo.doc, table: t.aggregates, ttlSeconds: 60, now: () => 0 });
    const records = [
      kinesisRecord({ eventId: "a", type: "big", value: 5e15 }),
      kinesisRecord({ eventId: "b", type: "big", value: 5e15 }),
      kinesisRecord({ eventId: "c", type: "big", value: 1 }),
      kinesisRecord({ eventId: "d", type: "big", value: 1e100 }),
      kinesisRecord({ eventId: "e", type: "big", value: 0.1 }),
    ];
    const window = { start: "2026-03-01T12:00:00Z", end: "2026-03-01T12:01:00Z" };
    const out = await h({
      Records: records,
      window,
      state: serializeState(emptyState()),
      shardId: "shardId-000000000000",
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: false,
    });
    expect(out.state).to.deep.equal({});
    const [row] = await dynamo.scan(t.aggregates);
    expect(row).to.include({ count: 5, valued: 5 });
    // 1e100 + 1e16 + 1.1, rounded to DynamoDB's 38 significant digits (dynalite checks them).
    const raw = await dynamo.client.send(
      new (await import("@aws-sdk/client-dynamodb")).ScanCommand({ TableName: t.aggregates }),
    );
    expect(raw.Items![0].sum.N).to.equal("1" + "0".repeat(100));
    const small = foldRecords(emptyState(), records.slice(0, 3));
    expect(small.aggregates.big.sum).to.equal("10000000000000001E0");
  });

  it("defect 5: the notifier formats DynamoDB numbers beyond 2^53 exactly", () => {
    const image = {
      ...marshall({ eventId: "e", type: "t", severity: "high", payload: '{"n":1}' }),
      value: { N: "123456789012345678901234567890" },
    };
    const record = {
      eventName: "INSERT",
      dynamodb: { NewImage: image, SequenceNumber: "1" },
    } as unknown as DynamoDBRecord;
    const n = formatNotification(record);
    const message = JSON.parse(n.message) as { default: string; sms: string; email: string };
    expect(JSON.parse(message.default).value).to.equal("123456789012345678901234567890");
    expect(message.sms).to.contain("value=123456789012345678901234567890");
    expect(message.email).to.contain('{"n":1}');
  });
});
