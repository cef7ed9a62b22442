import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { S3ObjectEvent } from "./s3Events";

/** What S3 says about one object version beyond the notification. */
export interface ObjectHead {
  contentType?: string;
  contentLength?: number;
  lastModified?: string;
  /** User metadata (`x-amz-meta-*`), keys lower-case. */
  metadata: Record<string, string>;
}

/**
 * The object or version is gone (deleted since the event). A missing bucket is not in this list:
 * that is a misconfiguration to retry and alarm on, not a normal race.
 */
const MISSING = new Set(["NoSuchKey", "NoSuchVersion", "NotFound"]);
const isMissing = (e: unknown) => MISSING.has((e as { name?: string }).name ?? "");

/**
 * HEADs the exact version the event names (the key may have been overwritten since). Returns
 * undefined when the object (version) no longer exists: a later delete is not a failure to retry.
 */
export async function headObject(
  s3: Pick<S3Client, "send">,
  event: S3ObjectEvent,
): Promise<ObjectHead | undefined> {
  try {
    const out = await s3.send(
      new HeadObjectCommand({ Bucket: event.bucket, Key: event.key, VersionId: event.versionId }),
    );
    return {
      contentType: out.ContentType,
      contentLength: out.ContentLength,
      lastModified: out.LastModified?.toISOString(),
      metadata: out.Metadata ?? {},
    };
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** Streams the exact version the event names; undefined when it no longer exists. */
export async function getObjectStream(
  s3: Pick<S3Client, "send">,
  event: S3ObjectEvent,
): Promise<AsyncIterable<Uint8Array> | undefined> {
  try {
    const out = await s3.send(
      new GetObjectCommand({ Bucket: event.bucket, Key: event.key, VersionId: event.versionId }),
    );
    return out.Body as AsyncIterable<Uint8Array> | undefined;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}
