/**
 * Property suite of the S3-event consumers (issue 12), seeded: file-indexer, metadata-indexer,
 * checksum-summary and object-processor each get generated SQS batches mixing valid S3
 * notifications (odd keys, versions, several records, SNS envelopes, duplicates), test events and
 * poison bodies, under injected S3 SlowDown and DynamoDB throttling. SQS is modelled as Lambda uses
 * it: failed messages come back until they succeed or pass maxReceiveCount (then the DLQ).
 * Poison always ends in the DLQ; what else the faults pushed there is stored by the redrive; every
 * object version is stored once; a replay adds nothing and reports exactly the poison.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import fc from "fast-check";
import { Readable } from "node:stream";
import { makeHandler as checksumSummary } from "../../functions/checksum-summary/handler";
import { makeHandler as fileIndexer } from "../../functions/file-indexer/handler";
import { makeHandler as metadataIndexer } from "../../functions/metadata-indexer/handler";
import { makeHandler as objectProcessor } from "../../functions/object-processor/handler";
import * as faults from "./support/awsFaults";
import { LocalDynamo, startDynalite } from "./support/dynalite";
import {
  TEST_EVENT,
  notification,
  s3Record,
  silentLogger,
  snsEnvelope,
  sqsRecord,
} from "./support/objectEvents";

const MAX_RECEIVES = 5;
/** Keys as S3 encodes them in notifications, and the key they decode to. */
const KEYS: [string, string][] = [
  ["uploads/a.txt", "uploads/a.txt"],
  ["uploads/Beach+Day.PNG", "uploads/Beach Day.PNG"],
  ["uploads/caf%C3%A9.pdf", "uploads/café.pdf"],
  ["uploads/100%25+real", "uploads/100% real"],
  ["uploads/deep/dir/x", "uploads/deep/dir/x"],
];
const POISON = [
  "not json",
  '{"Records": "nope"}',
  '{"Records": [{"s3": {}}]}',
  JSON.stringify(notification(s3Record("uploads/bad%E0%A4%A", { versionId: "1" }))),
  "[]",
];

type Msg =
  | { kind: "object"; keys: number[]; version: number; sns: boolean }
  | { kind: "test" }
  | { kind: "poison"; i: number };

const message: fc.Arbitrary<Msg> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("object" as const),
      keys: fc.array(fc.integer({ min: 0, max: KEYS.length - 1 }), { minLength: 1, maxLength: 2 }),
      version: fc.integer({ min: 1, max: 3 }),
      sns: fc.boolean(),
    }),
    weight: 6,
  },
  fc.constant({ kind: "test" as const }),
  {
    arbitrary: fc.record({
      kind: fc.constant("poison" as const),
      i: fc.integer({ min: 0, max: POISON.length - 1 }),
    }),
    weight: 2,
  },
);

function body(m: Msg, raw: boolean): string {
  if (m.kind === "poison") return POISON[m.i];
  const n =
    m.kind === "test"
      ? TEST_EVENT
      : notification(
          ...m.keys.map((k) =>
            s3Record(KEYS[k][0], { versionId: `v${m.version}`, sequencer: `0${m.version}` }),
          ),
        );
  return JSON.stringify(m.kind === "object" && m.sns && !raw ? snsEnvelope(n) : n);
}

