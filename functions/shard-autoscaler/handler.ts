/**
 * Shard autoscaler Lambda: invoked by the scaling alarms (through SNS) and by a schedule. Each
 * invocation runs the scaler once (runScaler: describe, decide, UpdateShardCount, alarms); a
 * failure is logged and backed off in the stream's ledger, never retried in a loop here, and the
 * function returns normally so no asynchronous retry storm follows, except an authorization
 * failure (IAM or KMS), which fails the invocation so the function's Errors alarm fires.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { createLogger, withLambdaContext } from "../lib/logger";
import { BUSINESS_METRICS, type FigureSink, countFigures, createMetrics } from "../lib/metrics";
import { AwsClients, awsPorts } from "./aws";
import { Trigger, parseTrigger } from "./events";
import { ScalerLog, ScalerOutcome, ScalerPorts, runScaler } from "./scaler";
import { readShardAutoscalerEnv } from "./env";
import { ScalerSettings } from "./settings";

export interface HandlerDeps {
  settings: () => ScalerSettings;
  /** SDK clients (created on first use). */
  clients?: () => AwsClients;
  /** Replaces the AWS ports entirely (tests of the orchestration). */
  ports?: ScalerPorts;
  now?: () => number;
  log?: ScalerLog;
  /** Scaling decisions (1 per run that decided to change the shard count). Default: none. */
  metrics?: FigureSink;
}

export interface HandlerResult {
  trigger: Trigger["kind"];
  outcome?: ScalerOutcome;
}

export function makeHandler(deps: HandlerDeps): (event: unknown) => Promise<HandlerResult> {
  let clients: AwsClients | undefined;
  let settings: ScalerSettings | undefined;
  const log = deps.log ?? { info: () => {}, warn: () => {} };
  return async (event) => {
    const trigger = parseTrigger(event);
    if (trigger.kind === "unknown") {
      log.warn("ignoring an event that is neither an alarm nor the schedule", {
        detail: trigger.detail,
      });
      return { trigger: trigger.kind };
    }
    settings ??= deps.settings();
    if (trigger.kind === "alarm") {
      log.info("alarm notification", {
        alarms: trigger.alarms.map((a) => `${a.alarmName}: ${a.oldState} -> ${a.newState}`),
      });
    }
    const ports =
      deps.ports ?? awsPorts((clients ??= (deps.clients ?? defaultClients)()), settings);
    const outcome = await runScaler({
      ports,
      config: settings.policy,
      now: (deps.now ?? Date.now)(),
      log,
    });
    countFigures(deps.metrics, {
      [BUSINESS_METRICS.scalingDecisions]: outcome.decision.action === "scale" ? 1 : 0,
    });
    return { trigger: trigger.kind, outcome };
  };
}

function defaultClients(): AwsClients {
  // The SDK's standard retry mode backs off on throttling; a few attempts fit the timeout.
  return {
    kinesis: new KinesisClient({ maxAttempts: 4 }),
    cloudwatch: new CloudWatchClient({ maxAttempts: 4 }),
  };
}

const logger = createLogger("shard-autoscaler");
const metrics = createMetrics();

const instance = makeHandler({
  settings: () => readShardAutoscalerEnv().settings,
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
  metrics,
});

/** Lambda entry point: request id on every log line, the decision published once it ends. */
export const handler = withLambdaContext(logger, (event: unknown) => instance(event), metrics);
