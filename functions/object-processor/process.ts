import type { ObjectHead } from "../lib/s3Objects";
import { S3ObjectEvent, objectEventId } from "../lib/s3Events";

/** One processed object: what the read API lists and returns. */
export interface ProcessedItem {
  id: string;
  bucket: string;
  key: string;
  versionId?: string;
  eventName: string;
  eventTime: string;
  size?: number;
  contentType?: string;
  /** Top-level "folder" of the key ("" at the root), handy for grouping in the API. */
  prefix: string;
  /** File extension, lower-case, without the dot ("" when none). */
  extension: string;
  status: "processed" | "missing";
  processedAt: string;
}

/** `a/b/c.TXT` -> prefix "a", extension "txt". */
export function classify(key: string): { prefix: string; extension: string } {
  const slash = key.indexOf("/");
  const base = key.slice(key.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return {
    prefix: slash > 0 ? key.slice(0, slash) : "",
    extension: dot > 0 ? base.slice(dot + 1).toLowerCase() : "",
  };
}

/** Pure: the row to store for one object event. */
export function processedItem(
  event: S3ObjectEvent,
  head: ObjectHead | undefined,
  now: Date,
): ProcessedItem {
  return {
    id: objectEventId(event),
    bucket: event.bucket,
    key: event.key,
    versionId: event.versionId,
    eventName: event.eventName,
    eventTime: event.eventTime,
    size: head?.contentLength ?? event.size,
    contentType: head?.contentType,
    ...classify(event.key),
    status: head ? "processed" : "missing",
    processedAt: now.toISOString(),
  };
}
