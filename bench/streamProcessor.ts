/**
 * Stream processor benchmark: `npm run bench:stream [-- --records 1000 --duplicates 0.2 --runs 3 --rtt-ms 0]`.
 *
 * One Kinesis batch of 1,000 records of which 20% repeat an earlier event (half resent with the same
 * eventId, half identical content without one), processed twice side by side against the same
 * backend, each run on fresh tables:
 *  - naive: one record at a time, one request per step (claim, row), no in-batch dedupe;
 *  - processor: the deployed code (functions/stream-processor/process.ts): in-batch dedupe,
 *    concurrent conditional claims, rows in BatchWriteItem calls of 25.
 * Both give the same result (one row per event) and the same crash-safety protocol.
 *
 * Backend: dynalite (DynamoDB's API served in-process by a LevelDB-backed emulator), not a fake:
 * every request is real HTTP to a real implementation of PutItem/BatchWriteItem/conditions.
 * `--rtt-ms N` adds N ms per request (client-side middleware) to model a network round trip,
 * which is what concurrency hides in AWS. Requests are counted by command at the client.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { KinesisStreamRecord } from "aws-lambda";
import { performance } from "node:perf_hooks";
import { decodeKinesisRecord } from "../functions/lib/streamEvents";
import {
  type Candidate,
  claimToken,
  dataItem,
  markerItem,
} from "../functions/stream-processor/plan";
import { type ProcessorDeps, processBatch } from "../functions/stream-processor/process";

const dynalite = require("dynalite") as (opts: object) => {
  listen(port: number, cb: () => void): void;
  close(cb: () => void): void;
  address(): { port: number };
};

interface Options {
  records: number;
  duplicates: number;
  runs: number;
  rttMs: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { records: 1000, duplicates: 0.2, runs: 3, rttMs: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], Number(argv[i + 1])];
    if (!Number.isFinite(value)) throw new Error(`${flag} needs a number`);
    if (flag === "--records") o.records = value;
    else if (flag === "--duplicates") o.duplicates = value;
    else if (flag === "--runs") o.runs = value;
    else if (flag === "--rtt-ms") o.rttMs = value;
    else throw new Error(`unknown flag ${flag} (use --records, --duplicates, --runs, --rtt-ms)`);
  }
  return o;
}

/** Deterministic PRNG (mulberry32): the same batch on every run and machine. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The batch: `unique` events, then duplicates of random earlier ones spliced in at random places. */
function makeBatch(total: number, duplicateShare: number): KinesisStreamRecord[] {
  const rand = prng(20260301);
  const dupCount = Math.round(total * duplicateShare);
  const unique = total - dupCount;
  const produced: { data: object; partitionKey: string }[] = [];
  for (let i = 0; i < unique; i++) {
    const withId = i % 2 === 0;
    produced.push({
      partitionKey: `device-${i % 50}`,
      data: {
        ...(withId ? { eventId: `evt-${i}` } : {}),
        type: ["page_view", "click", "purchase"][i % 3],
        severity: i % 97 === 0 ? "high" : "info",
        key: `/page/${i % 20}`,
        value: Math.round(rand() * 10000) / 100,
        occurredAt: new Date(Date.UTC(2026, 2, 1, 12) + i * 37).toISOString(),
        attributes: { browser: "firefox", session: `s-${i % 113}` },
      },
    });
  }
  const batch = [...produced];
  for (let d = 0; d < dupCount; d++) {
    const source = produced[Math.floor(rand() * unique)];
    const at = Math.floor(rand() * batch.length) + 1;
    batch.splice(Math.min(at, batch.length), 0, source);
  }
  return batch.map((p, i) => {
    const seq = `4960${String(i).padStart(52, "0")}`;
    return {
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: p.partitionKey,
        sequenceNumber: seq,
        data: Buffer.from(JSON.stringify(p.data)).toString("base64"),
        approximateArrivalTimestamp: Date.UTC(2026, 2, 1, 12) / 1000 + i / 1000,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000000:${seq}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/processor",
      awsRegion: "us-east-1",
      eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/bench",
    };
  });
}

/**
 * The naive version: the same protocol (conditional claim, row check when the claim replaced a
 * marker, row), one request per step, one record after the other, and duplicates within the batch
 * caught only by the condition.
 */
