/**
 * Kinesis consumer with the flow's business logic: drop duplicate events (within the batch and
 * across batches, via the dedupe table), store one row per event in the data table, and report
 * exactly the failed records (`ReportBatchItemFailures`). Idempotent, so bisected and retried
 * batches are safe. Env: DEDUPE_TABLE, DATA_TABLE (required), DEDUPE_TTL_SECONDS (default 86400),
 * CLAIM_CONCURRENCY (default 16).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import type { Logger } from "@aws-lambda-powertools/logger";
import { createLogger } from "../lib/logger";
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

/** Environment variable `name`, or a clear error naming it. */
function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`stream-processor: ${name} is not set`);
  return v;
}

type Handler = ReturnType<typeof makeHandler>;
let cached: Handler | undefined;

/** Lambda entry point: the client is created on the first invocation and reused after. */
export const handler: Handler = async (event, context) => {
  if (!cached) {
    cached = makeHandler({
      ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      dedupeTable: required("DEDUPE_TABLE"),
      dataTable: required("DATA_TABLE"),
      dedupeTtlSeconds: Number(process.env.DEDUPE_TTL_SECONDS ?? 86_400),
      concurrency: Number(process.env.CLAIM_CONCURRENCY ?? 16),
      logger: createLogger("stream-processor"),
    });
  }
  return cached(event, context);
};
