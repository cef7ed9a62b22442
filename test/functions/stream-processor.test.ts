import { expect } from "chai";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { makeHandler } from "../../functions/stream-processor/handler";
import { type ProcessorDeps, processBatch } from "../../functions/stream-processor/process";
import { MAX_EVENT_BYTES } from "../../functions/lib/streamEvents";
import * as faults from "./support/awsFaults";
import { Kinesis, kinesisRecord, startKinesalite } from "./support/streamEmulators";
import { detachedDoc, LocalDynamo, startDynalite } from "./support/dynalite";

const DEDUPE = "dedupe";
const DATA = "events";
const TTL = 24 * 3600;
const context = { getRemainingTimeInMillis: () => 30_000 };

type Send = DynamoDBDocumentClient["send"];
type Command = Parameters<Send>[0];

/** A document client that forwards to `inner` unless `intercept` answers the command itself. */
function wrap(
  inner: Pick<DynamoDBDocumentClient, "send">,
  intercept: (command: Command, forward: () => Promise<unknown>) => Promise<unknown> | undefined,
): Pick<DynamoDBDocumentClient, "send"> {
  return {
    send: ((command: Command) =>
      intercept(command, () => inner.send(command)) ?? inner.send(command)) as unknown as Send,
  };
}

const isBatchWriteTo = (command: Command, table: string) =>
  command instanceof BatchWriteCommand && table in (command.input.RequestItems ?? {});
const isPutTo = (command: Command, table: string) =>
  command instanceof PutCommand && command.input.TableName === table;

