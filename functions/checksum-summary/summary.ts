import { createHash } from "node:crypto";
import { S3ObjectEvent, objectEventId } from "../lib/s3Events";

/** Digest of an object's bytes. */
export interface Summary {
  sha256: string;
  md5: string;
  bytes: number;
}

/** Hashes a byte stream in one pass, without holding the object in memory. */
export async function summarize(chunks: AsyncIterable<Uint8Array>): Promise<Summary> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let bytes = 0;
  for await (const chunk of chunks) {
    sha.update(chunk);
    md5.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: sha.digest("hex"), md5: md5.digest("hex"), bytes };
}

/**
 * Whether the bytes read match the ETag S3 reported. Only single-part uploads have an MD5 ETag
 * (multipart ETags end in `-<parts>`, SSE-KMS ETags are not MD5s), so the rest are "unverifiable".
 */
export function etagCheck(
  eTag: string | undefined,
  md5: string,
): "match" | "mismatch" | "unverifiable" {
  const tag = eTag?.replace(/"/g, "");
  if (!tag || !/^[0-9a-f]{32}$/.test(tag)) return "unverifiable";
  return tag === md5 ? "match" : "mismatch";
}

export interface ChecksumItem {
  id: string;
  bucket: string;
  key: string;
  versionId?: string;
  status: "summarized" | "missing" | "too-large";
  sha256?: string;
  bytes?: number;
  etag?: "match" | "mismatch" | "unverifiable";
  summarizedAt: string;
}

/** What to do with an event before reading: objects above `maxBytes` are not downloaded. */
export function shouldRead(event: S3ObjectEvent, maxBytes: number): boolean {
  return event.size === undefined || event.size <= maxBytes;
}

/** Pure: the row to store for one object event. */
export function checksumItem(
  event: S3ObjectEvent,
  result: Summary | "missing" | "too-large",
  now: Date,
): ChecksumItem {
  const base = {
    id: objectEventId(event),
    bucket: event.bucket,
    key: event.key,
    versionId: event.versionId,
    summarizedAt: now.toISOString(),
  };
  if (typeof result === "string") return { ...base, status: result, bytes: event.size };
  return {
    ...base,
    status: "summarized",
    sha256: result.sha256,
    bytes: result.bytes,
    etag: etagCheck(event.eTag, result.md5),
  };
}
