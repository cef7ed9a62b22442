import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import type { BusinessMetric } from "./businessMetrics";

export { BUSINESS_METRICS } from "./businessMetrics";

/** The part of Powertools Metrics a handler uses: tests pass a real `Metrics` or a recorder. */
export type FigureSink = Pick<Metrics, "addMetric">;

/**
 * Powertools Metrics for a function: namespace from POWERTOOLS_METRICS_NAMESPACE and the
 * `service` dimension from POWERTOOLS_SERVICE_NAME, both set by the function component
 * (components/compute/lambdaFunction.ts). The figures go out as one EMF JSON line on stdout per
 * invocation (`withLambdaContext` publishes them): CloudWatch Logs extracts the metrics, so no
 * PutMetricData call, no IAM grant and no latency
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html).
 */
export function createMetrics(): Metrics {
  return new Metrics();
}

/** Adds one Count per figure (zeros too, so a quiet batch is a 0 on the graph, not a gap). */
export function countFigures(
  metrics: FigureSink | undefined,
  figures: Partial<Record<BusinessMetric, number>>,
): void {
  if (!metrics) return;
  for (const [name, value] of Object.entries(figures)) {
    if (value !== undefined) metrics.addMetric(name, MetricUnit.Count, value);
  }
}
