/**
 * Pure part of the raw archive's Firehose transformation: one Kinesis record in, one JSON line out,
 * with the columns the Athena queries rely on computed exactly as the stream processor computes
 * them (functions/lib/streamEvents.ts): the effective event id (the client's, or the content hash)
 * and `occurredat` normalised to ISO-8601 UTC whether the client sent text or epoch milliseconds.
 * Records the processor refuses are archived too (`valid: false` and the reason): the raw archive
 * keeps everything the stream carried. No AWS calls.
 */
import type { FirehoseTransformationEventRecord, KinesisStreamRecord } from "aws-lambda";
import { decodeKinesisRecord } from "../lib/streamEvents";

/** One archived line (keys are the Glue columns, lower case as the OpenX JSON SerDe reads them). */
export interface ArchiveRow {
  eventid: string | null;
  idsource: string | null;
  type: string | null;
  severity: string | null;
  occurredat: string | null;
  key: string | null;
  value: number | null;
  /** The data's `attributes` when it is a map of strings (the Glue column's type), else null. */
  attributes: Record<string, string> | null;
  partitionkey: string;
  sequencenumber: string;
  shardid: string;
  arrivedat: string;
  valid: boolean;
  error: string | null;
  /** The data's JSON text as the client sent it. */
  payload: string;
}

/**
 * The Kinesis record Lambda would have delivered for this Firehose record. Firehose gives the
 * arrival time in epoch milliseconds; Lambda's Kinesis events give seconds.
 */
export function asKinesisRecord(r: FirehoseTransformationEventRecord): KinesisStreamRecord {
  const m = r.kinesisRecordMetadata;
  const shardId = m?.shardId ?? "unknown";
  const sequenceNumber = m?.sequenceNumber ?? r.recordId;
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: m?.partitionKey ?? "",
      sequenceNumber,
      data: r.data,
      approximateArrivalTimestamp:
        (m?.approximateArrivalTimestamp ?? r.approximateArrivalTimestamp) / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "",
    awsRegion: "",
    eventSourceARN: "",
  };
}

/** `attributes` when it is what the Glue column holds (a map of strings), else null. */
function stringMap(v: unknown): Record<string, string> | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const entries = Object.entries(v);
  return entries.every(([, x]) => typeof x === "string") ? Object.fromEntries(entries) : null;
}

/** The archive line of one record (never throws: a bad record becomes a `valid: false` row). */
export function archiveRow(r: FirehoseTransformationEventRecord): ArchiveRow {
  const decoded = decodeKinesisRecord(asKinesisRecord(r));
  const { position } = decoded;
  const base = {
    partitionkey: position.partitionKey,
    sequencenumber: position.sequenceNumber,
    shardid: position.shardId,
    arrivedat: position.arrivedAt,
    payload: Buffer.from(r.data, "base64")
      .toString("utf8")
      .replace(/\r?\n$/, ""),
  };
  if (!decoded.ok) {
    return {
      eventid: null,
      idsource: null,
      type: null,
      severity: null,
      occurredat: null,
      key: null,
      value: null,
      attributes: null,
      ...base,
      valid: false,
      error: decoded.error,
    };
  }
  const e = decoded.event;
  return {
    eventid: e.eventId,
    idsource: e.idSource,
    type: e.type,
    severity: e.severity,
    occurredat: e.occurredAt,
    key: e.key ?? null,
    value: e.value ?? null,
    attributes: stringMap(e.payload.attributes),
    ...base,
    valid: true,
    error: null,
  };
}
