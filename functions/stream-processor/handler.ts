/**
 * Kinesis consumer with the flow's business logic: drop duplicate events (within the batch and
 * across batches, via the dedupe table), store one row per event in the data table, and report
 * exactly the failed records (`ReportBatchItemFailures`). Idempotent, so bisected and retried
 * batches are safe. Env: DEDUPE_TABLE, DATA_TABLE (required), DEDUPE_TTL_SECONDS (default 86400),
 * CLAIM_CONCURRENCY (default 16).
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import type { Logger } from "@aws-lambda-powertools/logger";
import { createLogger, withLambdaContext } from "../lib/logger";
import { BUSINESS_METRICS, type FigureSink, countFigures, createMetrics } from "../lib/metrics";
import { documentClient, lazy } from "../lib/runtime";
import { readStreamProcessorEnv } from "./env";
import { type ProcessorDeps, processBatch } from "./process";

/** Time kept back from the invocation deadline so the lease ends before a retry can start. */
const LEASE_MARGIN_MS = 1000;

/**
 * Not Powertools' BatchProcessor: its record handler sees one record at a time, and this protocol
 * (process.ts) is whole-batch by design: in-batch de-duplication across records, conditional
 * claims with bounded concurrency, then one BatchWriteItem per 25 rows that reports only the
 * items DynamoDB left unprocessed. Per-record handling would cost a PutItem per row instead of
 * N/25 requests and could not drop a duplicate that appears later in the same batch.
 */
export function makeHandler(
  deps: ProcessorDeps & { logger?: Pick<Logger, "info" | "warn">; metrics?: FigureSink },
) {
  return async (
    event: KinesisStreamEvent,
    context?: Pick<Context, "getRemainingTimeInMillis">,
  ): Promise<KinesisStreamBatchResponse> => {
    const now = (deps.now ?? Date.now)();
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    const { response, stats } = await processBatch(
      event.Records ?? [],
      now + remaining + LEASE_MARGIN_MS,
      {
        ...deps,
        onFailure: (sequenceNumber: string, reason: string) =>
          deps.logger?.warn("record failed", { sequenceNumber, reason }),
      },
    );
    deps.logger?.info("batch processed", { ...stats });
    countFigures(deps.metrics, {
      [BUSINESS_METRICS.itemsWritten]: stats.written,
      [BUSINESS_METRICS.duplicatesDropped]: stats.inBatchDuplicates + stats.crossBatchDuplicates,
      [BUSINESS_METRICS.recordsRefused]: stats.failed,
    });
    return response;
  };
}

// No Powertools Tracer on the client: +127 KiB (248 -> 375 KiB), over the 350 KiB budget.
const logger = createLogger("stream-processor");
const metrics = createMetrics();
const instance = lazy(() => {
  const env = readStreamProcessorEnv();
  return makeHandler({
    ddb: documentClient(),
    dedupeTable: env.dedupeTable,
    dataTable: env.dataTable,
    dedupeTtlSeconds: env.dedupeTtlSeconds,
    concurrency: env.claimConcurrency,
    logger,
    metrics,
  });
});

/** Lambda entry point: the client is created on the first invocation and reused after. */
export const handler = withLambdaContext(
  logger,
  (event: KinesisStreamEvent, context?: Context) => instance()(event, context),
  metrics,
);
