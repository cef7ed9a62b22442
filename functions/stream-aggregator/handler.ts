/**
 * The serverless analytics stage: a Kinesis consumer with a tumbling window. Each invocation folds
 * its records into the window state Lambda carries between invocations; the final invocation of a
 * window writes one aggregate row per metric and shard to the aggregates table (idempotent puts, so
 * a retried final invocation rewrites the same rows). Invalid records are counted, never retried:
 * the stream processor is the stage that reports them.
 * Env: AGGREGATES_TABLE (required), AGGREGATES_TTL_SECONDS (default 30 days).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from "aws-lambda";
import { batchPut } from "../lib/dynamoBatch";
import type { Logger } from "@aws-lambda-powertools/logger";
import { createLogger, withLambdaContext } from "../lib/logger";
import { BUSINESS_METRICS, type FigureSink, countFigures, createMetrics } from "../lib/metrics";
import { documentClient, lazy } from "../lib/runtime";
import { readStreamAggregatorEnv } from "./env";
import { aggregateItems, foldRecords, restoreState, serializeState } from "./aggregate";

/** The tumbling-window event as Lambda sends it (the typings lack `shardId`). */
export type WindowEvent = KinesisStreamTumblingWindowEvent & { shardId?: string };

export interface AggregatorDeps {
  ddb: Pick<DynamoDBDocumentClient, "send">;
  table: string;
  ttlSeconds: number;
  now?: () => number;
  logger?: Pick<Logger, "info" | "error">;
  /** Aggregate rows written, duplicates dropped and records refused per window. Default: none. */
  metrics?: FigureSink;
}

function shardOf(event: WindowEvent): string {
  if (event.shardId) return event.shardId;
  const id = event.Records?.[0]?.eventID ?? "";
  return id.includes(":") ? id.slice(0, id.lastIndexOf(":")) : "unknown";
}

/**
 * Not Powertools' BatchProcessor: a tumbling window folds every record into the state Lambda
 * carries between invocations and writes the window's rows in one BatchWriteItem at its end; a
 * per-record handler has no window state, and no record of a window can fail on its own (invalid
 * ones are counted, the final write is retried whole).
 */
export function makeHandler(deps: AggregatorDeps) {
  return async (event: WindowEvent): Promise<KinesisStreamStateResponse> => {
    const state = foldRecords(restoreState(event.state), event.Records ?? []);
    if (!event.isFinalInvokeForWindow) {
      return { state: serializeState(state), batchItemFailures: [] };
    }
    const now = (deps.now ?? Date.now)();
    const items = aggregateItems(
      state,
      event.window,
      shardOf(event),
      Math.floor(now / 1000) + deps.ttlSeconds,
    );
    const failed = await batchPut(deps.ddb, deps.table, items, (i) => String(i.metric));
    const retryable = [...failed.values()].filter((f) => f.retryable);
    for (const [metric, f] of failed) {
      deps.logger?.error("aggregate row not written", { metric, window: event.window, ...f });
    }
    if (retryable.length > 0) {
      // Throwing retries the final invocation with the same state: the rows are simply rewritten.
      throw new Error(`stream-aggregator: ${retryable.length} aggregate rows were not written`);
    }
    // A row DynamoDB refuses for good is logged above: retrying would never close the window.
    countFigures(deps.metrics, {
      [BUSINESS_METRICS.itemsWritten]: items.length - failed.size,
      [BUSINESS_METRICS.duplicatesDropped]: state.duplicates,
      [BUSINESS_METRICS.recordsRefused]: state.rejected,
    });
    deps.logger?.info("window closed", {
      window: event.window,
      metrics: items.length,
      duplicates: state.duplicates,
      rejected: state.rejected,
      approximate: state.approximate,
      terminatedEarly: event.isWindowTerminatedEarly,
    });
    return { state: {}, batchItemFailures: [] };
  };
}

const logger = createLogger("stream-aggregator");
const metrics = createMetrics();
const instance = lazy(() => {
  const env = readStreamAggregatorEnv();
  return makeHandler({
    ddb: documentClient(),
    table: env.aggregatesTable,
    ttlSeconds: env.aggregatesTtlSeconds,
    logger,
    metrics,
  });
});

/** Lambda entry point: the client is created on the first invocation and reused after. */
export const handler = withLambdaContext(
  logger,
  (event: WindowEvent) => instance()(event),
  metrics,
);
