import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import type { Transform } from "../core/transform";
import { ALARM_EVALUATION_PERIODS, CONTAINER_UTILIZATION_ALARM_PERCENT } from "../core/defaults";
import { CONTAINER_METRICS } from "../../functions/lib/businessMetrics";
import { DashboardRow, MetricWidget, metric } from "../observability/flowDashboard";
import { businessFiguresWidgets } from "../observability/widgets";
import type { FargateCluster } from "./fargateCluster";

/** What a service's dashboard row reads: its cluster, ECS service and target group. */
export interface ServiceMetricsSource {
  cluster: FargateCluster;
  service: aws.ecs.Service;
  targetGroup?: aws.lb.TargetGroup;
}

/** Which app a service runs and the `service` of its figures (its POWERTOOLS_SERVICE_NAME). */
export interface ServiceFigures {
  app?: string;
  service: string;
}

/**
 * Dashboard row: CPU and memory against the alarm threshold, running tasks (Container
 * Insights), behind the load balancer healthy targets, requests, 5xx and response time, and the
 * business figures its app publishes (CONTAINER_METRICS), when it publishes any.
 */
export function fargateServiceWidgets(
  s: ServiceMetricsSource,
  title: string,
  figures?: ServiceFigures,
): DashboardRow[] {
  const service = { ClusterName: s.cluster.cluster.name, ServiceName: s.service.name };
  const widgets: MetricWidget[] = [
    {
      title: "CPU and memory (%)",
      unit: "%",
      stat: "Average",
      lines: [
        metric("AWS/ECS", "CPUUtilization", service, { label: "CPU avg" }),
        metric("AWS/ECS", "CPUUtilization", service, { label: "CPU max", stat: "Maximum" }),
        metric("AWS/ECS", "MemoryUtilization", service, { label: "memory avg" }),
      ],
      thresholds: [{ label: "alarm", value: CONTAINER_UTILIZATION_ALARM_PERCENT }],
    },
  ];
  const tasks = s.cluster.containerInsights
    ? [
        metric("ECS/ContainerInsights", "RunningTaskCount", service, { label: "running tasks" }),
        metric("ECS/ContainerInsights", "DesiredTaskCount", service, { label: "desired tasks" }),
      ]
    : [];
  if (s.targetGroup) {
    const target = {
      TargetGroup: s.targetGroup.arnSuffix,
      LoadBalancer: s.cluster.loadBalancer.arnSuffix,
    };
    const lb = (metricName: string, label: string, stat?: string) =>
      metric("AWS/ApplicationELB", metricName, target, { label, stat });
    widgets.push(
      {
        title: "Tasks and targets",
        stat: "Maximum",
        lines: [
          ...tasks,
          lb("HealthyHostCount", "healthy targets"),
          lb("UnHealthyHostCount", "unhealthy targets"),
        ],
      },
      {
        title: "Requests and errors",
        lines: [
          lb("RequestCount", "requests"),
          lb("HTTPCode_Target_4XX_Count", "4xx"),
          lb("HTTPCode_Target_5XX_Count", "5xx"),
        ],
      },
      {
        title: "Response time (s)",
        unit: "s",
        lines: [lb("TargetResponseTime", "p50", "p50"), lb("TargetResponseTime", "p99", "p99")],
      },
    );
  } else if (tasks.length > 0) {
    widgets.push({ title: "Tasks", stat: "Maximum", lines: tasks });
  }
  if (figures?.app) {
    widgets.push(...businessFiguresWidgets(CONTAINER_METRICS[figures.app], figures.service));
  }
  return [{ title, widgets }];
}

/** CPU and memory high; behind the load balancer, unhealthy targets and target 5xx. */
export function createServiceAlarms(
  s: ServiceMetricsSource & { name: string; healthPath: string; stackName: string },
  topicArn: pulumi.Input<string>,
  parent: pulumi.Resource,
  hook?: Transform<aws.cloudwatch.MetricAlarmArgs>,
): aws.cloudwatch.MetricAlarm[] {
  const name = s.name;
  const ecs = { ClusterName: s.cluster.cluster.name, ServiceName: s.service.name };
  const utilization = (metricName: string, what: string, fix: string) => ({
    description: `Service ${name} has ${what} above ${CONTAINER_UTILIZATION_ALARM_PERCENT}% ${metricName === "CPUUtilization" ? "CPU" : "memory"} for ${ALARM_EVALUATION_PERIODS} minutes (${fix})`,
    namespace: "AWS/ECS",
    metricName,
    dimensions: ecs,
    statistic: "Average",
    threshold: CONTAINER_UTILIZATION_ALARM_PERCENT,
    datapointsToAlarm: ALARM_EVALUATION_PERIODS,
  });
  const alarm = (n: string, spec: Parameters<typeof metricAlarm>[1]) =>
    metricAlarm(`${name}-${n}`, spec, topicArn, parent, hook);
  const alarms = [
    alarm("cpu-high", utilization("CPUUtilization", "run", "at max tasks, raise maxCount or cpu")),
    alarm("memory-high", utilization("MemoryUtilization", "used", "raise memory")),
  ];
  if (s.targetGroup) {
    const lb = {
      TargetGroup: s.targetGroup.arnSuffix,
      LoadBalancer: s.cluster.loadBalancer.arnSuffix,
    };
    alarms.push(
      alarm("unhealthy", {
        description: `Service ${name} has targets failing the load balancer health check on ${s.healthPath}`,
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensions: lb,
        statistic: "Maximum",
      }),
      alarm("5xx", {
        description: `Service ${name} answered 5xx (see log group /ecs/${s.stackName}/${name})`,
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions: lb,
      }),
    );
  }
  return alarms;
}
