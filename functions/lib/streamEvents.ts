/**
 * The events carried by the analytics stream: decoding a Kinesis record into a validated event and
 * the event id that de-duplication keys on. Pure: no AWS calls. Shared by the stream processor and
 * the aggregator so both agree on what an event is and which records are duplicates.
 *
 * The Kinesis envelope is decoded here, not with Powertools Parser's KinesisEnvelope:
 * - Parser hands over the data as JSON.parse's value (numbers beyond double precision rounded),
 *   while the table and the archive keep the event's text exactly as sent, so its decoding would
 *   be thrown away (test/functions/parserFit.test.ts);
 * - the event is validated against EVENT_DATA_SCHEMA, the draft-04 document the API models are
 *   generated from, so a zod schema of it would be a second definition of the same event;
 * - the parser and zod add 105 KiB (stream-processor 248 -> 353 KiB, stream-aggregator 245 -> 350,
 *   over the 350 KiB budget).
 */
import { createHash } from "node:crypto";
import type { KinesisStreamRecord } from "aws-lambda";
import {
  EVENT_DATA_SCHEMA,
  ISO_TIMESTAMP_PATTERN,
  MAX_ID_LENGTH,
  PRINTABLE_PATTERN,
  type Severity,
} from "./eventSchema";
import { validateDraft4 } from "./jsonSchema";

export { SEVERITIES, type Severity } from "./eventSchema";

/** DynamoDB items are at most 400 KB; leave room for the attributes the processor adds. */
export const MAX_EVENT_BYTES = 350_000;
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
  /** The data's JSON text exactly as sent (numbers of any size and every key intact). */
  payloadJson: string;
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

const PRINTABLE = new RegExp(PRINTABLE_PATTERN);
const ISO = new RegExp(ISO_TIMESTAMP_PATTERN);

/**
 * Epoch ms of a schema-valid `occurredAt` (ISO-8601 text or epoch ms). Parsed by hand rather than
 * with Date.parse, whose accepted forms vary by engine: the schema's pattern is the only rule.
 */
export function occurredAtMs(v: string | number): number {
  if (typeof v === "number") return v;
  const m = ISO.exec(v);
  if (!m) throw new InvalidEventError("occurredAt must be an ISO-8601 timestamp");
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const ms = Number((frac ?? "").padEnd(3, "0").slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  utc.setUTCHours(Number(h), Number(mi), Number(sec), ms);
  const offset =
    zone === "Z"
      ? 0
      : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return utc.getTime() - offset * 60_000;
}

/** ISO-8601 UTC of a timestamp; a time outside JavaScript's date range is a bad event, not a crash. */
export function normalisedTime(v: string | number): string {
  const ms = occurredAtMs(v);
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) throw new InvalidEventError("occurredAt is out of range");
  return d.toISOString();
}

/**
 * JSON with object keys sorted at every level: equal data gives equal text whatever the key order.
 * Iterative, so data nested as deep as a record can hold (tens of thousands of levels) is no
 * stack overflow.
 */
export function canonicalJson(root: unknown): string {
  const out: string[] = [];
  // Work items, last first: text to emit as is, or a value still to write.
  const stack: ({ text: string } | { value: unknown })[] = [{ value: root }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ("text" in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    const parts: ({ text: string } | { value: unknown })[] = [];
    if (Array.isArray(v)) {
      parts.push({ text: "[" });
      v.forEach((x, i) => parts.push(...(i > 0 ? [{ text: "," }] : []), { value: x ?? null }));
      parts.push({ text: "]" });
    } else if (isObject(v)) {
      const keys = Object.keys(v)
        .filter((k) => v[k] !== undefined)
        .sort();
      parts.push({ text: "{" });
      keys.forEach((k, i) =>
        parts.push({ text: `${i > 0 ? "," : ""}${JSON.stringify(k)}:` }, { value: v[k] }),
      );
      parts.push({ text: "}" });
    } else {
      out.push(JSON.stringify(v));
      continue;
    }
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  }
  return out.join("");
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
  const given = data.eventId;
  if (typeof given === "string" && given.length > 0 && PRINTABLE.test(given)) {
    if ([...given].length <= MAX_ID_LENGTH) return { eventId: given, idSource: "client" };
  }
  if (given !== undefined) throw new InvalidEventError("eventId: must be a printable string");
  const hash = createHash("sha256").update(partitionKey).update("\n").update(canonicalJson(data));
  return { eventId: `sha256:${hash.digest("hex")}`, idSource: "content" };
}

/**
 * Validates a decoded data object against EVENT_DATA_SCHEMA (the document the API models are
 * generated from) into an event; throws InvalidEventError naming every offending field.
 */
export function parseEvent(
  data: unknown,
  partitionKey: string,
  arrivedAt: string,
  payloadJson: string = JSON.stringify(data),
): StreamEvent {
  if (!isObject(data)) throw new InvalidEventError("data must be a JSON object");
  const issues = validateDraft4(EVENT_DATA_SCHEMA, data);
  if (issues.length > 0) {
    throw new InvalidEventError(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  }
  const { type, severity, occurredAt, key, value } = data as {
    type?: string;
    severity?: string;
    occurredAt?: string | number;
    key?: string;
    value?: number;
  };
  return {
    ...eventIdOf(data, partitionKey),
    type: type ?? DEFAULT_EVENT_TYPE,
    severity: (severity?.toLowerCase() ?? "info") as Severity,
    occurredAt: occurredAt === undefined ? arrivedAt : normalisedTime(occurredAt),
    ...(key !== undefined ? { key } : {}),
    ...(value !== undefined ? { value } : {}),
    payload: data,
    payloadJson,
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

/**
 * Decodes one Kinesis record (base64 JSON, newline-terminated or not) into an event. Every step runs
 * inside this record's isolation: whatever the data holds, the outcome is this record's alone.
 */
export function decodeKinesisRecord(record: KinesisStreamRecord): DecodedRecord {
  let position: RecordPosition;
  try {
    position = positionOf(record);
  } catch (e) {
    const k = record.kinesis ?? ({} as Partial<KinesisStreamRecord["kinesis"]>);
    position = {
      partitionKey: String(k.partitionKey ?? ""),
      sequenceNumber: String(k.sequenceNumber ?? ""),
      shardId: "unknown",
      arrivedAt: new Date(0).toISOString(),
    };
    return { ok: false, error: `bad record: ${(e as Error).message}`, position };
  }
  try {
    const bytes = Buffer.from(record.kinesis.data, "base64");
    if (bytes.length > MAX_EVENT_BYTES) {
      throw new InvalidEventError(
        `data is ${bytes.length} bytes; events are limited to ${MAX_EVENT_BYTES}`,
      );
    }
    const text = bytes.toString("utf8").replace(/\r?\n$/, "");
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new InvalidEventError("data is not JSON");
    }
    return {
      ok: true,
      event: parseEvent(data, position.partitionKey, position.arrivedAt, text),
      position,
    };
  } catch (e) {
    // Not only InvalidEventError: any failure here (a RangeError, a stack overflow on absurdly deep
    // JSON) is about this record's data, and retrying the batch would hit it again.
    const error =
      e instanceof InvalidEventError ? e.message : `undecodable: ${(e as Error).message}`;
    return { ok: false, error, position };
  }
}
