import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SCALE_IN_COOLDOWN_SECONDS, SCALE_OUT_COOLDOWN_SECONDS } from "../core/defaults";
import { transform, Transforms } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import { metricAlarm } from "../observability/alarms";
import type { FargateService } from "./fargateService";

/** Visible messages per running task that target tracking holds. */
export const BACKLOG_PER_TASK = 100;
/** The oldest message's age (s) above which tasks are added at once, whatever the backlog. */
export const SCALE_OUT_AGE_SECONDS = 120;
/** The oldest message's age (s) that pages the alarm topic: the workers are not keeping up. */
export const QUEUE_AGE_ALARM_SECONDS = 600;

export interface QueueScalingSettings {
  /** Visible messages per running task to hold (target tracking). Default: 100 (`BACKLOG_PER_TASK`). */
  backlogPerTask?: number;
  /** Oldest message age (s) that adds tasks by steps. Default: 120 (`SCALE_OUT_AGE_SECONDS`). */
  scaleOutAgeSeconds?: number;
  /** Oldest message age (s) that raises the alarm. Default: 600 (`QUEUE_AGE_ALARM_SECONDS`). */
  alarmAgeSeconds?: number;
}

/** One step of a step-scaling policy, bounds relative to the alarm threshold. */
export interface AgeStep {
  lower: number;
  upper?: number;
  /** Tasks to add. */
  add: number;
}

/**
 * The age steps: from the scale-out age to twice it, one task more; up to the alarm age, two;
 * beyond, four (a stuck backlog needs capacity faster than one task a minute). Pure.
 */
export function ageSteps(scaleOutAgeSeconds: number, alarmAgeSeconds: number): AgeStep[] {
  const first = Math.min(scaleOutAgeSeconds, alarmAgeSeconds - scaleOutAgeSeconds);
  return [
    { lower: 0, upper: first, add: 1 },
    { lower: first, upper: alarmAgeSeconds - scaleOutAgeSeconds, add: 2 },
    { lower: alarmAgeSeconds - scaleOutAgeSeconds, add: 4 },
  ].filter((s) => s.upper === undefined || s.upper > s.lower);
}

/** Every problem with the settings, before anything is created. */
export function checkQueueScaling(
  errors: ArgumentErrors,
  s: Required<QueueScalingSettings>,
  containerInsights: boolean,
): ArgumentErrors {
  return errors
    .checkPositiveInteger(s.backlogPerTask, "backlogPerTask", "use e.g. 100 messages per task")
    .check(
      Number.isInteger(s.scaleOutAgeSeconds) && s.scaleOutAgeSeconds >= 60,
      "scaleOutAgeSeconds",
      `${s.scaleOutAgeSeconds} is below 60 s (SQS publishes the age once a minute)`,
      "use 60 or more",
    )
    .check(
      s.alarmAgeSeconds > s.scaleOutAgeSeconds,
      "alarmAgeSeconds",
      `${s.alarmAgeSeconds} is not above scaleOutAgeSeconds (${s.scaleOutAgeSeconds})`,
      "alarm only once scaling out had its chance",
    )
    .check(
      containerInsights,
      "service",
      "the cluster has Container Insights off, so RunningTaskCount (the backlog's divisor) does not exist",
      "turn containerInsights on for the cluster",
    );
}

export interface QueueScalingArgs extends QueueScalingSettings {
  /** The worker service; its scalable target is reused. Required. */
  service: FargateService;
  /** Name of the queue it consumes. Required. */
  queueName: pulumi.Input<string>;
  /** Topic for the queue-age alarm. Required. */
  alarmTopicArn: pulumi.Input<string>;
  /** Override hooks. Default: none. */
  transform?: Transforms<{
    policy: aws.appautoscaling.PolicyArgs;
    alarm: aws.cloudwatch.MetricAlarmArgs;
  }>;
}

/** What was created: two policies, the alarm that drives the step one, and the queue-age alarm. */
export interface QueueScaling {
  backlogPolicy: aws.appautoscaling.Policy;
  agePolicy: aws.appautoscaling.Policy;
  scaleOutAlarm: aws.cloudwatch.MetricAlarm;
  ageAlarm: aws.cloudwatch.MetricAlarm;
}

/**
 * Scales a queue worker on its queue: target tracking on the backlog per task (metric math:
 * ApproximateNumberOfMessagesVisible / RunningTaskCount), the pattern AWS documents for SQS
 * workers; step scaling on ApproximateAgeOfOldestMessage, which adds tasks when messages wait
 * too long even if the backlog is small (slow messages); and an alarm to the alarm topic when the
 * oldest message is older than `alarmAgeSeconds`. The service's CPU and request policies stay: it
 * scales in only when every policy agrees.
 * https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html
 */
