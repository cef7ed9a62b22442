/** Environment contract of functions/aggregates-api (set by stacks/realtimeClientApi.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const aggregatesApiEnv = defineEnv("aggregates-api", {
  /** The analytics stage's table (hash `metric`, range `windowShard`). */
  aggregatesTable: envString("AGGREGATES_TABLE"),
});
export type AggregatesApiEnv = EnvValues<typeof aggregatesApiEnv.spec>;
export const readAggregatesApiEnv = (env = process.env) => aggregatesApiEnv.read(env);
export const aggregatesApiEnvironment = aggregatesApiEnv.environment;
