/** Environment contract of functions/containers/items-service (a container app, set by stacks/three-tier-fargate.ts). */
import { defineEnv, envString, type EnvValues } from "../../lib/env";

export const itemsServiceEnv = defineEnv("items-service", {
  tableName: envString("TABLE_NAME"),
});
export type ItemsServiceEnv = EnvValues<typeof itemsServiceEnv.spec>;
export const readItemsServiceEnv = (env = process.env) => itemsServiceEnv.read(env);
export const itemsServiceEnvironment = itemsServiceEnv.environment;
