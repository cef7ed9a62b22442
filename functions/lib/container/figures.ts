/**
 * Business figures of a long-running container app (Powertools Metrics, EMF). A Lambda
 * invocation ends and `withLambdaContext` flushes; a container process does not end, so the
 * figures of each request (or each received batch) are added and published in one synchronous
 * step: concurrent requests never share an EMF line, and nothing waits in memory for a task that
 * may be stopped.
 *
 * The EMF line goes to stdout. The task's awslogs driver (components/containers, containerDefinition)
 * sends stdout to the service's log group
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html) with
 * PutLogEvents, the call its execution role is granted, and CloudWatch Logs extracts the metrics
 * of EMF events put that way, no CloudWatch agent and no header needed
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html).
 */
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { BusinessMetric } from "../businessMetrics";
import { type FigureSink, countFigures } from "../metrics";
import { requestFigures } from "../requestFigures";
import type { HttpRequest, HttpResponse, ServerLogger } from "./httpServer";

/** What a container app publishes through: a Powertools `Metrics`, or a recorder in tests. */
export type FigurePublisher = FigureSink &
  Pick<Metrics, "hasStoredMetrics" | "publishStoredMetrics">;

/**
 * Adds `figures` and publishes them at once. Never throws: a figure that could not be published
 * is a warning in the logs, not a failed request or a stopped worker.
 */
export function publishFigures(
  metrics: FigurePublisher | undefined,
  figures: Partial<Record<BusinessMetric, number>>,
  logger?: ServerLogger,
): void {
  if (!metrics) return;
  try {
    countFigures(metrics, figures);
    // Powertools warns on an empty flush.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  } catch (e) {
    logger?.warn("business figures not published", {
      error: e instanceof Error ? e.message : String(e),
    });
  }
}

/**
 * A `ContainerServer` `onResponse` that publishes each request's figures (`requestFigures`):
 * the responses the server gives itself (413, a malformed target) count as refusals too.
 */
export function publishRequestFigures(
  metrics: FigurePublisher | undefined,
  logger?: ServerLogger,
): (req: Pick<HttpRequest, "method">, res: HttpResponse) => void {
  return (req, res) => publishFigures(metrics, requestFigures(req.method, res), logger);
}
