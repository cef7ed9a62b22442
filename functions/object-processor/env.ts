/** Environment contract of functions/object-processor (set by stacks/s3-events-lambda.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const objectProcessorEnv = defineEnv("object-processor", {
  tableName: envString("TABLE_NAME"),
});
export type ObjectProcessorEnv = EnvValues<typeof objectProcessorEnv.spec>;
export const readObjectProcessorEnv = (env = process.env) => objectProcessorEnv.read(env);
export const objectProcessorEnvironment = objectProcessorEnv.environment;
