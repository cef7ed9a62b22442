import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmDefinition, alarmDefinitions } from "../../functions/shard-autoscaler/alarmSpec";
import { LEDGER_TAGS } from "../../functions/shard-autoscaler/ledger";
import {
  DEFAULT_POLICY_CONFIG,
  PolicyConfig,
  policyConfigProblems,
} from "../../functions/shard-autoscaler/policy";
import { STREAM_SHARD_LIMIT } from "../../functions/shard-autoscaler/rules";
import type { ScalerSettings } from "../../functions/shard-autoscaler/settings";
import { shardAutoscalerEnvironment } from "../../functions/shard-autoscaler/env";
import {
  KINESIS_RETENTION_HOURS,
  KINESIS_RETENTION_HOURS_RANGE,
  KINESIS_SHARD_COUNT,
  KINESIS_SHARD_LEVEL_METRICS,
  SHARD_AUTOSCALER_SCHEDULE_MINUTES,
  SHARD_AUTOSCALER_TIMEOUT_SECONDS,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { alarmEncryptedTopic, alarmTopicPolicy } from "../observability/alarmTopic";
import { allow } from "../security/iam";
import { kinesisStreamWidgets } from "./kinesisPipeline";
import { ServiceKey, ServiceKeyArgs } from "../security/kmsKey";
import { BundledFunction, BundledFunctionArgs } from "../compute/lambdaFunction";
import { Transform, applyTransform } from "../core/transform";
import { ArgumentErrors, isKnownNumber } from "../core/validate";
import { checkPolicyConflicts } from "./shardAutoscalerConflicts";
import { operationsOf } from "../core/operations";

/** Tag keys the scaler writes on the stream (its operations ledger). */
export const SHARD_AUTOSCALER_TAG_KEYS: readonly string[] = Object.values(LEDGER_TAGS);
/** The prefix of those keys: give it to the provider's `ignoreTags.keyPrefixes`. */
export const SHARD_AUTOSCALER_TAG_PREFIX = "shard-autoscaler/";

export interface ShardAutoscalerArgs {
  /**
   * The provisioned stream to scale. Give its `aws.kinesis.Stream` `ignoreChanges: ["shardCount"]`
   * so deployments do not undo the scaler. Required.
   */
  stream: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** The stream's shard count now; the alarms are first written for it. Required. */
  shardCount: pulumi.Input<number>;
  /** Never fewer shards. Default: 1. */
  minShards?: number;
  /** Never more shards (stay within the account's shard quota, 200-500 by default). Default: 64. */
  maxShards?: number;
  /** Write utilisation a change aims for. Default: 0.6. */
  targetUtilisation?: number;
  /** Scale up at this utilisation (demand = accepted + throttled traffic). Default: 0.8. */
  scaleUpThreshold?: number;
  /** Scale down only below this utilisation for the whole quiet window. Default: 0.4. */
  scaleDownThreshold?: number;
  /** Consecutive breaching 1-minute datapoints before scaling up. Default: 2. */
  scaleUpDatapoints?: number;
  /** Minutes below the scale-down threshold (after the last scale-up) before scaling down. Default: 30. */
  quietMinutes?: number;
  /** Of the 10 UpdateShardCount calls per rolling 24 h, those kept for sustained throttling. Default: 2. */
  reserveCalls?: number;
  /** Any other policy setting (see `PolicyConfig`). Default: `DEFAULT_POLICY_CONFIG`. */
  policy?: Partial<PolicyConfig>;
  /**
   * Minutes between scheduled runs, which continue multi-step changes as soon as the stream is
   * ACTIVE again and reconcile the alarms with the real shard count. Default: 1.
   */
  scheduleMinutes?: number;
  /** Topic for the scaler function's own errors/throttles alarms. Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Log retention in days. Default: 14. */
  logRetentionDays?: number;
  /** KMS key for the scaler's log group. Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Override hooks, one per child. Default: none. */
  transform?: {
    key?: ServiceKeyArgs["transform"];
    topic?: Transform<aws.sns.TopicArgs>;
    topicPolicy?: Transform<aws.sns.TopicPolicyArgs>;
    upAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    downAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    function?: BundledFunctionArgs["transform"];
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
    schedule?: Transform<aws.cloudwatch.EventRuleArgs>;
  };
}

/** Pulumi's form of an alarm definition's metric-math queries. */
function metricQueries(def: AlarmDefinition): aws.types.input.cloudwatch.MetricAlarmMetricQuery[] {
  return def.queries.map((q) => ({
    id: q.id,
    returnData: q.returnData,
    expression: q.expression,
    label: q.label,
    metric: q.metric && {
      namespace: q.metric.namespace,
      metricName: q.metric.metricName,
      dimensions: q.metric.dimensions,
      period: q.metric.period,
      stat: q.metric.stat,
    },
  }));
}

/**
 * Autoscaling for a provisioned Kinesis stream (the seed's "Kinesis AutoScale" slide, hardened):
 * two 1-minute metric-math alarms on write utilisation normalised by the shard count (demand =
 * IncomingBytes/IncomingRecords plus WriteProvisionedThroughputExceeded) notify an encrypted SNS
 * topic; the scaler function it triggers, and a schedule, run the policy in
 * `functions/shard-autoscaler` (every UpdateShardCount rule, a 24-hour call budget with a reserve,
 * multi-step sizing) and rewrite both alarms for the new count. Its role reaches this stream and
 * these two alarms only. The alarms' math is owned by the scaler after creation (Pulumi ignores
 * changes to it), and its ledger lives in stream tags under `shard-autoscaler/`.
 */
export class ShardAutoscaler extends pulumi.ComponentResource {
  readonly key: ServiceKey;
  readonly topic: aws.sns.Topic;
  readonly topicPolicy: aws.sns.TopicPolicy;
  readonly upAlarm: aws.cloudwatch.MetricAlarm;
  readonly downAlarm: aws.cloudwatch.MetricAlarm;
  readonly function: BundledFunction;
  readonly subscription: aws.sns.TopicSubscription;
  readonly schedule: aws.cloudwatch.EventRule;
  /** The policy settings the scaler runs with (defaults filled in). */
  readonly policy: PolicyConfig;
  private readonly logicalName: string;
  private readonly streamName: pulumi.Input<string>;

  constructor(name: string, args: ShardAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:ShardAutoscaler", name, {}, opts);
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
    const schedule = args.scheduleMinutes ?? SHARD_AUTOSCALER_SCHEDULE_MINUTES;
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
        Number.isInteger(schedule) && schedule >= 1 && schedule <= 60,
        "scheduleMinutes",
        `${schedule} is outside 1-60`,
        "use 1 to 60 minutes (multi-step changes continue on this schedule)",
      )
      .throwIfAny();
    this.policy = policy;
    this.logicalName = name;
    this.streamName = args.stream.name;

    const parent = { parent: this };
    const t = args.transform ?? {};
    const scaling = alarmEncryptedTopic(
      `${name}-scaling`,
      {
        keyDescription: `Encrypts the scaling topic of shard autoscaler ${name}`,
        displayName: "Shard scaling",
        transform: { key: t.key, topic: t.topic },
      },
      this,
    );
    const account = scaling.account;
    this.key = scaling.key;
    this.topic = scaling.topic;

    const definitions = pulumi
      .all([args.stream.name, shards])
      .apply(([streamName, n]) => alarmDefinitions(streamName, n, policy));
    const alarm = (
      suffix: "up" | "down",
      pick: (d: { up: AlarmDefinition; down: AlarmDefinition }) => AlarmDefinition,
      transform?: Transform<aws.cloudwatch.MetricAlarmArgs>,
    ) => {
      const def = definitions.apply(pick);
      const alarmName = `${name}-scale-${suffix}`;
      return new aws.cloudwatch.MetricAlarm(
        alarmName,
        applyTransform<aws.cloudwatch.MetricAlarmArgs>(
          {
            alarmDescription: def.description,
            comparisonOperator: def.comparisonOperator,
            threshold: def.threshold,
            evaluationPeriods: def.evaluationPeriods,
            datapointsToAlarm: def.datapointsToAlarm,
            treatMissingData: def.treatMissingData,
            metricQueries: def.apply(metricQueries),
            alarmActions: [this.topic.arn],
          },
          transform,
          alarmName,
        ),
        // The scaler rewrites the math (and description) for every new shard count.
        { parent: this, ignoreChanges: ["metricQueries", "alarmDescription"] },
      );
    };
    this.upAlarm = alarm("up", (d) => d.up, t.upAlarm);
    this.downAlarm = alarm("down", (d) => d.down, t.downAlarm);

    // Only these two alarms may publish, and only over TLS.
    this.topicPolicy = alarmTopicPolicy(
      `${name}-scaling`,
      this.topic.arn,
      {
        sid: "ScalingAlarmsPublish",
        condition: {
          StringEquals: { "aws:SourceAccount": account },
          ArnEquals: { "aws:SourceArn": pulumi.all([this.upAlarm.arn, this.downAlarm.arn]) },
        },
      },
      t.topicPolicy,
      this,
    );

    const settings: { [K in keyof ScalerSettings]: pulumi.Input<ScalerSettings[K]> } = {
      streamName: args.stream.name,
      streamArn: args.stream.arn,
      upAlarmName: this.upAlarm.name,
      downAlarmName: this.downAlarm.name,
      alarmActionArn: this.topic.arn,
      policy,
    };
    const alarmArns = [this.upAlarm.arn, this.downAlarm.arn];
    this.function = new BundledFunction(
      name,
      {
        code: "shard-autoscaler",
        description: `Shard autoscaler ${name}: UpdateShardCount and alarm rewrites for its stream`,
        timeout: SHARD_AUTOSCALER_TIMEOUT_SECONDS,
        environment: shardAutoscalerEnvironment<pulumi.Output<string>>({
          settings: pulumi.jsonStringify(settings),
        }),
        statements: [
          allow(
            [
              "kinesis:DescribeStreamSummary",
              "kinesis:ListTagsForStream",
              "kinesis:AddTagsToStream",
            ],
            [args.stream.arn],
          ),
          // The Service Authorization Reference lists no resource type for UpdateShardCount
          // (docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html):
          // only "*" authorises it, so it stands alone in its statement.
          allow(["kinesis:UpdateShardCount"], ["*"]),
          allow(
            ["cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState"],
            alarmArns,
          ),
          // GetMetricData's only resource type is the optional CloudWatch "dataset"; reading
          // AWS/Kinesis metrics names none, so only "*" matches (list_amazoncloudwatch.html).
          allow(["cloudwatch:GetMetricData"], ["*"]),
        ],
        ...operationsOf(args),
        transform: t.function,
      },
      parent,
    );

    // A stale trigger is worthless (the next tick comes within minutes) and a retried one could
    // pile up behind a slow AWS call: no async retries, events older than a minute dropped.
    new aws.lambda.FunctionEventInvokeConfig(
      name,
      {
        functionName: this.function.name,
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: 60,
      },
      parent,
    );

    new aws.lambda.Permission(
      `${name}-sns`,
      {
        action: "lambda:InvokeFunction",
        function: this.function.name,
        principal: "sns.amazonaws.com",
        sourceArn: this.topic.arn,
      },
      parent,
    );
    this.subscription = new aws.sns.TopicSubscription(
      `${name}-scaling`,
      applyTransform<aws.sns.TopicSubscriptionArgs>(
        { topic: this.topic.arn, protocol: "lambda", endpoint: this.function.arn },
        t.subscription,
        `${name}-scaling`,
      ),
      parent,
    );

    this.schedule = new aws.cloudwatch.EventRule(
      `${name}-schedule`,
      applyTransform<aws.cloudwatch.EventRuleArgs>(
        {
          description: `Runs shard autoscaler ${name}: continues multi-step changes, reconciles alarms`,
          scheduleExpression: schedule === 1 ? "rate(1 minute)" : `rate(${schedule} minutes)`,
        },
        t.schedule,
        `${name}-schedule`,
      ),
      parent,
    );
    new aws.lambda.Permission(
      `${name}-schedule`,
      {
        action: "lambda:InvokeFunction",
        function: this.function.name,
        principal: "events.amazonaws.com",
        sourceArn: this.schedule.arn,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-schedule`,
      { rule: this.schedule.name, arn: this.function.arn },
      parent,
    );

    this.registerOutputs({
      functionName: this.function.name,
      topicArn: this.topic.arn,
      upAlarmName: this.upAlarm.name,
      downAlarmName: this.downAlarm.name,
    });
  }

  /**
   * Dashboard rows: the scaled stream (traffic, throttling, open shards), the two scaling alarms
   * as the scaler last wrote them, the scaling topic, and the scaler function.
   */
  widgets(): DashboardRow[] {
    const sns = (metricName: string, label: string) =>
      metric("AWS/SNS", metricName, { TopicName: this.topic.name }, { label });
    return [
      {
        title: `Scaled stream (${this.logicalName})`,
        widgets: kinesisStreamWidgets(this.streamName),
      },
      {
        title: `Scaling ${this.logicalName}`,
        widgets: [
          { title: "Scale-up alarm (write utilisation)", lines: [], alarm: this.upAlarm.arn },
          { title: "Scale-down alarm (write utilisation)", lines: [], alarm: this.downAlarm.arn },
          {
            title: "Scaling notifications",
            lines: [
              sns("NumberOfMessagesPublished", "alarm notifications"),
              sns("NumberOfNotificationsFailed", "not delivered to the scaler"),
            ],
          },
        ],
      },
      ...this.function.widgets(`Scaler ${this.logicalName}`),
    ];
  }
}

const [MIN_RETENTION, MAX_RETENTION] = KINESIS_RETENTION_HOURS_RANGE;

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface ScalableStreamArgs {
  /** Shards at creation; the autoscaler owns the count afterwards. Default: 1. */
  shardCount?: number;
  /** Hours records stay readable (`KINESIS_RETENTION_HOURS_RANGE`). Default: 24. */
  retentionHours?: number;
  /** Keep the stream and its key in AWS on removal, replacement or destroy. Default: false. */
  retainOnDelete?: boolean;
  /** Override hooks. Default: none. */
  transform?: { key?: ServiceKeyArgs["transform"]; stream?: Transform<aws.kinesis.StreamArgs> };
}

/**
 * A provisioned Kinesis stream made to be autoscaled: KMS-encrypted with its own rotating key,
 * shard-level metrics on, and `shardCount` left to the scaler after creation.
 */
export class ScalableStream extends pulumi.ComponentResource {
  readonly key: ServiceKey;
  readonly stream: aws.kinesis.Stream;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly shardCount: number;

  constructor(name: string, args: ScalableStreamArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:ScalableStream", name, {}, opts);
    const shards = args.shardCount ?? KINESIS_SHARD_COUNT;
    const retention = args.retentionHours ?? KINESIS_RETENTION_HOURS;
    new ArgumentErrors("ScalableStream", name)
      .check(
        Number.isInteger(shards) && shards >= 1 && shards <= STREAM_SHARD_LIMIT,
        "shardCount",
        `${shards} is not a shard count`,
        `use an integer 1-${STREAM_SHARD_LIMIT}`,
      )
      .check(
        Number.isInteger(retention) && retention >= MIN_RETENTION && retention <= MAX_RETENTION,
        "retentionHours",
        `${retention} is outside ${MIN_RETENTION}-${MAX_RETENTION}`,
        `use ${MIN_RETENTION} to ${MAX_RETENTION} hours`,
      )
      .throwIfAny();
    this.shardCount = shards;
    this.key = new ServiceKey(
      name,
      {
        description: `Encrypts Kinesis stream ${name}`,
        retainOnDelete: args.retainOnDelete,
        transform: args.transform?.key,
      },
      { parent: this },
    );
    this.stream = new aws.kinesis.Stream(
      name,
      applyTransform<aws.kinesis.StreamArgs>(
        {
          streamModeDetails: { streamMode: "PROVISIONED" },
          shardCount: shards,
          retentionPeriod: retention,
          encryptionType: "KMS",
          kmsKeyId: this.key.arn,
          shardLevelMetrics: [...KINESIS_SHARD_LEVEL_METRICS],
        },
        args.transform?.stream,
        name,
      ),
      { parent: this, ignoreChanges: ["shardCount"], retainOnDelete: args.retainOnDelete },
    );
    this.name = this.stream.name;
    this.arn = this.stream.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
