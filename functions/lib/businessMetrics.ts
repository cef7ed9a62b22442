/**
 * The business figures the functions and container apps publish (CloudWatch embedded metric
 * format, through Powertools Metrics) and the flow dashboards draw. Pure names: the function
 * component reads `FUNCTION_METRICS` and the container service component `CONTAINER_METRICS` to
 * add the widget, so a figure the code emits and the graph that shows it cannot drift apart.
 */
import { defineEnv, envString } from "./env";

export const BUSINESS_METRICS = {
  /** Rows the function wrote (new objects, events, aggregate rows). */
  itemsWritten: "ItemsWritten",
  /** Deliveries recognised as a repeat of one already written, and dropped. */
  duplicatesDropped: "DuplicatesDropped",
  /** Records given back to their source (batch item failures) or refused for good (poison). */
  recordsRefused: "RecordsRefused",
  /** Shard-count changes the autoscaler decided. */
  scalingDecisions: "ScalingDecisions",
} as const;

export type BusinessMetric = (typeof BUSINESS_METRICS)[keyof typeof BUSINESS_METRICS];

const { itemsWritten, duplicatesDropped, recordsRefused } = BUSINESS_METRICS;
const WRITES: readonly BusinessMetric[] = [itemsWritten, duplicatesDropped, recordsRefused];

/** The figures each function (its folder under functions/) publishes. */
export const FUNCTION_METRICS: Readonly<Record<string, readonly BusinessMetric[]>> = {
  "checksum-summary": WRITES,
  "file-indexer": WRITES,
  "items-api": WRITES,
  "metadata-indexer": WRITES,
  "object-processor": WRITES,
  "shard-autoscaler": [BUSINESS_METRICS.scalingDecisions],
  "stream-aggregator": WRITES,
  "stream-processor": WRITES,
};

/**
 * Dimension Powertools Metrics puts on every figure: the service, POWERTOOLS_SERVICE_NAME, which
 * the function (or container) component sets to its logical name (one series per function).
 */
export const SERVICE_DIMENSION = "service";

/**
 * What every function and container app is given for Powertools (written by their components,
 * read by Powertools itself): the `service` dimension of its figures, and their namespace.
 */
export const powertoolsEnv = defineEnv("powertools", {
  serviceName: envString("POWERTOOLS_SERVICE_NAME"),
  metricsNamespace: envString("POWERTOOLS_METRICS_NAMESPACE"),
});

/**
 * The figures each container app (its folder under functions/containers/) publishes: the write
 * APIs per request (functions/lib/requestFigures.ts), the order consumers per received batch
 * (rows written, redeliveries dropped, messages sent back for a retry). Last in this file, so
 * adding an app moves no line of what the Lambda bundles carry (their source maps stay as built).
 */
export const CONTAINER_METRICS: Readonly<Record<string, readonly BusinessMetric[]>> = {
  "billing-service": WRITES,
  "items-service": WRITES,
  "orders-service": WRITES,
  "shipping-service": WRITES,
};
