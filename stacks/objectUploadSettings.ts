import {
  MAX_RECEIVE_COUNT,
  SQS_BATCH_SIZE,
  SQS_CONSUMER_MAX_CONCURRENCY,
  SQS_MAX_CONCURRENCY_RANGE,
} from "../components/core/defaults";
import { z } from "zod";
import { intSetting } from "./settingFields";
import { DEFAULT_UPLOAD_CONFIG, S3_MAX_SINGLE_PUT_BYTES } from "../functions/files-api/upload";

/** Content types the upload route signs by default (the files-api handler's own default list). */
export const DEFAULT_CONTENT_TYPES = [...DEFAULT_UPLOAD_CONFIG.allowedContentTypes];

/**
 * Settings of the flows whose API signs uploads (functions/files-api) into a bucket prefix.
 * The two descriptions are the flow's own (what happens under the prefix, the size note); each
 * must end in its default for the README's config reference.
 */
export function objectUploadFields(descriptions: { uploadPrefix: string; maxUploadBytes: string }) {
  return {
    uploadPrefix: z
      .string()
      .regex(/^([A-Za-z0-9!_.*'()-]+\/)+$/, { message: "must be a key prefix ending in /" })
      .default(DEFAULT_UPLOAD_CONFIG.keyPrefix)
      .describe(descriptions.uploadPrefix),
    maxUploadBytes: intSetting(
      1,
      S3_MAX_SINGLE_PUT_BYTES,
      DEFAULT_UPLOAD_CONFIG.maxUploadBytes,
    ).describe(descriptions.maxUploadBytes),
    allowedContentTypes: z
      .array(z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, { message: "is not a MIME type" }))
      .min(1)
      .default(DEFAULT_CONTENT_TYPES)
      .describe(
        `MIME types the presign route accepts. Default: ${DEFAULT_CONTENT_TYPES.join(", ")}.`,
      ),
  };
}

/**
 * Settings of an SQS-driven consumer (batch size, concurrency cap, receives before the DLQ),
 * with the flow's own descriptions (each ending in its default).
 */
export function queueConsumerFields(descriptions: {
  batchSize: string;
  maxConcurrency: string;
  maxReceiveCount: string;
}) {
  return {
    batchSize: intSetting(1, SQS_BATCH_SIZE, SQS_BATCH_SIZE).describe(descriptions.batchSize),
    maxConcurrency: intSetting(
      SQS_MAX_CONCURRENCY_RANGE[0],
      SQS_MAX_CONCURRENCY_RANGE[1],
      SQS_CONSUMER_MAX_CONCURRENCY,
    ).describe(descriptions.maxConcurrency),
    maxReceiveCount: intSetting(1, 1000, MAX_RECEIVE_COUNT).describe(descriptions.maxReceiveCount),
  };
}
