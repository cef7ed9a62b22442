/**
 * Real-shaped events for the S3-event handlers (built in scripts/harness/awsEvents.ts, which the
 * cold-start benchmark shares) and a silent logger; dynalite is in ./dynalite.
 */
import { Logger } from "@aws-lambda-powertools/logger";

export * from "../../../scripts/harness/awsEvents";

/** A logger that writes nothing (tests assert on results, not log lines). */
export const silentLogger = () => new Logger({ serviceName: "test", logLevel: "SILENT" });
