import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { intSetting } from "./settingFields";
import {
  KINESIS_RETENTION_HOURS,
  KINESIS_RETENTION_HOURS_RANGE,
  KINESIS_SHARD_COUNT,
  SHARD_AUTOSCALER_SCHEDULE_MINUTES,
} from "../components/core/defaults";
import { ShardAutoscaler } from "../components/streaming/shardAutoscaler";
import { ScalableStream } from "../components/streaming/scalableStream";
import {
  DEFAULT_POLICY_CONFIG,
  PolicyConfig,
  policyConfigProblems,
} from "../functions/shard-autoscaler/policy";
import { STREAM_SHARD_LIMIT } from "../functions/shard-autoscaler/rules";
import { defineFlow } from "./flow";

const d = DEFAULT_POLICY_CONFIG;
const shards = () => z.number().int().min(1).max(STREAM_SHARD_LIMIT);
const fraction = () => z.number().gt(0).max(1);

const settingsSchema = z
  .object({
    minShards: shards()
      .default(d.minShards)
      .describe(`Never fewer shards. Default: ${d.minShards}.`),
    maxShards: shards()
      .default(d.maxShards)
      .describe(
        `Never more shards; keep it within the account's shard quota. Default: ${d.maxShards}.`,
      ),
    targetUtilisation: fraction()
      .default(d.targetUtilisation)
      .describe(
        `Write utilisation (of 1 MiB/s and 1,000 records/s per shard) a change aims for. Default: ${d.targetUtilisation}.`,
      ),
    scaleUpThreshold: fraction()
      .default(d.scaleUpThreshold)
      .describe(
        `Scale up when demand (accepted + throttled) reaches this utilisation. Default: ${d.scaleUpThreshold}.`,
      ),
    scaleDownThreshold: fraction()
      .default(d.scaleDownThreshold)
      .describe(
        `Scale down only when utilisation stayed below this for the quiet window. Default: ${d.scaleDownThreshold}.`,
      ),
    scaleUpDatapoints: intSetting(1, 10, d.scaleUpDatapoints).describe(
      `Consecutive breaching 1-minute datapoints before scaling up. Default: ${d.scaleUpDatapoints}.`,
    ),
    quietMinutes: intSetting(5, 1440, d.quietMinutes).describe(
      `Minutes below the scale-down threshold, after the last scale-up, before scaling down. Default: ${d.quietMinutes}.`,
    ),
    reserveCalls: intSetting(0, 9, d.reserveCalls).describe(
      `Of the 10 UpdateShardCount calls per rolling 24 h, those kept for sustained throttling. Default: ${d.reserveCalls}.`,
    ),
    holdHistoryMinutes: intSetting(60, 10080, d.holdHistoryMinutes).describe(
      `Minutes of past demand (read from CloudWatch every run) the hold level weighs: bursts that recur every few days need days of it. Default: ${d.holdHistoryMinutes}.`,
    ),
    scheduleMinutes: intSetting(1, 60, SHARD_AUTOSCALER_SCHEDULE_MINUTES).describe(
      `Minutes between scheduled scaler runs (multi-step changes, alarm reconciliation). Default: ${SHARD_AUTOSCALER_SCHEDULE_MINUTES}.`,
    ),
    streamShardCount: shards()
      .default(KINESIS_SHARD_COUNT)
      .describe(
        `Initial shards of the flow's own stream (used when realtime-analytics is off). Default: ${KINESIS_SHARD_COUNT}.`,
      ),
    streamRetentionHours: intSetting(
      KINESIS_RETENTION_HOURS_RANGE[0],
      KINESIS_RETENTION_HOURS_RANGE[1],
      KINESIS_RETENTION_HOURS,
    ).describe(
      `Retention of the flow's own stream, in hours. Default: ${KINESIS_RETENTION_HOURS}.`,
    ),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const problem of policyConfigProblems(policyOf(s))) {
      const [field, ...rest] = problem.split(": ");
      ctx.addIssue({ code: "custom", path: [field], message: rest.join(": ") });
    }
    if (s.streamShardCount < s.minShards || s.streamShardCount > s.maxShards)
      ctx.addIssue({
        code: "custom",
        path: ["streamShardCount"],
        message: `${s.streamShardCount} is outside minShards-maxShards (${s.minShards}-${s.maxShards})`,
      });
  });

