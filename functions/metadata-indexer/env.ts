/** Environment contract of functions/metadata-indexer (set by stacks/s3-events-fanout.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const metadataIndexerEnv = defineEnv("metadata-indexer", {
  tableName: envString("TABLE_NAME"),
});
export type MetadataIndexerEnv = EnvValues<typeof metadataIndexerEnv.spec>;
export const readMetadataIndexerEnv = (env = process.env) => metadataIndexerEnv.read(env);
export const metadataIndexerEnvironment = metadataIndexerEnv.environment;