export function addQueueScaling(name: string, args: QueueScalingArgs): QueueScaling {
  const s: Required<QueueScalingSettings> = {
    backlogPerTask: args.backlogPerTask ?? BACKLOG_PER_TASK,
    scaleOutAgeSeconds: args.scaleOutAgeSeconds ?? SCALE_OUT_AGE_SECONDS,
    alarmAgeSeconds: args.alarmAgeSeconds ?? QUEUE_AGE_ALARM_SECONDS,
  };
  const { service } = args;
  checkQueueScaling(
    new ArgumentErrors("QueueScaling", name),
    s,
    service.cluster.containerInsights,
  ).throwIfAny();
  const parent = service;
  const target = service.scalingTarget;
  const scalable = {
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
  };
  const queueDimension = [{ name: "QueueName", value: args.queueName }];
  const policy = (n: string, policyArgs: aws.appautoscaling.PolicyArgs) =>
    new aws.appautoscaling.Policy(
      ...transform(args.transform?.policy, n, policyArgs, {
        parent,
      }),
    );

  const backlogPolicy = policy(`${name}-backlog`, {
    ...scalable,
    policyType: "TargetTrackingScaling",
    targetTrackingScalingPolicyConfiguration: {
      targetValue: s.backlogPerTask,
      scaleInCooldown: SCALE_IN_COOLDOWN_SECONDS,
      scaleOutCooldown: SCALE_OUT_COOLDOWN_SECONDS,
      customizedMetricSpecification: {
        metrics: [
          {
            id: "visible",
            label: "Messages visible",
            returnData: false,
            metricStat: {
              metric: {
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: queueDimension,
              },
              stat: "Sum",
            },
          },
          {
            id: "tasks",
            label: "Running tasks",
            returnData: false,
            metricStat: {
              metric: {
                namespace: "ECS/ContainerInsights",
                metricName: "RunningTaskCount",
                dimensions: [
                  { name: "ClusterName", value: service.cluster.cluster.name },
                  { name: "ServiceName", value: service.serviceName },
                ],
              },
              stat: "Average",
            },
          },
          // At least one task runs (minCount >= 1), so the divisor is never 0.
          {
            id: "backlog",
            label: "Backlog per task",
            expression: "visible / tasks",
            returnData: true,
          },
        ],
      },
    },
  });

  const agePolicy = policy(`${name}-age`, {
    ...scalable,
    policyType: "StepScaling",
    stepScalingPolicyConfiguration: {
      adjustmentType: "ChangeInCapacity",
      cooldown: SCALE_OUT_COOLDOWN_SECONDS,
      metricAggregationType: "Maximum",
      stepAdjustments: ageSteps(s.scaleOutAgeSeconds, s.alarmAgeSeconds).map((step) => ({
        metricIntervalLowerBound: String(step.lower),
        metricIntervalUpperBound: step.upper === undefined ? undefined : String(step.upper),
        scalingAdjustment: step.add,
      })),
    },
  });

  const ageMetric = {
    namespace: "AWS/SQS",
    metricName: "ApproximateAgeOfOldestMessage",
    dimensions: { QueueName: args.queueName },
    statistic: "Maximum",
    comparisonOperator: "GreaterThanOrEqualToThreshold",
  };
  const scaleOutName = `${name}-age-scale-out`;
  const scaleOutAlarm = new aws.cloudwatch.MetricAlarm(
    ...transform(
      args.transform?.alarm,
      scaleOutName,
      {
        alarmDescription: `Messages of ${name}'s queue wait ${s.scaleOutAgeSeconds} s or more: add tasks (drives the step scaling policy)`,
        ...ageMetric,
        threshold: s.scaleOutAgeSeconds,
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: "notBreaching",
        alarmActions: [agePolicy.arn],
      },
      { parent },
    ),
  );
  const ageAlarm = metricAlarm(
    `${name}-queue-age`,
    {
      ...ageMetric,
      description: `The oldest message of ${name}'s queue is ${s.alarmAgeSeconds} s old or more: the workers do not keep up (at max tasks, raise maxCount) or fail on it (see the DLQ)`,
      threshold: s.alarmAgeSeconds,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    },
    args.alarmTopicArn,
    parent,
    args.transform?.alarm,
  );
  return { backlogPolicy, agePolicy, scaleOutAlarm, ageAlarm };
}
