import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmDefinition, alarmDefinitions } from "../../functions/shard-autoscaler/alarmSpec";
import { LEDGER_TAGS } from "../../functions/shard-autoscaler/ledger";
import type { PolicyConfig } from "../../functions/shard-autoscaler/policy";
import type { ScalerSettings } from "../../functions/shard-autoscaler/settings";
import { shardAutoscalerEnvironment } from "../../functions/shard-autoscaler/env";
import { SHARD_AUTOSCALER_TIMEOUT_SECONDS } from "../core/defaults";
import { PlannedComponent } from "../core/component";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { alarmEncryptedTopic, alarmTopicPolicy } from "../observability/alarmTopic";
import { Statement, allow } from "../security/iam";
import { kinesisStreamWidgets } from "./kinesisPipeline";
import type { ServiceKey } from "../security/kmsKey";
import { BundledFunction } from "../compute/lambdaFunction";
import { Transform, transform } from "../core/transform";
import { operationsOf } from "../core/operations";
import {
  ShardAutoscalerArgs,
  ShardAutoscalerPlan,
  planShardAutoscaler,
} from "./shardAutoscalerArgs";

/** Tag keys the scaler writes on the stream (its operations ledger). */
export const SHARD_AUTOSCALER_TAG_KEYS: readonly string[] = Object.values(LEDGER_TAGS);
/** The prefix of those keys: give it to the provider's `ignoreTags.keyPrefixes`. */
export const SHARD_AUTOSCALER_TAG_PREFIX = "shard-autoscaler/";

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
export class ShardAutoscaler extends PlannedComponent<ShardAutoscalerArgs, ShardAutoscalerPlan> {
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
    super("serverless:streaming:ShardAutoscaler", name, args, planShardAutoscaler, opts);
    this.policy = this.plan.policy;
    this.logicalName = name;
    this.streamName = args.stream.name;

    const scaling = alarmEncryptedTopic(
      `${name}-scaling`,
      {
        keyDescription: `Encrypts the scaling topic of shard autoscaler ${name}`,
        displayName: "Shard scaling",
        transform: { key: this.t.key, topic: this.t.topic },
      },
      this,
    );
    this.key = scaling.key;
    this.topic = scaling.topic;
    [this.upAlarm, this.downAlarm] = this.createAlarms();
    this.topicPolicy = this.createTopicPolicy(scaling.account);
    this.function = this.createFunction();
    this.createInvokeConfig();
    this.subscription = this.createSubscription();
    this.schedule = this.createSchedule();