async function naiveProcess(
  records: KinesisStreamRecord[],
  deadlineMs: number,
  deps: ProcessorDeps,
) {
  const failures: string[] = [];
  for (const [index, record] of records.entries()) {
    const decoded = decodeKinesisRecord(record);
    if (!decoded.ok) {
      failures.push(record.kinesis.sequenceNumber);
      continue;
    }
    const c: Candidate = { event: decoded.event, position: decoded.position, index };
    const now = Date.now();
    let replaced: boolean;
    try {
      const out = await deps.ddb.send(
        new PutCommand({
          TableName: deps.dedupeTable,
          Item: markerItem(c, now, deadlineMs, deps.dedupeTtlSeconds),
          ConditionExpression:
            "attribute_not_exists(eventId) OR #leaseUntil < :now OR #claimedBy = :me",
          ExpressionAttributeNames: { "#leaseUntil": "leaseUntil", "#claimedBy": "claimedBy" },
          ExpressionAttributeValues: { ":now": now, ":me": claimToken(c.position) },
          ReturnValues: "ALL_OLD",
        }),
      );
      replaced = out.Attributes !== undefined;
    } catch (e) {
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") continue;
      failures.push(record.kinesis.sequenceNumber);
      continue;
    }
    if (replaced) {
      const row = await deps.ddb.send(
        new GetCommand({
          TableName: deps.dataTable,
          Key: { eventId: c.event.eventId },
          ConsistentRead: true,
        }),
      );
      if (row.Item) continue;
    }
    await deps.ddb.send(new PutCommand({ TableName: deps.dataTable, Item: dataItem(c, now) }));
  }
  return failures;
}

interface Counter {
  total: number;
  byCommand: Map<string, number>;
  /** Items written (PutItem, DeleteItem, each BatchWriteItem entry): ~ write units for items < 1 KB. */
  writtenItems: number;
  reset(): void;
}

