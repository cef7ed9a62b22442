/**
 * Property suite of the container queue consumers (issue 12): billing and shipping apply
 * OrderPlaced messages (raw or in SNS envelopes, duplicated, mixed with poison) to their tables
 * under DynamoDB throttling, the way their QueueWorker does: a message is deleted only once applied,
 * otherwise it comes back. Every valid order is recorded exactly once; poison is never recorded and
 * never deleted (it goes to the DLQ). Seeded.
 */
import { expect } from "chai";
import fc from "fast-check";
import { invoiceFor } from "../../functions/containers/billing-service/billing";
import { OrderProjection } from "../../functions/lib/orders/projection";
import { shipmentFor } from "../../functions/containers/shipping-service/shipping";
import * as faults from "./support/awsFaults";
import { sampleEvent, snsEnvelope } from "./support/containers";
import { LocalDynamo, startDynalite } from "./support/dynalite";

const POISON = ["not json", "{}", snsEnvelope({ type: "OrderPlaced" }), '{"Type":"Notification"}'];

describe("property: container queue consumers (billing, shipping)", function () {
  this.timeout(60_000);
  let local: LocalDynamo;
  let n = 0;
  const tally = { batches: 0, messages: 0, orders: 0, lost: 0 };
  const rand = { seed: 99 };
  const next = () => (rand.seed = (Math.imul(rand.seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const faulty = { on: false };
  before(async () => {
    local = await startDynalite();
    local.client.middlewareStack.add(
      (nextMw) => async (args) => {
        if (faulty.on && next() < 0.2) throw faults.dynamo.throughputExceeded();
        return nextMw(args);
      },
      { step: "initialize", name: "injectFaults" },
    );
  });
  after(async () => {
    await local?.close();
    console.log(`      container consumers: ${JSON.stringify(tally)}`);
  });

  const message = fc.oneof(
    {
      arbitrary: fc.record({ order: fc.integer({ min: 0, max: 7 }), sns: fc.boolean() }),
      weight: 5,
    },
    fc.integer({ min: 0, max: POISON.length - 1 }),
  );
  const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

  it("records every valid order exactly once and never records or deletes poison", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 12 }), async (msgs) => {
        tally.batches++;
        tally.messages += msgs.length;
        const tables = [`bill-${++n}`, `ship-${n}`];
        await Promise.all(tables.map((t) => local.createTable(t, "orderId")));
        const projections = [
          new OrderProjection({ doc: local.doc, tableName: tables[0], project: invoiceFor }),
          new OrderProjection({ doc: local.doc, tableName: tables[1], project: shipmentFor }),
        ];
        const bodies = msgs.map((m) =>
          typeof m === "number"
            ? { body: POISON[m], poison: true }
            : {
                body: m.sns
                  ? snsEnvelope(sampleEvent(uuid(m.order)))
                  : JSON.stringify(sampleEvent(uuid(m.order))),
                poison: false,
              },
        );
        const orders = new Set(msgs.flatMap((m) => (typeof m === "number" ? [] : [uuid(m.order)])));
        tally.orders += orders.size;
        for (const projection of projections) {
          faulty.on = true;
          let queue = bodies;
          for (let receive = 0; receive < 30 && queue.length > 0; receive++) {
            const kept: typeof bodies = [];
            for (const b of queue) {
              const applied = await projection.apply({ Body: b.body }).then(
                () => true,
                () => false, // not deleted: visible again after the visibility timeout
              );
              if (applied) expect(b.poison, `poison applied: ${b.body}`).to.equal(false);
              else kept.push(b);
            }
            queue = kept;
          }
          faulty.on = false;
          expect(
            queue.every((b) => b.poison),
            "only poison stays",
          ).to.equal(true);
        }
        for (const t of tables) {
          const rows = await local.scan(t);
          const lost = [...orders].filter((o) => !rows.some((r) => r.orderId === o));
          tally.lost += lost.length;
          expect(lost).to.deep.equal([]);
          expect(rows).to.have.length(orders.size);
        }
      }),
      { seed: 4_201, numRuns: 40 },
    );
  });
});
