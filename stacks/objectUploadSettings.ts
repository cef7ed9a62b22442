import { z } from "zod";

/** Content types the upload route signs by default (the files-api handler's own default list). */
export const DEFAULT_CONTENT_TYPES = ["image/png", "image/jpeg", "application/pdf", "text/plain"];

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
      .default("uploads/")
      .describe(descriptions.uploadPrefix),
    maxUploadBytes: z
      .number()
      .int()
      .min(1)
      .max(5 * 1024 ** 3)
      .default(10 * 1024 * 1024)
      .describe(descriptions.maxUploadBytes),
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
    batchSize: z.number().int().min(1).max(10).default(10).describe(descriptions.batchSize),
    maxConcurrency: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .default(5)
      .describe(descriptions.maxConcurrency),
    maxReceiveCount: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe(descriptions.maxReceiveCount),
  };
}
