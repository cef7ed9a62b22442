import * as pulumi from "@pulumi/pulumi";
import { type BusinessMetric, SERVICE_DIMENSION } from "../../functions/lib/businessMetrics";
import { type MetricWidget, type WidgetLine, metric } from "./flowDashboard";

/**
 * A millisecond widget of one metric's p50 and p99 (latency, duration), then `extra` lines:
 * `line(stat, label)` draws the metric at a statistic.
 */
export function percentilesWidget(
  title: string,
  line: (stat: string, label: string) => WidgetLine,
  extra: WidgetLine[] = [],
  options: Omit<Partial<MetricWidget>, "title" | "lines"> = {},
): MetricWidget {
  return {
    title,
    unit: "ms",
    lines: [line("p50", "p50"), line("p99", "p99"), ...extra],
    ...options,
  };
}

/**
 * CloudWatch namespace of the business figures of functions and container apps (Powertools
 * Metrics, EMF): one per stack, so dev and prod (or two copies of a flow in one account) never
 * share a series.
 */
export function businessMetricsNamespace(): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * The graph of the business figures `names` that code publishes (FUNCTION_METRICS or
 * CONTAINER_METRICS of functions/lib/businessMetrics.ts), for the function or container service
 * whose POWERTOOLS_SERVICE_NAME is `service`; none when that code publishes none.
 */
export function businessFiguresWidgets(
  names: readonly BusinessMetric[] | undefined,
  service: string,
): MetricWidget[] {
  if (!names?.length) return [];
  const dimensions = { [SERVICE_DIMENSION]: service };
  return [
    {
      title: "Business figures",
      stat: "Sum",
      lines: names.map((n) => metric(businessMetricsNamespace(), n, dimensions)),
    },
  ];
}
