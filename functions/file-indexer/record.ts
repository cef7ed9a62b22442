/** Pure part of the file indexer: which events to index and the row each one becomes. */
import { S3ObjectEvent, objectEventId } from "../lib/s3Events";
import type { ObjectHead } from "../lib/s3Objects";

/** One row per object write, keyed so a redelivered event maps to the same row. */
export interface FileRow {
  /** `<bucket>/<key>#<versionId or sequencer>` (see `objectEventId`). */
  id: string;
  bucket: string;
  key: string;
  versionId?: string;
  sequencer: string;
  size?: number;
  eTag?: string;
  contentType?: string;
  eventName: string;
  eventTime: string;
  indexedAt: string;
}

/** Only creations are indexed; the bucket is wired for `s3:ObjectCreated:*` alone. */
export function isIndexed(event: S3ObjectEvent): boolean {
  return event.eventName.startsWith("ObjectCreated:");
}

export function fileRow(event: S3ObjectEvent, head: ObjectHead | undefined, now: Date): FileRow {
  const row: FileRow = {
    id: objectEventId(event),
    bucket: event.bucket,
    key: event.key,
    sequencer: event.sequencer,
    eventName: event.eventName,
    eventTime: event.eventTime,
    indexedAt: now.toISOString(),
  };
  if (event.versionId !== undefined) row.versionId = event.versionId;
  const size = event.size ?? head?.contentLength;
  if (size !== undefined) row.size = size;
  if (event.eTag !== undefined) row.eTag = event.eTag;
  if (head?.contentType !== undefined) row.contentType = head.contentType;
  return row;
}
