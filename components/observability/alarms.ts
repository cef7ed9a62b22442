import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALARM_EVALUATION_PERIODS, ALARM_PERIOD_SECONDS } from "../core/defaults";
import { Transform, transform } from "../core/transform";

/** What every "something is wrong" alarm needs to know beyond its metric. */
export interface AlarmSpec {
  /** Alarm description: what broke and where to look. */
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  /**
   * @default Sum
   */
  statistic?: string;
  /**
   * @default 1 (alarm on the first occurrence)
   */
  threshold?: number;
  /**
   * @default GreaterThanOrEqualToThreshold
   */
  comparisonOperator?: string;
  /**
   * @default 60 s
   */
  period?: number;
  /**
   * @default 5 evaluation periods, of which `datapointsToAlarm` (default 1) must breach
   */
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
}

/**
 * Creates a metric alarm that notifies `topicArn` on ALARM and OK. Missing data is "not
 * breaching": an idle resource is healthy, not broken.
 */
export function metricAlarm(
  name: string,
  spec: AlarmSpec,
  topicArn: pulumi.Input<string>,
  parent: pulumi.Resource,
  hook?: Transform<aws.cloudwatch.MetricAlarmArgs>,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    ...transform(
      hook,
      name,
      {
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic ?? "Sum",
        threshold: spec.threshold ?? 1,
        comparisonOperator: spec.comparisonOperator ?? "GreaterThanOrEqualToThreshold",
        period: spec.period ?? ALARM_PERIOD_SECONDS,
        evaluationPeriods: spec.evaluationPeriods ?? ALARM_EVALUATION_PERIODS,
        datapointsToAlarm: spec.datapointsToAlarm ?? 1,
        treatMissingData: "notBreaching",
        alarmActions: [topicArn],
        okActions: [topicArn],
      },
      { parent },
    ),
  );
}
