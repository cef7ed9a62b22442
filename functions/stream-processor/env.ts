/** Environment contract of functions/stream-processor (set by KinesisPipeline). */
import { defineEnv, envInt, envString, type EnvValues } from "../lib/env";

export const streamProcessorEnv = defineEnv("stream-processor", {
  dedupeTable: envString("DEDUPE_TABLE"),
  dataTable: envString("DATA_TABLE"),
  /** How long an event id stays claimed (duplicates inside it are dropped), seconds. */
  dedupeTtlSeconds: envInt("DEDUPE_TTL_SECONDS", { default: 86_400 }),
  /** Conditional dedupe writes in flight per invocation. */
  claimConcurrency: envInt("CLAIM_CONCURRENCY", { default: 16, max: 1000 }),
});
export type StreamProcessorEnv = EnvValues<typeof streamProcessorEnv.spec>;
export const readStreamProcessorEnv = (env = process.env) => streamProcessorEnv.read(env);
export const streamProcessorEnvironment = streamProcessorEnv.environment;
