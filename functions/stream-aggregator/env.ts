/** Environment contract of functions/stream-aggregator (set by StreamAnalytics). */
import { defineEnv, envInt, envString, type EnvValues } from "../lib/env";

export const streamAggregatorEnv = defineEnv("stream-aggregator", {
  aggregatesTable: envString("AGGREGATES_TABLE"),
  /** Lifetime of an aggregate row (its TTL), seconds. */
  aggregatesTtlSeconds: envInt("AGGREGATES_TTL_SECONDS", { default: 30 * 86_400 }),
});
export type StreamAggregatorEnv = EnvValues<typeof streamAggregatorEnv.spec>;
export const readStreamAggregatorEnv = (env = process.env) => streamAggregatorEnv.read(env);
export const streamAggregatorEnvironment = streamAggregatorEnv.environment;
