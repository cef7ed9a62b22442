import type { ObjectHead } from "../lib/s3Objects";
import { S3ObjectEvent, objectEventId } from "../lib/s3Events";

/** One row of the metadata table: the object write and what S3 reports about it. */
export interface MetadataItem {
  /** `objectEventId`: the same write always maps to the same row. */
  id: string;
  bucket: string;
  key: string;
  eventName: string;
  eventTime: string;
  versionId?: string;
  sequencer: string;
  size?: number;
  eTag?: string;
  contentType?: string;
  lastModified?: string;
  userMetadata?: Record<string, string>;
  /** "indexed", or "missing" when the object was deleted before it could be read. */
  status: "indexed" | "missing";
  indexedAt: string;
}

/** Pure: the row to store for one object event. */
export function metadataItem(
  event: S3ObjectEvent,
  head: ObjectHead | undefined,
  now: Date,
): MetadataItem {
  return {
    id: objectEventId(event),
    bucket: event.bucket,
    key: event.key,
    eventName: event.eventName,
    eventTime: event.eventTime,
    versionId: event.versionId,
    sequencer: event.sequencer,
    size: head?.contentLength ?? event.size,
    eTag: event.eTag,
    contentType: head?.contentType,
    lastModified: head?.lastModified,
    userMetadata: head && Object.keys(head.metadata).length > 0 ? head.metadata : undefined,
    status: head ? "indexed" : "missing",
    indexedAt: now.toISOString(),
  };
}