    this.registerOutputs({
      functionName: this.function.name,
      topicArn: this.topic.arn,
      upAlarmName: this.upAlarm.name,
      downAlarmName: this.downAlarm.name,
    });
  }

  /** The scale-up and scale-down alarms, first written for the stream's current shard count. */
  private createAlarms(): [aws.cloudwatch.MetricAlarm, aws.cloudwatch.MetricAlarm] {
    const policy = this.policy;
    const definitions = pulumi
      .all([this.args.stream.name, this.args.shardCount])
      .apply(([streamName, n]) => alarmDefinitions(streamName, n, policy));
    const alarm = (
      suffix: "up" | "down",
      pick: (d: { up: AlarmDefinition; down: AlarmDefinition }) => AlarmDefinition,
      hook?: Transform<aws.cloudwatch.MetricAlarmArgs>,
    ) => {
      const def = definitions.apply(pick);
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          hook,
          `${this.logicalName}-scale-${suffix}`,
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
          // The scaler rewrites the math (and description) for every new shard count.
          { parent: this, ignoreChanges: ["metricQueries", "alarmDescription"] },
        ),
      );
    };
    return [
      alarm("up", (d) => d.up, this.t.upAlarm),
      alarm("down", (d) => d.down, this.t.downAlarm),
    ];
  }

  /** Only the two alarms may publish, and only over TLS. */
  private createTopicPolicy(account: pulumi.Input<string>): aws.sns.TopicPolicy {
    return alarmTopicPolicy(
      `${this.logicalName}-scaling`,
      this.topic.arn,
      {
        sid: "ScalingAlarmsPublish",
        condition: {
          StringEquals: { "aws:SourceAccount": account },
          ArnEquals: { "aws:SourceArn": pulumi.all([this.upAlarm.arn, this.downAlarm.arn]) },
        },
      },
      this.t.topicPolicy,
      this,
    );
  }

  /** The scaler: its typed settings and a role that reaches this stream and these alarms only. */
  private createFunction(): BundledFunction {
    const stream = this.args.stream;
    const settings: { [K in keyof ScalerSettings]: pulumi.Input<ScalerSettings[K]> } = {
      streamName: stream.name,
      streamArn: stream.arn,
      upAlarmName: this.upAlarm.name,
      downAlarmName: this.downAlarm.name,
      alarmActionArn: this.topic.arn,
      policy: this.policy,
    };
    return new BundledFunction(
      this.logicalName,
      {
        code: "shard-autoscaler",
        description: `Shard autoscaler ${this.logicalName}: UpdateShardCount and alarm rewrites for its stream`,
        timeout: SHARD_AUTOSCALER_TIMEOUT_SECONDS,
        environment: shardAutoscalerEnvironment<pulumi.Output<string>>({
          settings: pulumi.jsonStringify(settings),
        }),
        statements: this.statements(),
        ...operationsOf(this.args),
        transform: this.t.function,
      },
      { parent: this },
    );
  }

  private statements(): Statement[] {
    return [
      allow(
        ["kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream", "kinesis:AddTagsToStream"],
        [this.args.stream.arn],
      ),
      // The Service Authorization Reference lists no resource type for UpdateShardCount
      // (docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html):
      // only "*" authorises it, so it stands alone in its statement.
      allow(["kinesis:UpdateShardCount"], ["*"]),
      allow(
        ["cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState"],
        [this.upAlarm.arn, this.downAlarm.arn],
      ),
      // GetMetricData's only resource type is the optional CloudWatch "dataset"; reading
      // AWS/Kinesis metrics names none, so only "*" matches (list_amazoncloudwatch.html).
      allow(["cloudwatch:GetMetricData"], ["*"]),
    ];
  }

  /**
   * A stale trigger is worthless (the next tick comes within minutes) and a retried one could
   * pile up behind a slow AWS call: no async retries, events older than a minute dropped.
   */
  private createInvokeConfig(): aws.lambda.FunctionEventInvokeConfig {
    return new aws.lambda.FunctionEventInvokeConfig(
      ...transform(
        this.t.eventInvokeConfig,
        this.logicalName,
        { functionName: this.function.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
        { parent: this },
      ),
    );
  }

  /** The alarms' notifications invoke the scaler. */
  private createSubscription(): aws.sns.TopicSubscription {
    const name = this.logicalName;
    new aws.lambda.Permission(
      ...transform(
        this.t.snsPermission,
        `${name}-sns`,
        {
          action: "lambda:InvokeFunction",
          function: this.function.name,
          principal: "sns.amazonaws.com",
          sourceArn: this.topic.arn,
        },
        { parent: this },
      ),
    );
    return new aws.sns.TopicSubscription(
      ...transform(
        this.t.subscription,
        `${name}-scaling`,
        { topic: this.topic.arn, protocol: "lambda", endpoint: this.function.arn },
        { parent: this },
      ),
    );
  }

  /** The schedule that continues multi-step changes and reconciles the alarms. */
  private createSchedule(): aws.cloudwatch.EventRule {
    const name = this.logicalName;
    const minutes = this.plan.scheduleMinutes;
    const rule = new aws.cloudwatch.EventRule(
      ...transform(
        this.t.schedule,
        `${name}-schedule`,
        {
          description: `Runs shard autoscaler ${name}: continues multi-step changes, reconciles alarms`,
          scheduleExpression: minutes === 1 ? "rate(1 minute)" : `rate(${minutes} minutes)`,
        },
        { parent: this },
      ),
    );
    new aws.lambda.Permission(
      ...transform(
        this.t.schedulePermission,
        `${name}-schedule`,
        {
          action: "lambda:InvokeFunction",
          function: this.function.name,
          principal: "events.amazonaws.com",
          sourceArn: rule.arn,
        },
        { parent: this },
      ),
    );
    new aws.cloudwatch.EventTarget(
      ...transform(
        this.t.scheduleTarget,
        `${name}-schedule`,
        { rule: rule.name, arn: this.function.arn },
        { parent: this },
      ),
    );
    return rule;
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
