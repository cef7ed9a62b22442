/** Environment contract of functions/checksum-summary (set by stacks/s3-events-fanout.ts). */
import { defineEnv, envInt, envString, type EnvValues } from "../lib/env";

/** Objects larger than this are recorded as "too-large" instead of downloaded, bytes. */
export const DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024;

export const checksumSummaryEnv = defineEnv("checksum-summary", {
  tableName: envString("TABLE_NAME"),
  maxObjectBytes: envInt("MAX_OBJECT_BYTES", { default: DEFAULT_MAX_OBJECT_BYTES }),
});
export type ChecksumSummaryEnv = EnvValues<typeof checksumSummaryEnv.spec>;
export const readChecksumSummaryEnv = (env = process.env) => checksumSummaryEnv.read(env);
export const checksumSummaryEnvironment = checksumSummaryEnv.environment;
