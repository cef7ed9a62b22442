/**
 * Parsing of S3 event notifications as they arrive through SQS: raw (S3 -> SQS), enveloped by
 * SNS (S3 -> SNS -> SQS, raw delivery off) or raw-delivered by SNS. Pure: no AWS calls.
 *
 * Hand-written rather than Powertools Parser (SqsEnvelope with S3Schema, or SnsSqsEnvelope):
 * - Parser's S3Schema takes `requestParameters.sourceIPAddress` to be IPv4 (or
 *   `s3.amazonaws.com`), so it refuses the notification of an upload made over S3's IPv6
 *   dual-stack endpoints, which would then fail as malformed and end in the DLQ
 *   (test/functions/parserFit.test.ts);
 * - the parser brings zod and its schemas, measured at +105 KiB on metadata-indexer (333 -> 439
 *   KiB), and every function that reads these (file-indexer, metadata-indexer, object-processor,
 *   checksum-summary at 333-347 KiB, object-ingest at 241) would be over or at the 350 KiB budget.
 */

/** One object event, with the key decoded. */
export interface S3ObjectEvent {
  eventName: string;
  eventTime: string;
  bucket: string;
  /** The object key, URL-decoded (S3 encodes keys and writes spaces as `+`). */
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  /** Orders events of the same key; with bucket+key it identifies one write. */
  sequencer: string;
}

/** The parsed body: the records it carries, or the `s3:TestEvent` S3 sends when wiring a target. */
export type ParsedS3Body = { kind: "records"; records: S3ObjectEvent[] } | { kind: "test" };

/** A body that is not an S3 notification: the caller fails the record so it reaches the DLQ. */
export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedEventError";
  }
}

/** S3 writes keys form-encoded: `+` is a space and the rest is percent-encoded. */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    throw new MalformedEventError(`object key "${key}" is not valid URL encoding`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedEventError(`${what} is not JSON`);
  }
}

function parseRecord(r: unknown, i: number): S3ObjectEvent {
  if (!isObject(r) || !isObject(r.s3))
    throw new MalformedEventError(`Records[${i}] has no s3 section`);
  const s3 = r.s3;
  const bucket = isObject(s3.bucket) ? s3.bucket.name : undefined;
  const object = isObject(s3.object) ? s3.object : undefined;
  if (typeof bucket !== "string" || !object || typeof object.key !== "string") {
    throw new MalformedEventError(`Records[${i}] lacks bucket name or object key`);
  }
  if (typeof object.sequencer !== "string" || typeof r.eventName !== "string") {
    throw new MalformedEventError(`Records[${i}] lacks eventName or sequencer`);
  }
  return {
    eventName: r.eventName,
    eventTime: typeof r.eventTime === "string" ? r.eventTime : "",
    bucket,
    key: decodeS3Key(object.key),
    size: typeof object.size === "number" ? object.size : undefined,
    eTag: typeof object.eTag === "string" ? object.eTag : undefined,
    versionId: typeof object.versionId === "string" ? object.versionId : undefined,
    sequencer: object.sequencer,
  };
}

/** Parses an S3 notification document (already unwrapped from SQS/SNS). */
export function parseS3Notification(doc: unknown): ParsedS3Body {
  if (isObject(doc) && doc.Event === "s3:TestEvent") return { kind: "test" };
  if (!isObject(doc) || !Array.isArray(doc.Records)) {
    throw new MalformedEventError(
      "body is neither an S3 notification (Records) nor an s3:TestEvent",
    );
  }
  return { kind: "records", records: doc.Records.map(parseRecord) };
}

/**
 * Parses an SQS message body carrying an S3 notification, raw or inside an SNS envelope
 * (`{"Type":"Notification","Message":"..."}`).
 */
export function parseS3Body(body: string): ParsedS3Body {
  const doc = parseJson(body, "message body");
  if (isObject(doc) && doc.Type === "Notification" && typeof doc.Message === "string") {
    return parseS3Notification(parseJson(doc.Message, "SNS Message"));
  }
  return parseS3Notification(doc);
}

/** Stable identity of one object write: redelivered or duplicated events map to the same id. */
export function objectEventId(e: S3ObjectEvent): string {
  return `${e.bucket}/${e.key}#${e.versionId ?? e.sequencer}`;
}
