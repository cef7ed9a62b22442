/**
 * A downstream service of the event-driven flow as one container: a long-poll worker consuming the
 * service's own subscriber queue into its own table, and an HTTP server exposing the records.
 * `runConsumerService` is the process entry shared by billing and shipping.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BUSINESS_METRICS } from "../businessMetrics";
import { FigurePublisher, publishFigures } from "../container/figures";
import { ContainerServer, ServerLogger } from "../container/httpServer";
import { listenOrExit, shutdownOnSignal } from "../container/lifecycle";
import { QueueWorker, QueueWorkerOptions } from "../container/queueWorker";
import { createLogger } from "../logger";
import { createMetrics } from "../metrics";
import { documentClient } from "../runtime";
import { OrderProjection, ProjectedRecord, projectionRouter } from "./projection";
import type { OrderPlaced } from "./schema";

export interface ConsumerAppDeps {
  sqs: QueueWorkerOptions["sqs"];
  doc: Pick<DynamoDBDocumentClient, "send">;
  tableName: string;
  queueUrl: string;
  logger?: ServerLogger;
  /**
   * Where each received batch's business figures go: records written, redeliveries dropped (the
   * record was already there), messages sent back to the queue for a retry (and, after the
   * queue's maxReceiveCount, to its DLQ).
   * @default none
   */
  metrics?: FigurePublisher;
  /** Worker tuning (tests shorten the long poll). */
  worker?: Partial<Omit<QueueWorkerOptions, "sqs" | "queueUrl" | "handle" | "logger">>;
}

export interface ConsumerApp<R extends ProjectedRecord> {
  server: ContainerServer;
  worker: QueueWorker;
  projection: OrderProjection<R>;
}

export function createConsumerApp<R extends ProjectedRecord>(
  resource: string,
  project: (event: OrderPlaced) => R,
  deps: ConsumerAppDeps,
): ConsumerApp<R> {
  const projection = new OrderProjection({ doc: deps.doc, tableName: deps.tableName, project });
  // Outcomes of the batch in progress: the worker finishes a batch before it receives the next.
  const outcomes = { written: 0, duplicate: 0 };
  const worker = new QueueWorker({
    ...deps.worker,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    logger: deps.logger,
    handle: async (message) => {
      const outcome = await projection.apply(message);
      outcomes[outcome]++;
      deps.logger?.info("order event processed", { messageId: message.MessageId, outcome });
    },
    onBatch: (batch) => {
      publishFigures(
        deps.metrics,
        {
          [BUSINESS_METRICS.itemsWritten]: outcomes.written,
          [BUSINESS_METRICS.duplicatesDropped]: outcomes.duplicate,
          [BUSINESS_METRICS.recordsRefused]: batch.failed,
        },
        deps.logger,
      );
      outcomes.written = outcomes.duplicate = 0;
    },
  });
  const server = new ContainerServer({
    logger: deps.logger,
    handler: projectionRouter(resource, projection),
    // Unhealthy once the worker has stopped: ECS replaces a task that no longer consumes.
    isHealthy: () => worker.running,
  });
  return { server, worker, projection };
}

/** Process entry; `env` is what the service's env.ts read (PORT: functions/lib/container/env.ts). */
export function runConsumerService<R extends ProjectedRecord>(
  serviceName: string,
  resource: string,
  project: (event: OrderPlaced) => R,
  env: { tableName: string; queueUrl: string },
): void {
  const logger = createLogger(serviceName);
  const app = createConsumerApp(resource, project, {
    sqs: new SQSClient({}),
    doc: documentClient(),
    tableName: env.tableName,
    queueUrl: env.queueUrl,
    logger,
    metrics: createMetrics(),
  });
  // Both stop at once: the server stops accepting, the worker stops polling; both finish in flight.
  shutdownOnSignal([app.server, app.worker], { logger });
  app.worker.start();
  listenOrExit(app.server, logger, { resource });
}
