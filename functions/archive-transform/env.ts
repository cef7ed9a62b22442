/**
 * Environment contract of functions/archive-transform (the Firehose transformation of
 * StreamArchive): no variables. Declared, so test/stacks/envContract.test.ts holds the component
 * to setting none.
 */
import { defineEnv, type EnvValues } from "../lib/env";

export const archiveTransformEnv = defineEnv("archive-transform", {});
export type ArchiveTransformEnv = EnvValues<typeof archiveTransformEnv.spec>;
export const readArchiveTransformEnv = (env = process.env) => archiveTransformEnv.read(env);
export const archiveTransformEnvironment = archiveTransformEnv.environment;
