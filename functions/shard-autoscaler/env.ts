/** Environment contract of functions/shard-autoscaler (set by ShardAutoscaler). */
import { defineEnv, envJson, type EnvValues } from "../lib/env";
import { SETTINGS_ENV, parseSettings } from "./settings";

export const shardAutoscalerEnv = defineEnv("shard-autoscaler", {
  /** The stream, its alarms and the policy, as one JSON document (`ScalerSettings`). */
  settings: envJson(SETTINGS_ENV, parseSettings),
});
export type ShardAutoscalerEnv = EnvValues<typeof shardAutoscalerEnv.spec>;
export const readShardAutoscalerEnv = (env = process.env) => shardAutoscalerEnv.read(env);
export const shardAutoscalerEnvironment = shardAutoscalerEnv.environment;
