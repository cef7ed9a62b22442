/**
 * Process entry of the items container (bundled by its Dockerfile). Env: see ./env.ts. SIGTERM: stop accepting, finish in-flight requests, exit.
 */
import { listenOrExit, shutdownOnSignal } from "../../lib/container/lifecycle";
import { createItemsService } from "../../lib/items";
import { createLogger } from "../../lib/logger";
import { createMetrics } from "../../lib/metrics";
import { createItemsApp } from "./app";
import { readItemsServiceEnv } from "./env";

const logger = createLogger("items-service");
const app = createItemsApp({
  service: createItemsService(readItemsServiceEnv().tableName),
  logger,
  metrics: createMetrics(),
});
shutdownOnSignal([app], { logger });
listenOrExit(app, logger);
