import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_POLICY_CONFIG,
  PolicyConfig,
  policyConfigProblems,
} from "../../functions/shard-autoscaler/policy";
import { STREAM_SHARD_LIMIT } from "../../functions/shard-autoscaler/rules";
import { SHARD_AUTOSCALER_SCHEDULE_MINUTES } from "../core/defaults";
import type { OperationsContext } from "../core/operations";
import type { Nested, Transforms } from "../core/transform";
import { ArgumentErrors, isKnownNumber } from "../core/validate";
import type { ServiceKeyArgs } from "../security/kmsKey";
import type { BundledFunctionArgs } from "../compute/lambdaFunction";
import { checkPolicyConflicts } from "./shardAutoscalerConflicts";

/** The alarm topic, log key and retention (`OperationsContext`) apply to the scaler function. */
export interface ShardAutoscalerArgs extends OperationsContext {
  /**
   * The provisioned stream to scale. Give its `aws.kinesis.Stream` `ignoreChanges: ["shardCount"]`
   * so deployments do not undo the scaler. Required.
   */
  stream: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** The stream's shard count now; the alarms are first written for it. Required. */
  shardCount: pulumi.Input<number>;
  /**
   * Never fewer shards.
   * @default 1
   */
  minShards?: number;
  /**
   * Never more shards (stay within the account's shard quota, 200-500 by default).
   * @default 64
   */
  maxShards?: number;
  /**
   * Write utilisation a change aims for.
   * @default 0.6
   */
  targetUtilisation?: number;
  /**
   * Scale up at this utilisation (demand = accepted + throttled traffic).
   * @default 0.8
   */
  scaleUpThreshold?: number;
  /**
   * Scale down only below this utilisation for the whole quiet window.
   * @default 0.4
   */
  scaleDownThreshold?: number;
  /**
   * Consecutive breaching 1-minute datapoints before scaling up.
   * @default 2
   */
  scaleUpDatapoints?: number;
  /**
   * Minutes below the scale-down threshold (after the last scale-up) before scaling down.
   * @default 30
   */
  quietMinutes?: number;
  /**
   * Of the 10 UpdateShardCount calls per rolling 24 h, those kept for sustained throttling.
   * @default 2
   */
  reserveCalls?: number;
  /**
   * Any other policy setting (see `PolicyConfig`).
   * @default `DEFAULT_POLICY_CONFIG`
   */
  policy?: Partial<PolicyConfig>;
  /**
   * Minutes between scheduled runs, which continue multi-step changes as soon as the stream is
   * ACTIVE again and reconcile the alarms with the real shard count.
   * @default 1
   */
  scheduleMinutes?: number;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    key: Nested<ServiceKeyArgs["transform"]>;
    topic: aws.sns.TopicArgs;
    topicPolicy: aws.sns.TopicPolicyArgs;
    upAlarm: aws.cloudwatch.MetricAlarmArgs;
    downAlarm: aws.cloudwatch.MetricAlarmArgs;
    function: Nested<BundledFunctionArgs["transform"]>;
    subscription: aws.sns.TopicSubscriptionArgs;
    schedule: aws.cloudwatch.EventRuleArgs;
    scheduleTarget: aws.cloudwatch.EventTargetArgs;
    schedulePermission: aws.lambda.PermissionArgs;
    snsPermission: aws.lambda.PermissionArgs;
    eventInvokeConfig: aws.lambda.FunctionEventInvokeConfigArgs;
  }>;
}

/** A ShardAutoscaler's args with every default resolved. */
export interface ShardAutoscalerPlan {
  /** The policy the scaler runs with (defaults and top-level settings filled in). */
  policy: PolicyConfig;
  /** Minutes between scheduled runs. */
  scheduleMinutes: number;
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Resolves the policy and refuses, in one error, every bad or conflicting setting. */
export function planShardAutoscaler(name: string, args: ShardAutoscalerArgs): ShardAutoscalerPlan {
  const policy: PolicyConfig = {
    ...DEFAULT_POLICY_CONFIG,
    ...args.policy,
    ...definedOnly({
      minShards: args.minShards,
      maxShards: args.maxShards,
      targetUtilisation: args.targetUtilisation,
      scaleUpThreshold: args.scaleUpThreshold,
      scaleDownThreshold: args.scaleDownThreshold,
      scaleUpDatapoints: args.scaleUpDatapoints,
      quietMinutes: args.quietMinutes,
      reserveCalls: args.reserveCalls,
    }),
  };
  const scheduleMinutes = args.scheduleMinutes ?? SHARD_AUTOSCALER_SCHEDULE_MINUTES;
  const errors = checkPolicyConflicts(new ArgumentErrors("ShardAutoscaler", name), args);
  for (const problem of policyConfigProblems(policy)) {
    const [field, ...rest] = problem.split(": ");
    errors.check(false, field, rest.join(": "), "see the limits in the message");
  }
  const shards = args.shardCount;
  errors
    .check(
      !isKnownNumber(shards) ||
        (Number.isInteger(shards) && shards >= 1 && shards <= STREAM_SHARD_LIMIT),
      "shardCount",
      `${String(shards)} is not a shard count`,
      `use an integer 1-${STREAM_SHARD_LIMIT}`,
    )
    .check(
      Number.isInteger(scheduleMinutes) && scheduleMinutes >= 1 && scheduleMinutes <= 60,
      "scheduleMinutes",
      `${scheduleMinutes} is outside 1-60`,
      "use 1 to 60 minutes (multi-step changes continue on this schedule)",
    )
    .throwIfAny();
  return { policy, scheduleMinutes };
}
