import { expect } from "chai";
import type { FirehoseTransformationEventRecord } from "aws-lambda";
import { handler } from "../../functions/archive-transform/handler";
import { archiveRow } from "../../functions/archive-transform/transform";
import { decodeKinesisRecord } from "../../functions/lib/streamEvents";
import { EVENT_COLUMNS, namedQueries } from "../../components/streaming/streamArchive";
import { kinesisRecord } from "./support/streamEmulators";

/** The Firehose record (Kinesis source) of the same data Lambda's Kinesis event would carry. */
function firehoseRecord(
  data: object | string,
  partitionKey = "pk",
): FirehoseTransformationEventRecord {
  const k = kinesisRecord(data, { partitionKey });
  const arrivedMs = k.kinesis.approximateArrivalTimestamp * 1000;
  return {
    recordId: `rec-${k.kinesis.sequenceNumber}`,
    approximateArrivalTimestamp: arrivedMs,
    data: k.kinesis.data,
    kinesisRecordMetadata: {
      shardId: "shardId-000000000000",
      partitionKey,
      approximateArrivalTimestamp: arrivedMs,
      sequenceNumber: k.kinesis.sequenceNumber,
      subsequenceNumber: "0",
    },
  };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("functions/archive-transform (defect 10)", () => {
  it("archives epoch-ms and ISO times alike as ISO-8601 UTC, so the per-minute query counts both", () => {
    const epoch = archiveRow(firehoseRecord({ eventId: "a", occurredAt: 1_767_225_600_000 }));
    const iso = archiveRow(
      firehoseRecord({ eventId: "b", occurredAt: "2026-01-01T01:00:00+01:00" }),
    );
    for (const row of [epoch, iso]) {
      expect(row.occurredat).to.equal("2026-01-01T00:00:00.000Z");
      expect(row.occurredat).to.match(ISO_UTC);
    }
    const perMinute = namedQueries("db", "t").find(
      (q) => q.name === "events-per-minute-last-hour",
    )!;
    expect(perMinute.query).to.contain("from_iso8601_timestamp(occurredat)");
  });

  it("archives the effective event id the processor de-duplicates on, content hashes included", () => {
    const data = { type: "click", key: "/home" };
    const row = archiveRow(firehoseRecord(data, "p-7"));
    const processed = decodeKinesisRecord(kinesisRecord(data, { partitionKey: "p-7" }));
    expect(processed.ok && processed.event.eventId).to.equal(row.eventid);
    expect(row.eventid).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(row).to.include({ idsource: "content", valid: true, partitionkey: "p-7" });
    const dupes = namedQueries("db", "t").find((q) => q.name === "duplicate-event-ids")!;
    expect(dupes.query).not.to.contain("eventid IS NOT NULL");
  });

  it("archives refused records too, marked invalid with the reason, and every row has the Glue columns", () => {
    const row = archiveRow(firehoseRecord('{"occurredAt": "yesterday"}'));
    expect(row).to.include({ valid: false, eventid: null, payload: '{"occurredAt": "yesterday"}' });
    expect(row.error).to.match(/occurredAt/);
    expect(Object.keys(row).sort()).to.deep.equal(EVENT_COLUMNS.map((c) => c.name).sort());
  });

  it("returns every record Ok as one JSON document", async () => {
    const records = [firehoseRecord({ eventId: "x" }), firehoseRecord("not json")];
    const out = await handler({
      invocationId: "i",
      deliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/d",
      region: "us-east-1",
      records,
    });
    expect(out.records.map((r) => [r.recordId, r.result])).to.deep.equal(
      records.map((r) => [r.recordId, "Ok"]),
    );
    const rows = out.records.map((r) => JSON.parse(Buffer.from(r.data!, "base64").toString()));
    expect(rows.map((r) => r.valid)).to.deep.equal([true, false]);
  });
});
