/** Environment contract of functions/objects-api (set by objectsHandler, components/api/objectUploadsApi.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const objectsApiEnv = defineEnv("objects-api", {
  tableName: envString("TABLE_NAME"),
});
export type ObjectsApiEnv = EnvValues<typeof objectsApiEnv.spec>;
export const readObjectsApiEnv = (env = process.env) => objectsApiEnv.read(env);
export const objectsApiEnvironment = objectsApiEnv.environment;
