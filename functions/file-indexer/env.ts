/** Environment contract of functions/file-indexer (set by stacks/three-tier-lambda-s3.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const fileIndexerEnv = defineEnv("file-indexer", {
  tableName: envString("TABLE_NAME"),
});
export type FileIndexerEnv = EnvValues<typeof fileIndexerEnv.spec>;
export const readFileIndexerEnv = (env = process.env) => fileIndexerEnv.read(env);
export const fileIndexerEnvironment = fileIndexerEnv.environment;
