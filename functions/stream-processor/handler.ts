/**
 * Kinesis consumer with the flow's business logic: drop duplicate events (within the batch and
 * across batches, via the dedupe table), store one row per event in the data table, and report
 * exactly the failed records (`ReportBatchItemFailures`). Idempotent, so bisected and retried
 * batches are safe. Env: DEDUPE_TABLE, DATA_TABLE (required), DEDUPE_TTL_SECONDS (default 86400),
 * CLAIM_CONCURRENCY (default 16).
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import type { Logger } from "@aws-lambda-powertools/logger";
import { createLogger } from "../lib/logger";
import { documentClient, lazy } from "../lib/runtime";
import { readStreamProcessorEnv } from "./env";
import { type ProcessorDeps, processBatch } from "./process";

/** Time kept back from the invocation deadline so the lease ends before a retry can start. */
const LEASE_MARGIN_MS = 1000;

export function makeHandler(deps: ProcessorDeps & { logger?: Pick<Logger, "info" | "warn"> }) {
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
    return response;
  };
}

const instance = lazy(() => {
  const env = readStreamProcessorEnv();
  return makeHandler({
    ddb: documentClient(),
    dedupeTable: env.dedupeTable,
    dataTable: env.dataTable,
    dedupeTtlSeconds: env.dedupeTtlSeconds,
    concurrency: env.claimConcurrency,
    logger: createLogger("stream-processor"),
  });
});

/** Lambda entry point: the client is created on the first invocation and reused after. */
export const handler: ReturnType<typeof makeHandler> = async (event, context) =>
  instance()(event, context);
