/** Environment contract of functions/object-ingest (set by stacks/s3-events-lambda.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const objectIngestEnv = defineEnv("object-ingest", {
  queueUrl: envString("QUEUE_URL"),
});
export type ObjectIngestEnv = EnvValues<typeof objectIngestEnv.spec>;
export const readObjectIngestEnv = (env = process.env) => objectIngestEnv.read(env);
export const objectIngestEnvironment = objectIngestEnv.environment;
