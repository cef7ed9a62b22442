import { expect } from "chai";
import fc from "fast-check";
import {
  MAX_EVENT_BYTES,
  canonicalJson,
  decodeKinesisRecord,
  eventIdOf,
  parseEvent,
} from "../../../functions/lib/streamEvents";
import { kinesisRecord } from "../support/streamEmulators";

const ARRIVED = "2026-03-01T12:00:00.000Z";

describe("functions/lib/streamEvents", () => {
  it("decodes a record into an event with its stream position", () => {
    const r = kinesisRecord(
      {
        eventId: "e-1",
        type: "sale",
        severity: "HIGH",
        occurredAt: 1767225600000,
        key: "k",
        value: 3,
      },
      { partitionKey: "p-1", sequenceNumber: "4960", shardId: "shardId-000000000002" },
    );
    const d = decodeKinesisRecord(r);
    expect(d.ok).to.equal(true);
    if (!d.ok) return;
    expect(d.event).to.deep.include({
      eventId: "e-1",
      idSource: "client",
      type: "sale",
      severity: "high",
      occurredAt: "2026-01-01T00:00:00.000Z",
      key: "k",
      value: 3,
    });
    expect(d.position).to.deep.equal({
      partitionKey: "p-1",
      sequenceNumber: "4960",
      shardId: "shardId-000000000002",
      arrivedAt: ARRIVED,
    });
  });

  it("defaults type, severity and time, and accepts a trailing newline", () => {
    const d = decodeKinesisRecord(kinesisRecord('{"a":1}\n'));
    expect(d.ok && d.event).to.deep.include({
      type: "event",
      severity: "info",
      occurredAt: ARRIVED,
    });
  });

  it("names why a record can never be an event", () => {
    const cases: [object | string, RegExp][] = [
      ["not json", /not JSON/],
      ["[1,2]", /JSON object/],
      ["null", /JSON object/],
      [{ eventId: 42 }, /eventId/],
      [{ eventId: "" }, /eventId/],
      [{ eventId: "a\u0000b" }, /eventId/],
      [{ severity: "apocalyptic" }, /severity/],
      [{ value: "12" }, /value/],
      [{ occurredAt: "yesterday" }, /occurredAt/],
      [{ type: "t".repeat(65) }, /type/],
      [{ blob: "x".repeat(MAX_EVENT_BYTES) }, /limited/],
    ];
    for (const [data, why] of cases) {
      const d = decodeKinesisRecord(kinesisRecord(data));
      expect(d.ok, JSON.stringify(data).slice(0, 40)).to.equal(false);
      if (!d.ok) expect(d.error).to.match(why);
    }
  });

  it("derives the same content id whatever the key order, and a different one per partition key", () => {
    const a = eventIdOf({ x: 1, y: { b: 2, a: [1, { d: 4, c: 3 }] } }, "p");
    const b = eventIdOf({ y: { a: [1, { c: 3, d: 4 }], b: 2 }, x: 1 }, "p");
    expect(a).to.deep.equal(b);
    expect(a.idSource).to.equal("content");
    expect(eventIdOf({ x: 1, y: { b: 2, a: [1, { d: 4, c: 3 }] } }, "q").eventId).not.to.equal(
      a.eventId,
    );
    expect(eventIdOf({ eventId: "given", x: 1 }, "p")).to.deep.equal({
      eventId: "given",
      idSource: "client",
    });
  });

  it("canonical JSON is valid JSON of the same value, stable under key order (property)", () => {
    const shuffle = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(shuffle);
      if (v && typeof v === "object") {
        return Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, shuffle(x)]),
        );
      }
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(JSON.parse(text)).to.deep.equal(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(shuffle(v))).to.equal(text);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("parseEvent keeps the whole payload", () => {
    const data = { eventId: "x", nested: { deep: [1, 2] } };
    expect(parseEvent(data, "p", ARRIVED).payload).to.equal(data);
  });
});
