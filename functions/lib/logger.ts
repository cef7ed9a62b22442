import { Logger } from "@aws-lambda-powertools/logger";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { readLogLevel } from "./env";

/**
 * Structured JSON logger for a function (Powertools): one JSON object per line with level,
 * service, cold start and request id, which CloudWatch Logs Insights can query.
 * Level comes from POWERTOOLS_LOG_LEVEL (default INFO); tests silence it with LOG_LEVEL=SILENT.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName,
    logLevel: readLogLevel() as LogLevel,
  });
}

/**
 * A Lambda entry point whose log lines carry the invocation's context (request id, function name
 * and version, memory, cold start) and whose business figures are published once it ends.
 * What Powertools' `injectLambdaContext` (decorator or Middy middleware) and `logMetrics` do,
 * for a plain function handler: neither decorators (classes only) nor Middy (another package in
 * every bundle) fit our `makeHandler` functions. Figures are published even when the handler
 * throws (a failed batch still wrote rows), and only when there are any (Powertools warns on an
 * empty flush).
 */
export function withLambdaContext<E, R>(
  logger: Pick<Logger, "addContext">,
  handler: (event: E, context?: Context) => Promise<R>,
  metrics?: Pick<Metrics, "hasStoredMetrics" | "publishStoredMetrics">,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      return await handler(event, context);
    } finally {
      if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
