import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { makeHandler } from "../../functions/aggregates-api/handler";
import { aggregatesApiEnvironment, readAggregatesApiEnv } from "../../functions/aggregates-api/env";
import { mergeWindows, parseAggregatesQuery } from "../../functions/aggregates-api/query";
import { aggregateItems, emptyState } from "../../functions/stream-aggregator/aggregate";
import { detachedDoc, LocalDynamo, startDynalite } from "./support/dynalite";
import { httpApiEvent, withJwtSubject } from "./support/httpApi";

const TABLE = "aggregates";
const SUB = "7d0b2a4e-1f3c-4b5a-9c8d-2e6f1a3b4c5d";
const KEY = `${SUB}/meter-1`;
const NOW = new Date("2026-12-01T12:00:30Z");

function event(query: Record<string, string>, sub: string | null = SUB) {
  return withJwtSubject(httpApiEvent("GET", "/aggregates", { query }), sub);
}

/** Rows exactly as the aggregator writes them: one per metric, window and shard. */
function rows(start: string, end: string, shard: string, values: number[]) {
  const state = emptyState();
  state.aggregates[`reading#${KEY}`] = {
    count: values.length,
    sum: String(values.reduce((a, b) => a + b, 0)),
    valued: values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
  return aggregateItems(state, { start, end }, shard, 0);
}

describe("functions/aggregates-api (against dynalite)", () => {
  let local: LocalDynamo;
  let handler: ReturnType<typeof makeHandler>;
  before(async () => {
    local = await startDynalite();
    await local.createTable(TABLE, "metric", "windowShard");
    const all = [
      ...rows("2026-12-01T11:58:00Z", "2026-12-01T11:59:00Z", "shardId-000", [1, 3]),
      ...rows("2026-12-01T11:58:00Z", "2026-12-01T11:59:00Z", "shardId-001", [8]),
      ...rows("2026-12-01T11:59:00Z", "2026-12-01T12:00:00Z", "shardId-000", [2]),
      ...rows("2026-12-01T12:00:00Z", "2026-12-01T12:01:00Z", "shardId-001", [5]),
      // Outside the default hour.
      ...rows("2026-12-01T10:00:00Z", "2026-12-01T10:01:00Z", "shardId-000", [100]),
    ];
    for (const Item of all) await local.doc.send(new PutCommand({ TableName: TABLE, Item }));
    handler = makeHandler({
      doc: local.doc,
      env: readAggregatesApiEnv(aggregatesApiEnvironment({ aggregatesTable: TABLE })),
      now: () => NOW,
    });
  });
  after(() => local.close());

  const call = async (query: Record<string, string>, sub?: string | null) => {
    const res = await handler(event(query, sub));
    return { status: res.statusCode, body: JSON.parse(res.body as string) };
  };

  it("sums the shards of each window of the last hour, in window order", async () => {
    const { status, body } = await call({ type: "reading", key: KEY });
    expect(status).to.equal(200);
    expect(body.metric).to.equal(`reading#${KEY}`);
    expect(body.windows).to.deep.equal([
      {
        start: "2026-12-01T11:58:00Z",
        end: "2026-12-01T11:59:00Z",
        count: 3,
        sum: "12",
        avg: 4,
        min: 1,
        max: 8,
        shards: 2,
        approximate: false,
      },
      {
        start: "2026-12-01T11:59:00Z",
        end: "2026-12-01T12:00:00Z",
        count: 1,
        sum: "2",
        avg: 2,
        min: 2,
        max: 2,
        shards: 1,
        approximate: false,
      },
      {
        start: "2026-12-01T12:00:00Z",
        end: "2026-12-01T12:01:00Z",
        count: 1,
        sum: "5",
        avg: 5,
        min: 5,
        max: 5,
        shards: 1,
        approximate: false,
      },
    ]);
  });

  it("includes the windows that start exactly at from and at to", async () => {
    const { body } = await call({
      type: "reading",
      key: KEY,
      from: "2026-12-01T11:59:00Z",
      to: "2026-12-01T12:00:00.000Z",
    });
    expect(body.windows.map((w: { start: string }) => w.start)).to.deep.equal([
      "2026-12-01T11:59:00Z",
      "2026-12-01T12:00:00Z",
    ]);
  });

  it("refuses another client's key, bad times and ranges over 24 hours with 400; 401 without a subject", async () => {
    const queries: Record<string, string>[] = [
      { type: "reading", key: "someone-else/meter-1" },
      { type: "reading", key: `${SUB}x` },
      { type: "reading", key: KEY, from: "yesterday" },
      { type: "reading", key: KEY, from: "2026-12-01T12:00:00Z", to: "2026-12-01T11:00:00Z" },
      { type: "reading", key: KEY, from: "2026-11-29T00:00:00Z" },
      { key: KEY },
      { type: "reading", key: KEY, extra: "1" },
    ];
    for (const q of queries) {
      expect((await call(q)).status, JSON.stringify(q)).to.equal(400);
    }
    expect((await call({ type: "reading", key: KEY }, null)).status).to.equal(401);
  });

  it("answers 503 when DynamoDB throttles the query, without its text", async () => {
    const doc = detachedDoc();
    const mock = mockClient(doc);
    mock.on(QueryCommand).rejects(
      Object.assign(new Error("arn:aws:dynamodb:x"), {
        name: "ProvisionedThroughputExceededException",
      }),
    );
    const h = makeHandler({ doc, env: { aggregatesTable: TABLE }, now: () => NOW });
    const res = await h(event({ type: "reading", key: KEY }));
    expect(res.statusCode).to.equal(503);
    expect(res.body).not.to.contain("arn:aws");
    mock.restore();
  });

  it("merges shard rows: min/max over shards, avg over valued events, approximate if any shard is", () => {
    const merged = mergeWindows([
      { windowStart: "a", windowEnd: "b", count: 2, sum: "0", valued: 0 },
      {
        windowStart: "a",
        windowEnd: "b",
        count: 1,
        sum: "4",
        valued: 1,
        min: 4,
        max: 4,
        approximate: true,
      },
    ]);
    expect(merged).to.deep.equal([
      {
        start: "a",
        end: "b",
        count: 3,
        sum: "4",
        avg: 4,
        min: 4,
        max: 4,
        shards: 2,
        approximate: true,
      },
    ]);
    // Sums past 2^53 keep every digit (read as text with wrapNumbers).
    const big = mergeWindows([
      { windowStart: "a", windowEnd: "b", count: 1, sum: "9007199254740993", valued: 1 },
      { windowStart: "a", windowEnd: "b", count: 1, sum: { toString: () => "1" }, valued: 1 },
    ]);
    expect(big[0].sum).to.equal("9007199254740994");
    expect(parseAggregatesQuery(SUB, { type: "t", key: SUB }, NOW).from).to.equal(
      "2026-12-01T11:00:30Z",
    );
  });
});
