/**
 * Property suite of the Kinesis data path (issue 12): ingest API model -> stream -> processor ->
 * data table -> notifier, and the aggregator beside it. Seeded, so every run tries the same cases.
 *  - The model (validated with a real draft-4 validator) and the processor agree on every record.
 *  - What the model accepts is stored exactly once, across Lambda's retries and full replays, even
 *    under injected throttling, 5xx errors and UnprocessedItems; what it refuses is reported
 *    (poison) and written nowhere. The aggregator counts each accepted event once and closes its
 *    window; the notifier formats every stored row.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBRecord, KinesisStreamRecord } from "aws-lambda";
import { PUT_RECORD_SCHEMA } from "../../components/streaming/kinesisIngestApi";
import { EVENT_DATA_SCHEMA } from "../../functions/lib/eventSchema";
import { decodeKinesisRecord } from "../../functions/lib/streamEvents";
import { processBatch } from "../../functions/stream-processor/process";
import { emptyState, foldRecords } from "../../functions/stream-aggregator/aggregate";
import { formatNotification } from "../../functions/stream-notifier/notify";
import { draft4Validate } from "../support/draft4";
import * as faults from "./support/awsFaults";
import { LocalDynamo, startDynalite } from "./support/dynalite";
import { hostileEventText, partitionKey } from "./support/hostileEvents";
import { kinesisRecord } from "./support/streamEmulators";

type Send = DynamoDBDocumentClient["send"];
type Command = Parameters<Send>[0];

/** Seeded faults on the way to DynamoDB: throttled claims, 5xx batches, half-unprocessed batches. */
function faulty(inner: Pick<DynamoDBDocumentClient, "send">, seed: number) {
  let s = seed;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const send = async (command: Command) => {
    const r = rand();
    if (command instanceof PutCommand && r < 0.1) throw faults.dynamo.throughputExceeded();
    if (command instanceof BatchWriteCommand) {
      if (r < 0.1) throw faults.dynamo.internal();
      const [[table, items]] = Object.entries(command.input.RequestItems!);
      if (r < 0.3 && items.length > 1) {
        const half = Math.ceil(items.length / 2);
        await inner.send(
          new BatchWriteCommand({ RequestItems: { [table]: items.slice(0, half) } }),
        );
        return { UnprocessedItems: { [table]: items.slice(half) } };
      }
    }
    if (command instanceof BatchGetCommand && r < 0.1) throw faults.dynamo.throttling();
    return inner.send(command as never);
  };
  return { send: send as unknown as Send };
}

describe("property: Kinesis ingest model + processor + aggregator + notifier", function () {
  this.timeout(120_000);
  let dynamo: LocalDynamo;
  let n = 0;
  const tally = { agreement: 0, batches: 0, records: 0, accepted: 0, lost: 0 };
  before(async () => {
    dynamo = await startDynalite();
  });
  after(async () => {
    await dynamo?.close();
    console.log(`      kinesis path: ${JSON.stringify(tally)}`);
  });

  it("the ingest model is generated from the processor's schema", () => {
    expect(PUT_RECORD_SCHEMA.properties.data).to.equal(EVENT_DATA_SCHEMA);
  });

  it("the model (draft-4) and the processor agree on every record", () => {
    fc.assert(
      fc.property(hostileEventText, partitionKey, (text, pk) => {
        tally.agreement++;
        const api = draft4Validate(PUT_RECORD_SCHEMA, { data: JSON.parse(text), partitionKey: pk });
        const decoded = decodeKinesisRecord(kinesisRecord(text, { partitionKey: pk }));
        expect(decoded.ok, `${text}: ${decoded.ok ? "" : decoded.error}`).to.equal(api.success);
      }),
      { seed: 1201, numRuns: 3000 },
    );
  });

  it("accepted records are stored exactly once, refused ones reported, under faults and replays", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(hostileEventText, partitionKey), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (produced, seed) => {
          tally.batches++;
          const t = { dedupe: `p-dedupe-${++n}`, data: `p-data-${n}` };
          await Promise.all([
            dynamo.createTable(t.dedupe, "eventId"),
            dynamo.createTable(t.data, "eventId"),
          ]);
          // Some records are sent twice (a producer retry): same data, same key.
          const sent = [...produced, ...produced.filter((_, i) => i % 3 === 0)];
          const records = sent.map(([text, pk]) => kinesisRecord(text, { partitionKey: pk }));
          const verdicts = records.map(decodeKinesisRecord);
          const poison = new Set(
            records.filter((_, i) => !verdicts[i].ok).map((r) => r.kinesis.sequenceNumber),
          );
          const expected = new Map<string, string>();
          verdicts.forEach((v, i) => {
            if (v.ok && !expected.has(v.event.eventId)) expected.set(v.event.eventId, sent[i][0]);
          });
          tally.records += records.length;
          tally.accepted += expected.size;
          const deps = {
            ddb: faulty(dynamo.doc, seed),
            dedupeTable: t.dedupe,
            dataTable: t.data,
            dedupeTtlSeconds: 3600,
            batchWriteAttempts: 3,
          };
          // Lambda with ReportBatchItemFailures: retry from the first failed record; a record
          // failing for good (poison) goes to the on-failure destination and is passed.
          let pending: KinesisStreamRecord[] = records;
          for (let attempt = 0; pending.length > 0; attempt++) {
            expect(attempt, "retries").to.be.below(40);
            const out = await processBatch(pending, Date.now() + 30_000, deps);
            const failed = out.response.batchItemFailures.map((f) => f.itemIdentifier);
            for (const r of pending) {
              if (poison.has(r.kinesis.sequenceNumber)) {
                expect(failed).to.include(r.kinesis.sequenceNumber);
              }
            }
            const first = pending.findIndex(
              (r) =>
                failed.includes(r.kinesis.sequenceNumber) && !poison.has(r.kinesis.sequenceNumber),
            );
            pending = first < 0 ? [] : pending.slice(first);
          }
          // A full replay without faults: only the poison is reported, nothing new is written.
          const replay = await processBatch(records, Date.now() + 30_000, {
            ...deps,
            ddb: dynamo.doc,
          });
          expect(
            new Set(replay.response.batchItemFailures.map((f) => f.itemIdentifier)),
          ).to.deep.equal(poison);
          expect(replay.stats.written).to.equal(0);

          const rows = await dynamo.scan(t.data);
          const stored = new Map(rows.map((r) => [String(r.eventId), r]));
          const lost = [...expected.keys()].filter((id) => !stored.has(id));
          tally.lost += lost.length;
          expect(lost, "lost").to.deep.equal([]);
          expect(rows.length, "one row per accepted event, nothing else").to.equal(expected.size);
          for (const [id, text] of expected) expect(stored.get(id)!.payload).to.equal(text);

          // Aggregator: each accepted event counted once, refused ones counted as rejected.
          const state = foldRecords(emptyState(), records);
          const counted = Object.values(state.aggregates).reduce((a, x) => a + x.count, 0);
          expect(counted).to.equal(expected.size);
          expect(state.rejected).to.equal(poison.size);

          // Notifier: the stream image of every stored row (raw attribute values) formats.
          const raw = await dynamo.client.send(new ScanCommand({ TableName: t.data }));
          for (const image of raw.Items ?? []) {
            const record = {
              eventName: "INSERT",
              dynamodb: { NewImage: image, SequenceNumber: "1" },
            } as unknown as DynamoDBRecord;
            JSON.parse(formatNotification(record).message);
          }
        },
      ),
      { seed: 1202, numRuns: 40 },
    );
  });
});
