import { expect } from "chai";
import { BatchWriteCommand, NumberValue, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import {
  MAX_SEEN,
  aggregateItems,
  emptyState,
  foldRecords,
  restoreState,
  serializeState,
} from "../../functions/stream-aggregator/aggregate";
import { type WindowEvent, makeHandler } from "../../functions/stream-aggregator/handler";
import * as faults from "./support/awsFaults";
import { kinesisRecord } from "./support/streamEmulators";
import { detachedDoc, LocalDynamo, startDynalite } from "./support/dynalite";

const WINDOW = { start: "2026-03-01T12:00:00Z", end: "2026-03-01T12:01:00Z" };
const SHARD = "shardId-000000000003";

describe("functions/stream-aggregator: window state", () => {
  it("counts events and sums values per type, and per type and key", () => {
    const state = foldRecords(emptyState(), [
      kinesisRecord({ eventId: "1", type: "sale", value: 10 }),
      kinesisRecord({ eventId: "2", type: "sale", value: -4.5 }),
      kinesisRecord({ eventId: "3", type: "sale" }),
      kinesisRecord({ eventId: "4", type: "view", key: "/home" }),
      kinesisRecord({ eventId: "5", type: "view", key: "/home", value: 2 }),
    ]);
    expect(state.aggregates).to.deep.equal({
      sale: { count: 3, sum: "55E-1", valued: 2, min: -4.5, max: 10 },
      "view#/home": { count: 2, sum: "2E0", valued: 1, min: 2, max: 2 },
    });
  });

  it("drops duplicates and replays within the window, across invocations", () => {
    const first = foldRecords(emptyState(), [
      kinesisRecord({ eventId: "a", type: "t" }),
      kinesisRecord({ type: "t", note: "no id" }),
    ]);
    // Lambda hands the state back as JSON text between invocations.
    const carried = restoreState(serializeState(first));
    const second = foldRecords(carried, [
      kinesisRecord({ eventId: "a", type: "t" }),
      kinesisRecord({ note: "no id", type: "t" }), // same content, other key order
      kinesisRecord({ eventId: "b", type: "t" }),
    ]);
    expect(second.aggregates.t.count).to.equal(3);
    expect(second.duplicates).to.equal(2);
    expect(first.aggregates.t.count).to.equal(2); // the input state is not modified
  });

  it("counts invalid records instead of failing the window", () => {
    const state = foldRecords(emptyState(), [kinesisRecord("{oops"), kinesisRecord({ type: "t" })]);
    expect(state.rejected).to.equal(1);
    expect(state.aggregates.t.count).to.equal(1);
  });

  it("stays bounded: past MAX_SEEN ids it keeps counting but marks the window approximate", () => {
    const base = { ...emptyState(), seen: Array.from({ length: MAX_SEEN }, (_, i) => `id${i}`) };
    const state = foldRecords(base, [kinesisRecord({ eventId: "new", type: "t" })]);
    expect(state.seen).to.have.length(MAX_SEEN);
    expect(state.approximate).to.equal(true);
    expect(state.aggregates.t.count).to.equal(1);
    expect(Buffer.byteLength(serializeState(base).window)).to.be.below(1024 * 1024);
  });

  it("starts afresh from missing or malformed state", () => {
    expect(restoreState(undefined)).to.deep.equal(emptyState());
    expect(restoreState({ window: "{broken" })).to.deep.equal(emptyState());
  });

  it("turns the final state into one row per metric, window and shard", () => {
    const state = foldRecords(emptyState(), [
      kinesisRecord({ eventId: "1", type: "sale", value: 3 }),
    ]);
    expect(aggregateItems(state, WINDOW, SHARD, 1_800_000_000)).to.deep.equal([
      {
        metric: "sale",
        windowShard: `${WINDOW.start}#${SHARD}`,
        windowStart: WINDOW.start,
        windowEnd: WINDOW.end,
        shardId: SHARD,
        count: 1,
        sum: NumberValue.from("3"),
        valued: 1,
        min: NumberValue.from("3"),
        max: NumberValue.from("3"),
        duplicatesDropped: 0,
        approximate: false,
        expiresAt: 1_800_000_000,
      },
    ]);
  });
});

describe("functions/stream-aggregator: handler (dynalite)", function () {
  this.timeout(20_000);
  let dynamo: LocalDynamo;
  before(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable("aggregates", "metric", "windowShard");
  });
  after(async () => dynamo?.close());

  const handler = () =>
    makeHandler({
      ddb: dynamo.doc,
      table: "aggregates",
      ttlSeconds: 3600,
      now: () => 1_000_000_000_000,
    });
  const event = (
    records: WindowEvent["Records"],
    state: WindowEvent["state"],
    final: boolean,
  ): WindowEvent => ({
    Records: records,
    window: WINDOW,
    state,
    shardId: SHARD,
    isFinalInvokeForWindow: final,
    isWindowTerminatedEarly: false,
  });

  it("carries state until the window closes, then writes the aggregates once per shard", async () => {
    const h = handler();
    const r1 = await h(
      event([kinesisRecord({ eventId: "1", type: "sale", value: 2 })], undefined, false),
    );
    expect(r1.batchItemFailures).to.deep.equal([]);
    expect(await dynamo.scan("aggregates")).to.have.length(0);
    const r2 = await h(
      event(
        [
          kinesisRecord({ eventId: "2", type: "sale", value: 5 }),
          kinesisRecord({ eventId: "1", type: "sale", value: 2 }),
        ],
        r1.state,
        false,
      ),
    );
    const closing = event([], r2.state, true);
    const r3 = await h(closing);
    expect(r3.state).to.deep.equal({});
    // A retried final invocation rewrites the same row instead of adding to it.
    await h(closing);
    const rows = await dynamo.scan("aggregates");
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({
      metric: "sale",
      windowShard: `${WINDOW.start}#${SHARD}`,
      count: 2,
      sum: 7,
      min: 2,
      max: 5,
      duplicatesDropped: 1,
      expiresAt: 1_000_000_000 + 3600,
    });
  });

  it("fails a final invocation whose writes DynamoDB throttles; the retry with the same state writes the rows once", async () => {
    const doc = detachedDoc();
    const ddbMock = mockClient(doc);
    ddbMock
      .on(BatchWriteCommand)
      .rejectsOnce(faults.dynamo.throughputExceeded())
      .callsFake((input: BatchWriteCommand["input"]) =>
        dynamo.doc.send(new BatchWriteCommand(input)),
      );
    // The item-by-item fallback is throttled too: retryable, so the invocation fails.
    ddbMock
      .on(PutCommand)
      .rejectsOnce(faults.dynamo.throughputExceeded())
      .callsFake((input: PutCommand["input"]) => dynamo.doc.send(new PutCommand(input)));
    const h = makeHandler({ ddb: doc, table: "aggregates", ttlSeconds: 3600, now: () => 0 });
    const state = foldRecords(emptyState(), [
      kinesisRecord({ eventId: "t1", type: "throttled", value: 1 }),
      kinesisRecord({ eventId: "t2", type: "throttled", value: 2 }),
    ]);
    const closing = { ...event([], serializeState(state), true), shardId: "shardId-000000000009" };
    try {
      let thrown: unknown;
      await h(closing).catch((e) => (thrown = e));
      expect(String(thrown)).to.match(/1 aggregate rows were not written/);
      const rows = () =>
        dynamo.scan("aggregates").then((r) => r.filter((x) => x.metric === "throttled"));
      expect(await rows()).to.deep.equal([]);
      expect((await h(closing)).state).to.deep.equal({});
      expect(await rows()).to.have.length(1);
      expect((await rows())[0]).to.include({ count: 2, sum: 3 });
    } finally {
      ddbMock.restore();
    }
  });
});
