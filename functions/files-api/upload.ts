/**
 * Pure part of the upload route: the request schema, the object key, and the limits' defaults
 * (./env.ts reads the limits from the environment). No AWS calls.
 */
import * as z from "zod/mini";
import { en } from "zod/locales";

// zod/mini, the tree-shakable API (about 30 KiB bundled; classic zod about 100), loads no locale.
z.config(en());

export interface UploadConfig {
  bucket: string;
  /** MIME types a client may upload (exact, lower-case). */
  allowedContentTypes: string[];
  /** Largest object accepted, in bytes (signed into the URL as Content-Length). */
  maxUploadBytes: number;
  /** Lifetime of a presigned URL, in seconds. */
  urlTtlSeconds: number;
  /** Keys start with this (no leading slash, ends with `/`). */
  keyPrefix: string;
}

/** S3's single-PUT limit: a presigned PUT cannot upload more. */
export const S3_MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export const DEFAULT_UPLOAD_CONFIG = {
  allowedContentTypes: ["image/png", "image/jpeg", "application/pdf", "text/plain"],
  maxUploadBytes: 10 * 1024 * 1024,
  urlTtlSeconds: 300,
  keyPrefix: "uploads/",
} as const;

// Control characters (C0, DEL, C1) and lone surrogates make keys that tools mangle.
const UNSAFE_NAME =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f/\\]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Schema of `POST /files` for a given config. */
export function uploadRequestSchema(config: UploadConfig) {
  return z.strictObject({
    fileName: z.string().check(
      z.minLength(1),
      z.maxLength(255),
      z.refine((s) => !UNSAFE_NAME.test(s), {
        message: "must not contain slashes, backslashes or control characters",
      }),
      z.refine((s) => s !== "." && s !== "..", { message: "is not a file name" }),
    ),
    contentType: z
      .pipe(
        z.string(),
        z.transform((s) => s.trim().toLowerCase()),
      )
      .check(
        z.refine((s) => config.allowedContentTypes.includes(s), {
          message: `must be one of ${config.allowedContentTypes.join(", ")}`,
        }),
      ),
    size: z.int().check(
      z.minimum(1, { message: "must be at least 1 byte" }),
      z.maximum(config.maxUploadBytes, {
        message: `must be at most ${config.maxUploadBytes} bytes`,
      }),
    ),
    /** Attach the file to this item: `GET /items/{id}/summary` lists it. Default: no item. */
    itemId: z.optional(z.uuid({ message: "must be an item id (a UUID)" })),
  });
}

export type UploadRequest = z.infer<ReturnType<typeof uploadRequestSchema>>;

/** S3 object keys are at most 1,024 bytes of UTF-8 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). */
export const S3_MAX_KEY_BYTES = 1024;

/** A fresh, unguessable key per upload: the client's name is kept for humans, never trusted as a path. */
export function objectKey(
  config: UploadConfig,
  id: string,
  fileName: string,
  itemId?: string,
): string {
  return itemId
    ? `${itemFilesPrefix(config.keyPrefix)}${itemId}/${id}/${fileName}`
    : `${config.keyPrefix}${id}/${fileName}`;
}

/** Where the files of items live (inside the upload prefix, so they are indexed too). */
export function itemFilesPrefix(keyPrefix: string): string {
  return `${keyPrefix}items/`;
}

/** Why `key` cannot be an S3 key (over the byte limit), or undefined when it can. */
export function keyProblem(key: string): string | undefined {
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes <= S3_MAX_KEY_BYTES) return undefined;
  return `fileName makes the object key ${bytes} bytes of UTF-8; S3 keys are limited to ${S3_MAX_KEY_BYTES} bytes`;
}
