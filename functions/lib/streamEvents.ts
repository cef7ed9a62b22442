/**
 * The events carried by the analytics stream: decoding a Kinesis record into a validated event and
 * the event id that de-duplication keys on. Pure: no AWS calls. Shared by the stream processor and
 * the aggregator so both agree on what an event is and which records are duplicates.
 */
import { createHash } from "node:crypto";
import type { KinesisStreamRecord } from "aws-lambda";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** DynamoDB items are at most 400 KB; leave room for the attributes the processor adds. */
export const MAX_EVENT_BYTES = 350_000;
const MAX_ID_LENGTH = 128;
const MAX_TYPE_LENGTH = 64;
const MAX_KEY_LENGTH = 256;
export const DEFAULT_EVENT_TYPE = "event";

/** One validated event. */
export interface StreamEvent {
  /** The client's `eventId`, or `sha256:<hex>` of partition key + canonical payload. */
  eventId: string;
  idSource: "client" | "content";
  type: string;
  severity: Severity;
  /** ISO-8601 UTC: the client's `occurredAt`, else the time Kinesis received the record. */
  occurredAt: string;
  /** Grouping key for aggregates (e.g. a page or a device). */
  key?: string;
  /** Measured value summed by the aggregates. */
  value?: number;
  /** The whole data object as the client sent it. */
  payload: Record<string, unknown>;
}

/** Where a record sits in the stream: what batch failures and replays are keyed on. */
export interface RecordPosition {
  partitionKey: string;
  sequenceNumber: string;
  shardId: string;
  /** ISO-8601 time Kinesis accepted the record. */
  arrivedAt: string;
}

export type DecodedRecord =
  | { ok: true; event: StreamEvent; position: RecordPosition }
  | { ok: false; error: string; position: RecordPosition };

/** Data that can never become an event (bad JSON, wrong field types): retrying will not help. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEventError";
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function optionalString(
  data: Record<string, unknown>,
  field: string,
  maxLength: number,
): string | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length === 0 || v.length > maxLength || CONTROL.test(v)) {
    throw new InvalidEventError(`${field} must be a string of 1-${maxLength} printable characters`);
  }
  return v;
}

function parseOccurredAt(v: unknown, fallback: string): string {
  if (v === undefined || v === null) return fallback;
  const ms = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidEventError("occurredAt must be an ISO-8601 timestamp or epoch milliseconds");
  }
  return new Date(ms).toISOString();
}

/** JSON with object keys sorted at every level: equal data gives equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The id de-duplication keys on. A client-supplied `eventId` wins (the only way to send two
 * identical events on purpose); otherwise a hash of partition key and canonical payload, which
 * catches client retries and replays that resend the same data.
 */
export function eventIdOf(
  data: Record<string, unknown>,
  partitionKey: string,
): Pick<StreamEvent, "eventId" | "idSource"> {
  const given = optionalString(data, "eventId", MAX_ID_LENGTH);
  if (given !== undefined) return { eventId: given, idSource: "client" };
  const hash = createHash("sha256").update(partitionKey).update("\n").update(canonicalJson(data));
  return { eventId: `sha256:${hash.digest("hex")}`, idSource: "content" };
}

/** Validates a decoded data object into an event; throws InvalidEventError naming the field. */
export function parseEvent(data: unknown, partitionKey: string, arrivedAt: string): StreamEvent {
  if (!isObject(data)) throw new InvalidEventError("data must be a JSON object");
  const severityRaw = optionalString(data, "severity", 16)?.toLowerCase() ?? "info";
  if (!(SEVERITIES as readonly string[]).includes(severityRaw)) {
    throw new InvalidEventError(`severity must be one of ${SEVERITIES.join(", ")}`);
  }
  const value = data.value;
  if (value !== undefined && value !== null && !(typeof value === "number" && isFinite(value))) {
    throw new InvalidEventError("value must be a finite number");
  }
  const key = optionalString(data, "key", MAX_KEY_LENGTH);
  return {
    ...eventIdOf(data, partitionKey),
    type: optionalString(data, "type", MAX_TYPE_LENGTH) ?? DEFAULT_EVENT_TYPE,
    severity: severityRaw as Severity,
    occurredAt: parseOccurredAt(data.occurredAt, arrivedAt),
    ...(key !== undefined ? { key } : {}),
    ...(typeof value === "number" ? { value } : {}),
    payload: data,
  };
}

/** The stream position of a Lambda Kinesis record (`eventID` is `<shardId>:<sequenceNumber>`). */
export function positionOf(record: KinesisStreamRecord): RecordPosition {
  const k = record.kinesis;
  const colon = record.eventID?.lastIndexOf(":") ?? -1;
  return {
    partitionKey: k.partitionKey,
    sequenceNumber: k.sequenceNumber,
    shardId: colon > 0 ? record.eventID.slice(0, colon) : "unknown",
    arrivedAt: new Date(Math.round(k.approximateArrivalTimestamp * 1000)).toISOString(),
  };
}

/** Decodes one Kinesis record (base64 JSON, newline-terminated or not) into an event. */
export function decodeKinesisRecord(record: KinesisStreamRecord): DecodedRecord {
  const position = positionOf(record);
  try {
    const bytes = Buffer.from(record.kinesis.data, "base64");
    if (bytes.length > MAX_EVENT_BYTES) {
      throw new InvalidEventError(
        `data is ${bytes.length} bytes; events are limited to ${MAX_EVENT_BYTES}`,
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new InvalidEventError("data is not JSON");
    }
    return {
      ok: true,
      event: parseEvent(data, position.partitionKey, position.arrivedAt),
      position,
    };
  } catch (e) {
    if (!(e instanceof InvalidEventError)) throw e;
    return { ok: false, error: e.message, position };
  }
}
