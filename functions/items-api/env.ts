/** Environment contract of functions/items-api (set by stacks/three-tier-lambda.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const itemsApiEnv = defineEnv("items-api", {
  tableName: envString("TABLE_NAME"),
});
export type ItemsApiEnv = EnvValues<typeof itemsApiEnv.spec>;
export const readItemsApiEnv = (env = process.env) => itemsApiEnv.read(env);
export const itemsApiEnvironment = itemsApiEnv.environment;