describe("property: S3-event consumers under poison, duplicates, faults and replays", function () {
  this.timeout(120_000);
  let local: LocalDynamo;
  let s3Mock: AwsClientStub<S3Client>;
  let n = 0;
  const tally: Record<
    string,
    { batches: number; messages: number; objects: number; lost: number }
  > = {};
  const rand = { seed: 7 };
  const next = () => (rand.seed = (Math.imul(rand.seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const faulty = { on: false };

  before(async () => {
    // Created here, not at load time: mocks of one client class must not overlap across files.
    s3Mock = mockClient(S3Client);
    local = await startDynalite();
    local.client.middlewareStack.add(
      (nextMw) => async (args) => {
        if (faulty.on && next() < 0.15) throw faults.dynamo.throughputExceeded();
        return nextMw(args);
      },
      { step: "initialize", name: "injectFaults" },
    );
    s3Mock.on(HeadObjectCommand).callsFake(() => {
      if (faulty.on && next() < 0.15) throw faults.s3.slowDown();
      return { ContentType: "text/plain", ContentLength: 5 };
    });
    s3Mock.on(GetObjectCommand).callsFake(() => {
      if (faulty.on && next() < 0.15) throw faults.s3.slowDown();
      return { Body: Readable.from([Buffer.from("hello")]) as never, ContentLength: 5 };
    });
  });
  after(async () => {
    s3Mock.restore();
    await local.close();
    console.log(`      s3 consumers: ${JSON.stringify(tally)}`);
  });

  const s3 = () => new S3Client({ region: "us-east-1" });
  type Make = (t: string) => (e: SQSEvent) => Promise<SQSBatchResponse>;
  /** The property for one consumer; `raw`: it reads raw S3 bodies only (no SNS envelope). */
  const property = (name: string, raw: boolean, make: Make) => async () => {
    const t = (tally[name] = { batches: 0, messages: 0, objects: 0, lost: 0 });
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 10 }), async (msgs) => {
        t.batches++;
        t.messages += msgs.length;
        const table = `s3p-${++n}`;
        await local.createTable(table);
        const handler = make(table);
        // Duplicated deliveries: every third message is also sent again under another id.
        const sent = [...msgs, ...msgs.filter((_, i) => i % 3 === 0)];
        const records = sent.map((m, i) => sqsRecord(`m${i}`, body(m, raw), name));
        const poison = new Set(
          records.filter((_, i) => sent[i].kind === "poison").map((r) => r.messageId),
        );
        const expected = new Set(
          msgs.flatMap((m) =>
            m.kind === "object" ? m.keys.map((k) => `${KEYS[k][1]}#v${m.version}`) : [],
          ),
        );
        t.objects += expected.size;

        faulty.on = true;
        const dlq = new Set<string>();
        let queue = records;
        for (let receive = 1; queue.length > 0; receive++) {
          const out = await handler({ Records: queue });
          const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
          for (const id of poison)
            if (queue.some((r) => r.messageId === id)) expect(failed).to.include(id);
          if (receive >= MAX_RECEIVES) {
            for (const id of failed) dlq.add(id);
            queue = [];
          } else queue = queue.filter((r) => failed.has(r.messageId));
        }
        faulty.on = false;
        // Under faults a valid message may use up its receives too: it waits in the DLQ, and the
        // operator's redrive (README) brings it back once the faults are over. Only poison stays.
        const redrive = await handler({ Records: records.filter((r) => dlq.has(r.messageId)) });
        const stuck = redrive.batchItemFailures
          .map((f) => f.itemIdentifier)
          .filter((id) => !poison.has(id));
        expect(
          [...poison].every((id) => dlq.has(id)),
          "all poison in the DLQ",
        ).to.equal(true);
        const replay = await handler({ Records: records });
        expect(new Set(replay.batchItemFailures.map((f) => f.itemIdentifier))).to.deep.equal(
          poison,
        );

        const rows = await local.scan(table);
        const stored = new Set(
          rows.map((r) => `${String(r.key)}#${String(r.versionId ?? r.version ?? "")}`),
        );
        const lost = [...expected].filter((e) => !stored.has(e));
        t.lost += lost.length;
        expect({ lost, stuck }).to.deep.equal({ lost: [], stuck: [] });
        expect(rows.length, "one row per object version").to.equal(expected.size);
      }),
      { seed: 3_101, numRuns: 25 },
    );
  };

  it(
    "file-indexer: poison ends in the DLQ, every object version is stored once (redrive included)",
    property("file-indexer", true, (t) => fileIndexer({ ddb: local.doc, s3: s3(), tableName: t })),
  );
  it(
    "metadata-indexer: poison ends in the DLQ, every object version is stored once (redrive included)",
    property("metadata-indexer", false, (t) =>
      metadataIndexer(() => ({ s3: s3(), ddb: local.doc, tableName: t, logger: silentLogger() })),
    ),
  );
  it(
    "checksum-summary: poison ends in the DLQ, every object version is stored once (redrive included)",
    property("checksum-summary", false, (t) =>
      checksumSummary(() => ({ s3: s3(), ddb: local.doc, tableName: t, logger: silentLogger() })),
    ),
  );
  it(
    "object-processor: poison ends in the DLQ, every object version is stored once (redrive included)",
    property("object-processor", true, (t) =>
      objectProcessor(() => ({ s3: s3(), ddb: local.doc, tableName: t, logger: silentLogger() })),
    ),
  );
});
