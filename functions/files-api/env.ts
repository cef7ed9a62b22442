/** Environment contract of functions/files-api (set by uploadsHandler, components/api/objectUploadsApi.ts). */
import { defineEnv, envInt, envList, envString, type EnvValues } from "../lib/env";
import { DEFAULT_UPLOAD_CONFIG, S3_MAX_SINGLE_PUT_BYTES } from "./upload";

export const filesApiEnv = defineEnv("files-api", {
  /** The bucket the route signs PUTs into. */
  bucket: envString("BUCKET_NAME"),
  /** MIME types a client may upload (exact, lower-case). */
  allowedContentTypes: envList<string>("ALLOWED_CONTENT_TYPES", {
    lowerCase: true,
    default: DEFAULT_UPLOAD_CONFIG.allowedContentTypes,
  }),
  /** Largest object accepted, bytes (signed into the URL as Content-Length). */
  maxUploadBytes: envInt("MAX_UPLOAD_BYTES", {
    default: DEFAULT_UPLOAD_CONFIG.maxUploadBytes,
    max: S3_MAX_SINGLE_PUT_BYTES,
  }),
  /** Lifetime of a presigned URL, seconds (SigV4 allows at most 7 days). */
  urlTtlSeconds: envInt("UPLOAD_URL_TTL_SECONDS", {
    default: DEFAULT_UPLOAD_CONFIG.urlTtlSeconds,
    max: 604_800,
  }),
  /** Keys start with this (no leading slash, ends with `/`). */
  keyPrefix: envString("UPLOAD_KEY_PREFIX", { default: DEFAULT_UPLOAD_CONFIG.keyPrefix }),
});
export type FilesApiEnv = EnvValues<typeof filesApiEnv.spec>;
export const readFilesApiEnv = (env = process.env) => filesApiEnv.read(env);
export const filesApiEnvironment = filesApiEnv.environment;