export type KinesisAutoscaleSettings = z.infer<typeof settingsSchema>;

function policyOf(s: KinesisAutoscaleSettings): PolicyConfig {
  return {
    ...DEFAULT_POLICY_CONFIG,
    minShards: s.minShards,
    maxShards: s.maxShards,
    targetUtilisation: s.targetUtilisation,
    scaleUpThreshold: s.scaleUpThreshold,
    scaleDownThreshold: s.scaleDownThreshold,
    scaleUpDatapoints: s.scaleUpDatapoints,
    quietMinutes: s.quietMinutes,
    reserveCalls: s.reserveCalls,
    holdHistoryMinutes: s.holdHistoryMinutes,
  };
}

/**
 * `kinesis-autoscale`: CloudWatch metrics of a stream -> scale-up / scale-down alarms -> SNS ->
 * Lambda: UpdateShardCount, then the alarms rewritten for the new count. Scales the
 * realtime-analytics stream when that flow is on (it must then be provisioned), otherwise a
 * provisioned stream of its own.
 */
export const kinesisAutoscale = defineFlow<KinesisAutoscaleSettings>({
  slug: "kinesis-autoscale",
  componentName: "KinesisAutoscale",
  summary:
    "CloudWatch alarms on a stream's utilisation -> SNS -> Lambda: UpdateShardCount within AWS's rules, alarms rewritten for the new count.",
  settings: settingsSchema,
  // Attaches to realtime-analytics's stream when that flow is on (stacks/flowExports.ts).
  dependsOn: ["realtime-analytics"],
  checkStack: (s, _config, dependencies) => {
    const planned = dependencies["realtime-analytics"]?.stream;
    if (!planned) return [];
    if (planned.mode !== "PROVISIONED" || planned.shardCount === undefined) {
      return [
        `attaches to the realtime-analytics stream, whose streamMode is ${planned.mode}; ` +
          "UpdateShardCount works on provisioned streams only (fix: set realtime-analytics.streamMode to PROVISIONED, " +
          "or drop kinesis-autoscale: an on-demand stream scales itself)",
      ];
    }
    const shards = planned.shardCount;
    return shards < s.minShards || shards > s.maxShards
      ? [
          `the realtime-analytics stream starts with ${shards} shards, outside minShards-maxShards ` +
            `(${s.minShards}-${s.maxShards}) (fix: widen the bounds or change realtime-analytics.shardCount)`,
        ]
      : [];
  },
  build: (flow, s, ctx) => {
    let stream: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
    let shardCount: number;
    let attachedTo: string;
    const shared = ctx.dependency("realtime-analytics")?.stream;
    if (shared) {
      // checkStack rejected an on-demand stream before anything was built.
      if (shared.mode !== "PROVISIONED" || shared.shardCount === undefined)
        throw new Error("kinesis-autoscale: the realtime-analytics stream is not provisioned");
      stream = shared;
      shardCount = shared.shardCount;
      attachedTo = "realtime-analytics";
    } else {
      const own = new ScalableStream(
        "autoscaled-stream",
        {
          shardCount: s.streamShardCount,
          retentionHours: s.streamRetentionHours,
          retainOnDelete: ctx.retainData,
        },
        { parent: flow },
      );
      stream = own;
      shardCount = own.shardCount;
      attachedTo = "own stream";
    }

    const scaler = new ShardAutoscaler(
      "shard-autoscaler",
      {
        stream,
        shardCount,
        policy: policyOf(s),
        scheduleMinutes: s.scheduleMinutes,
        ...ctx.operations,
      },
      { parent: flow },
    );
    ctx.dashboard(scaler);
    return {
      attachedTo,
      streamName: stream.name,
      streamArn: stream.arn,
      scalerFunctionName: scaler.function.name,
      scalingTopicArn: scaler.topic.arn,
      scaleUpAlarmName: scaler.upAlarm.name,
      scaleDownAlarmName: scaler.downAlarm.name,
    };
  },
});