describe("functions/stream-processor (kinesalite + dynalite)", function () {
  this.timeout(30_000);
  let kinesis: Kinesis;
  let dynamo: LocalDynamo;
  let stream = 0;

  before(async () => {
    [kinesis, dynamo] = await Promise.all([startKinesalite(), startDynalite()]);
  });
  after(async () => {
    await Promise.all([kinesis?.close(), dynamo?.close()]);
  });

  /** Fresh stream and tables per test: `put` produces, `events` reads back as Lambda events. */
  async function fixture(shards = 2) {
    const name = `events-${++stream}`;
    const dedupe = `${DEDUPE}-${stream}`;
    const data = `${DATA}-${stream}`;
    await Promise.all([
      kinesis.createStream(name, shards),
      dynamo.createTable(dedupe, "eventId"),
      dynamo.createTable(data, "eventId"),
    ]);
    const deps: ProcessorDeps = {
      ddb: dynamo.doc,
      dedupeTable: dedupe,
      dataTable: data,
      dedupeTtlSeconds: TTL,
    };
    return {
      deps,
      put: (records: Parameters<Kinesis["put"]>[1]) => kinesis.put(name, records),
      events: () => kinesis.readEvents(name),
      rows: () => dynamo.scan(data),
      markers: () => dynamo.scan(dedupe),
      handler: (overrides: Partial<ProcessorDeps> = {}) => makeHandler({ ...deps, ...overrides }),
    };
  }

  const run = async (
    handler: ReturnType<typeof makeHandler>,
    events: KinesisStreamEvent[],
  ): Promise<string[]> => {
    const failures: string[] = [];
    for (const e of events) {
      const out = await handler(e, context);
      failures.push(...out.batchItemFailures.map((f) => f.itemIdentifier));
    }
    return failures;
  };

  it("reads records back from the stream as Lambda delivers them", async () => {
    const f = await fixture(1);
    const seqs = await f.put([{ data: { eventId: "a" }, partitionKey: "p" }]);
    const [event] = await f.events();
    expect(event.Records).to.have.length(1);
    const r = event.Records[0];
    expect(r.kinesis.sequenceNumber).to.equal(seqs[0]);
    expect(r.eventID).to.match(/^shardId-000000000000:\d+$/);
    expect(JSON.parse(Buffer.from(r.kinesis.data, "base64").toString())).to.deep.equal({
      eventId: "a",
    });
  });

  it("stores exactly one row per event when a batch repeats events", async () => {
    const f = await fixture();
    const events = [
      { eventId: "order-1", type: "order", value: 10, severity: "high" },
      { eventId: "order-2", type: "order", value: 5 },
      { type: "click", key: "/home" }, // no id: deduplicated by content
    ];
    await f.put([
      ...events.map((data, i) => ({ data, partitionKey: `p${i}` })),
      // client retries: same ids (and the same content for the id-less one), same partition keys
      { data: events[0], partitionKey: "p0" },
      { data: { ...events[1], note: "resent" }, partitionKey: "p1" },
      { data: { key: "/home", type: "click" }, partitionKey: "p2" },
    ]);
    const failures = await run(f.handler(), await f.events());
    expect(failures).to.deep.equal([]);
    const rows = await f.rows();
    expect(rows).to.have.length(3);
    const byId = new Map(rows.map((r) => [r.eventId, r]));
    expect(byId.get("order-1")).to.include({
      type: "order",
      value: 10,
      severity: "high",
      idSource: "client",
    });
    const clicks = rows.filter((r) => r.type === "click");
    expect(clicks).to.have.length(1);
    expect(clicks[0].eventId).to.match(/^sha256:[0-9a-f]{64}$/);
    // The payload is the data's JSON text exactly as sent.
    expect(clicks[0].payload).to.equal('{"type":"click","key":"/home"}');
    // Every event has a marker, with a TTL the table can expire.
    const markers = await f.markers();
    expect(markers).to.have.length(3);
    for (const m of markers) {
      expect(m.expiresAt).to.be.within(Date.now() / 1000 + TTL - 60, Date.now() / 1000 + TTL + 60);
    }
  });

  it("skips replayed batches and events resent in later batches: still one row each", async () => {
    const f = await fixture();
    await f.put(
      Array.from({ length: 20 }, (_, i) => ({
        data: { eventId: `e${i}`, value: i },
        partitionKey: `k${i % 7}`,
      })),
    );
    const first = await f.events();
    const handler = f.handler();
    expect(await run(handler, first)).to.deep.equal([]);
    const before = new Map((await f.rows()).map((r) => [r.eventId, r.processedAt]));
    expect(before.size).to.equal(20);

    // The same batches again (Lambda retrying or bisecting), then a producer resending ten events.
    expect(await run(handler, first)).to.deep.equal([]);
    await f.put(
      Array.from({ length: 5 }, (_, i) => ({
        data: { eventId: `e${i}`, value: i },
        partitionKey: "late",
      })),
    );
    const all = await f.events();
    const replay = await processBatch(
      all.flatMap((e) => e.Records),
      Date.now() + 30_000,
      f.deps,
    );
    expect(replay.response.batchItemFailures).to.deep.equal([]);
    expect(replay.stats).to.include({
      records: 25,
      written: 0,
      crossBatchDuplicates: 20,
      inBatchDuplicates: 5,
    });

    const after = await f.rows();
    expect(after).to.have.length(20);
    // Rows were not rewritten: a replay changes nothing downstream (no stream records, no notifications).
    for (const r of after) expect(r.processedAt).to.equal(before.get(r.eventId as string));
  });

  it("reports a poison record alone, by its sequence number, and stores the others", async () => {
    const f = await fixture(1);
    const seqs = await f.put([
      { data: { eventId: "ok-1" }, partitionKey: "p" },
      { data: "{not json", partitionKey: "p" },
      { data: { eventId: "ok-2" }, partitionKey: "p" },
      { data: { eventId: "bad-severity", severity: "apocalyptic" }, partitionKey: "p" },
      { data: { eventId: "ok-3" }, partitionKey: "p" },
    ]);
    const [event] = await f.events();
    const out = await f.handler()(event, context);
    expect(out.batchItemFailures).to.deep.equal([
      { itemIdentifier: seqs[1] },
      { itemIdentifier: seqs[3] },
    ]);
    expect((await f.rows()).map((r) => r.eventId).sort()).to.deep.equal(["ok-1", "ok-2", "ok-3"]);

    // Lambda retries from the lowest reported sequence number: the good records after it are
    // duplicates now, and only the poison records fail again.
    const retry = { Records: event.Records.slice(1) };
    const again = await f.handler()(retry, context);
    expect(again.batchItemFailures).to.deep.equal([
      { itemIdentifier: seqs[1] },
      { itemIdentifier: seqs[3] },
    ]);
    expect(await f.rows()).to.have.length(3);

    // Bisected halves behave the same: a half without poison succeeds completely.
    const clean = await f.handler()({ Records: [event.Records[4]] }, context);
    expect(clean.batchItemFailures).to.deep.equal([]);
  });

  it("releases its claims when rows cannot be written, so the retry stores them", async () => {
    const f = await fixture(1);
    await f.put([
      { data: { eventId: "x1" }, partitionKey: "p" },
      { data: { eventId: "x2" }, partitionKey: "p" },
    ]);
    const [event] = await f.events();
    // The batch and the item-by-item fallback both fail (throttled past the SDK's retries).
    const broken = wrap(dynamo.doc, (command) =>
      isBatchWriteTo(command, f.deps.dataTable) || isPutTo(command, f.deps.dataTable)
        ? Promise.reject(faults.dynamo.throughputExceeded())
        : undefined,
    );
    const out = await f.handler({ ddb: broken })(event, context);
    expect(out.batchItemFailures.map((x) => x.itemIdentifier)).to.deep.equal(
      event.Records.map((r) => r.kinesis.sequenceNumber),
    );
    expect(await f.rows()).to.have.length(0);
    expect(await f.markers()).to.have.length(0);

    const retry = await f.handler()(event, context);
    expect(retry.batchItemFailures).to.deep.equal([]);
    expect(await f.rows()).to.have.length(2);
  });

  it("recovers from a crash after the claim: the same record takes over, another waits for the lease", async () => {
    const f = await fixture(1);
    await f.put([{ data: { eventId: "crash" }, partitionKey: "p" }]);
    const [event] = await f.events();
    // The function dies after the claim: no row, and the claim is not released.
    const dies = wrap(dynamo.doc, (command) =>
      isBatchWriteTo(command, f.deps.dataTable) ||
      isPutTo(command, f.deps.dataTable) ||
      command instanceof DeleteCommand
        ? Promise.reject(new Error("timeout"))
        : undefined,
    );
    const out = await f.handler({ ddb: dies })(event, context);
    expect(out.batchItemFailures).to.have.length(1);
    expect(await f.rows()).to.have.length(0);
    expect((await f.markers())[0]).to.include({ eventId: "crash" });

    // A different delivery of the same event (a producer retry) while the lease runs: skipped.
    await f.put([{ data: { eventId: "crash" }, partitionKey: "other" }]);
    const [both] = await f.events();
    const resent = both.Records[1];
    const during = await processBatch([resent], Date.now() + 30_000, f.deps);
    expect(during.stats).to.include({ crossBatchDuplicates: 1, written: 0 });

    // Lambda's retry of the original record takes over its own claim at once and finishes.
    const retry = await f.handler()(event, context);
    expect(retry.batchItemFailures).to.deep.equal([]);
    expect(await f.rows()).to.have.length(1);
    // A later retry of the same record, and a late resend, find the row: duplicates.
    const again = await processBatch(event.Records, Date.now() + 30_000, f.deps);
    expect(again.stats).to.include({ crossBatchDuplicates: 1, written: 0 });
    const late = await processBatch([resent], Date.now() + 30_000, {
      ...f.deps,
      now: () => Date.now() + 120_000,
    });
    expect(late.stats).to.include({ crossBatchDuplicates: 1, written: 0 });
    expect(await f.rows()).to.have.length(1);
  });

  it("takes over an abandoned claim once its lease has expired", async () => {
    const f = await fixture(1);
    await f.put([
      { data: { eventId: "orphan" }, partitionKey: "a" },
      { data: { eventId: "orphan" }, partitionKey: "b" },
    ]);
    const [event] = await f.events();
    const dies = wrap(dynamo.doc, (command) =>
      isBatchWriteTo(command, f.deps.dataTable) || isBatchWriteTo(command, f.deps.dedupeTable)
        ? new Promise(() => undefined) // hangs like a function that timed out
        : undefined,
    );
    const lease = Date.now() + 1_000;
    void processBatch([event.Records[0]], lease, { ...f.deps, ddb: dies });
    await new Promise((r) => setTimeout(r, 200));
    expect((await f.markers())[0]).to.include({ eventId: "orphan", leaseUntil: lease });

    const early = await processBatch([event.Records[1]], Date.now() + 30_000, f.deps);
    expect(early.stats.written).to.equal(0);
    const late = await processBatch([event.Records[1]], Date.now() + 30_000, {
      ...f.deps,
      now: () => lease + 1,
    });
    expect(late.stats.written).to.equal(1);
    expect(await f.rows()).to.have.length(1);
  });

  it("retries items DynamoDB returns unprocessed", async () => {
    const f = await fixture(3);
    await f.put(
      Array.from({ length: 60 }, (_, i) => ({
        data: { eventId: `u${i}` },
        partitionKey: `k${i}`,
      })),
    );
    let throttled = 0;
    // Every data-table batch first comes back with its second half unprocessed.
    const flaky = wrap(dynamo.doc, (command, forward) => {
      if (!isBatchWriteTo(command, f.deps.dataTable)) return undefined;
      const items = (command as BatchWriteCommand).input.RequestItems![f.deps.dataTable];
      if (items.length < 2) return forward();
      const half = Math.ceil(items.length / 2);
      throttled += items.length - half;
      return dynamo.doc
        .send(new BatchWriteCommand({ RequestItems: { [f.deps.dataTable]: items.slice(0, half) } }))
        .then(() => ({ UnprocessedItems: { [f.deps.dataTable]: items.slice(half) } }));
    });
    const failures = await run(f.handler({ ddb: flaky }), await f.events());
    expect(failures).to.deep.equal([]);
    expect(throttled).to.be.greaterThan(0);
    expect(await f.rows()).to.have.length(60);
  });

  it("fails only the records whose rows stay unprocessed after every attempt", async () => {
    const f = await fixture(1);
    const seqs = await f.put([
      { data: { eventId: "w1" }, partitionKey: "p" },
      { data: { eventId: "w2" }, partitionKey: "p" },
    ]);
    const stuck = wrap(dynamo.doc, (command) => {
      if (!isBatchWriteTo(command, f.deps.dataTable)) return undefined;
      const items = (command as BatchWriteCommand).input.RequestItems![f.deps.dataTable];
      const keep = items.filter((i) => i.PutRequest?.Item?.eventId === "w1");
      const rest = items.filter((i) => i.PutRequest?.Item?.eventId !== "w1");
      return (
        keep.length
          ? dynamo.doc.send(new BatchWriteCommand({ RequestItems: { [f.deps.dataTable]: keep } }))
          : Promise.resolve()
      ).then(() => ({ UnprocessedItems: rest.length ? { [f.deps.dataTable]: rest } : {} }));
    });
    const [event] = await f.events();
    const out = await f.handler({ ddb: stuck, batchWriteAttempts: 2 })(event, context);
    expect(out.batchItemFailures).to.deep.equal([{ itemIdentifier: seqs[1] }]);
    expect((await f.rows()).map((r) => r.eventId)).to.deep.equal(["w1"]);
  });

  it("lists failures in stream order", async () => {
    const f = await fixture(1);
    await f.put([
      { data: "[]", partitionKey: "p" },
      { data: { eventId: "fine" }, partitionKey: "p" },
      { data: "null", partitionKey: "p" },
    ]);
    const records: KinesisStreamRecord[] = (await f.events())[0].Records;
    const out = await processBatch(records, Date.now() + 30_000, f.deps);
    expect(out.response.batchItemFailures.map((x) => x.itemIdentifier)).to.deep.equal([
      records[0].kinesis.sequenceNumber,
      records[2].kinesis.sequenceNumber,
    ]);
    expect(out.stats).to.include({ poison: 2, written: 1, failed: 2 });
  });

  it("fails only the record whose claim DynamoDB throttles; Lambda's retry from it stores each event once", async () => {
    const f = await fixture(1);
    const seqs = await f.put(
      ["c1", "c2", "c3"].map((eventId) => ({ data: { eventId }, partitionKey: "p" })),
    );
    const [event] = await f.events();
    const doc = detachedDoc();
    const ddbMock = mockClient(doc);
    let throttled = 0;
    ddbMock.on(PutCommand).callsFake((input: PutCommand["input"]) => {
      if (input.Item?.eventId === "c2" && throttled++ === 0) {
        return Promise.reject(faults.dynamo.throughputExceeded());
      }
      return dynamo.doc.send(new PutCommand(input));
    });
    ddbMock
      .on(BatchWriteCommand)
      .callsFake((input: BatchWriteCommand["input"]) =>
        dynamo.doc.send(new BatchWriteCommand(input)),
      );
    ddbMock
      .on(DeleteCommand)
      .callsFake((input: DeleteCommand["input"]) => dynamo.doc.send(new DeleteCommand(input)));
    ddbMock
      .on(BatchGetCommand)
      .callsFake((input: BatchGetCommand["input"]) => dynamo.doc.send(new BatchGetCommand(input)));
    try {
      const out = await f.handler({ ddb: doc })(event, context);
      expect(out.batchItemFailures).to.deep.equal([{ itemIdentifier: seqs[1] }]);
      expect((await f.rows()).map((r) => r.eventId).sort()).to.deep.equal(["c1", "c3"]);

      // Lambda re-delivers from the reported record on: c2 is stored, c3 is a duplicate.
      const retry = await f.handler({ ddb: doc })({ Records: event.Records.slice(1) }, context);
      expect(retry.batchItemFailures).to.deep.equal([]);
      expect((await f.rows()).map((r) => r.eventId).sort()).to.deep.equal(["c1", "c2", "c3"]);
      expect(await f.markers()).to.have.length(3);
    } finally {
      ddbMock.restore();
    }
  });

  it("reports an oversized record as poison without touching DynamoDB for it", async () => {
    const f = await fixture(1);
    const big = kinesisRecord({ eventId: "big", blob: "x".repeat(MAX_EVENT_BYTES) });
    const ok = kinesisRecord({ eventId: "small" });
    const out = await processBatch([big, ok], Date.now() + 30_000, f.deps);
    expect(out.response.batchItemFailures).to.deep.equal([
      { itemIdentifier: big.kinesis.sequenceNumber },
    ]);
    expect(out.stats).to.include({ poison: 1, written: 1 });
    expect((await f.rows()).map((r) => r.eventId)).to.deep.equal(["small"]);
    expect((await f.markers()).map((m) => m.eventId)).to.deep.equal(["small"]);
  });
});