async function startBackend(rttMs: number) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${server.address().port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const counter: Counter = {
    total: 0,
    byCommand: new Map(),
    writtenItems: 0,
    reset() {
      this.total = 0;
      this.writtenItems = 0;
      this.byCommand.clear();
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.total++;
      const name = String(context.commandName ?? "unknown").replace(/Command$/, "");
      counter.byCommand.set(name, (counter.byCommand.get(name) ?? 0) + 1);
      const input = (args as { input?: { RequestItems?: Record<string, unknown[]> } }).input;
      if (name === "BatchWriteItem") {
        counter.writtenItems += Object.values(input?.RequestItems ?? {}).reduce(
          (n, l) => n + l.length,
          0,
        );
      } else if (name === "PutItem" || name === "DeleteItem" || name === "UpdateItem") {
        counter.writtenItems++;
      }
      if (rttMs > 0) await new Promise((r) => setTimeout(r, rttMs));
      return next(args);
    },
    { step: "initialize", name: "countRequests" },
  );
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  let n = 0;
  return {
    doc,
    counter,
    async freshTables() {
      n++;
      const names = { dedupe: `bench-dedupe-${n}`, data: `bench-events-${n}` };
      for (const table of Object.values(names)) {
        await client.send(
          new CreateTableCommand({
            TableName: table,
            AttributeDefinitions: [{ AttributeName: "eventId", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "eventId", KeyType: "HASH" }],
            BillingMode: "PAY_PER_REQUEST",
          }),
        );
      }
      return names;
    },
    async count(table: string) {
      let items = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({ TableName: table, Select: "COUNT", ExclusiveStartKey: start }),
        );
        items += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Result {
  ms: number[];
  requests: number;
  writtenItems: number;
  byCommand: Map<string, number>;
  rows: number;
  failures: number;
}

function emptyResult(): Result {
  return { ms: [], requests: 0, writtenItems: 0, byCommand: new Map(), rows: 0, failures: 0 };
}

/**
 * One measured run on a fresh dynalite (its in-memory store slows as it fills, so runs must not
 * share one), after a short warm-up on that instance (connections, JIT).
 */
async function measureOnce(
  rttMs: number,
  warmUp: KinesisStreamRecord[],
  run: (deps: ProcessorDeps) => Promise<number>,
  into: Result,
): Promise<void> {
  const backend = await startBackend(rttMs);
  try {
    const depsFor = async (): Promise<ProcessorDeps> => {
      const tables = await backend.freshTables();
      return {
        ddb: backend.doc,
        dedupeTable: tables.dedupe,
        dataTable: tables.data,
        dedupeTtlSeconds: 86_400,
      };
    };
    await processBatch(warmUp, Date.now() + 60_000, await depsFor());
    const deps = await depsFor();
    backend.counter.reset();
    const t0 = performance.now();
    into.failures = await run(deps);
    into.ms.push(performance.now() - t0);
    into.requests = backend.counter.total;
    into.writtenItems = backend.counter.writtenItems;
    into.byCommand = new Map(backend.counter.byCommand);
    into.rows = await backend.count(deps.dataTable);
  } finally {
    await backend.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const batch = makeBatch(o.records, o.duplicates);
  const distinct = new Set(
    batch.map((r) => (decodeKinesisRecord(r) as { event: { eventId: string } }).event.eventId),
  ).size;
  const naive = emptyResult();
  const processor = emptyResult();
  // Interleaved, so drift of the machine during the run affects both alike.
  for (let i = 0; i < o.runs; i++) {
    const warmUp = batch.slice(0, 50);
    await measureOnce(
      o.rttMs,
      warmUp,
      async (deps) => (await naiveProcess(batch, Date.now() + 900_000, deps)).length,
      naive,
    );
    await measureOnce(
      o.rttMs,
      warmUp,
      async (deps) =>
        (await processBatch(batch, Date.now() + 900_000, deps)).response.batchItemFailures.length,
      processor,
    );
  }
  const rows: [string, string, string][] = [];
  const add = (label: string, a: string | number, b: string | number) =>
    rows.push([label, String(a), String(b)]);
  const rate = (r: Result) =>
    Math.round((batch.length / median(r.ms)) * 1000).toLocaleString("en-US");
  add("time per batch (median ms)", median(naive.ms).toFixed(0), median(processor.ms).toFixed(0));
  add("throughput (records/s)", rate(naive), rate(processor));
  add("DynamoDB requests", naive.requests, processor.requests);
  for (const cmd of [
    ...new Set([...naive.byCommand.keys(), ...processor.byCommand.keys()]),
  ].sort()) {
    add(`  ${cmd}`, naive.byCommand.get(cmd) ?? 0, processor.byCommand.get(cmd) ?? 0);
  }
  add(
    "requests per record",
    (naive.requests / batch.length).toFixed(2),
    (processor.requests / batch.length).toFixed(2),
  );
  // One write unit per item under 1 KB; a failed conditional put is billed as well.
  add("items written (~ write units)", naive.writtenItems, processor.writtenItems);
  add("rows in the data table", naive.rows, processor.rows);
  add("batch item failures", naive.failures, processor.failures);

  const w = [Math.max(...rows.map((r) => r[0].length)) + 2, 28, 22];
  const line = (c: string[]) => c[0].padEnd(w[0]) + c[1].padStart(w[1]) + c[2].padStart(w[2]);
  console.log(
    `Stream processor benchmark: ${batch.length.toLocaleString("en-US")} Kinesis records, ` +
      `${batch.length - distinct} duplicates (${Math.round(((batch.length - distinct) / batch.length) * 100)}%), ` +
      `${distinct} distinct events; ${o.runs} run(s) each on a fresh dynalite`,
  );
  console.log(
    `Backend: dynalite (in-process DynamoDB emulator over HTTP)` +
      (o.rttMs
        ? ` + ${o.rttMs} ms simulated round trip per request`
        : ", no added network latency"),
  );
  console.log("");
  console.log(line(["", "naive (one put at a time)", "processor (batched)"]));
  for (const r of rows) console.log(line(r));
  console.log("");
  const budget = distinct + Math.ceil(distinct / 25);
  const speedup = median(naive.ms) / median(processor.ms);
  console.log(
    `Requests: ${(naive.requests / processor.requests).toFixed(1)}x fewer; ` +
      `time: ${speedup.toFixed(1)}x faster.`,
  );
  console.log(
    `Budget: processor made ${processor.requests} DynamoDB requests for ${distinct} distinct ` +
      `events; at most ${distinct} + ceil(${distinct} / 25) = ${budget} allowed ` +
      `(${processor.requests <= budget ? "within" : "OVER"} budget).`,
  );
  if (processor.requests > budget) {
    throw new Error(`the processor made ${processor.requests} requests; the budget is ${budget}`);
  }
  if (naive.rows !== distinct || processor.rows !== distinct) {
    throw new Error(
      `expected ${distinct} rows from both versions (naive ${naive.rows}, processor ${processor.rows})`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
