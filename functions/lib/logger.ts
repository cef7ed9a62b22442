import { Logger } from "@aws-lambda-powertools/logger";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";
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
