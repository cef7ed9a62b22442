/**
 * Process entry of the orders container. Env: see ./env.ts. SIGTERM: stop accepting, finish in-flight requests, exit.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { listenOrExit, shutdownOnSignal } from "../../lib/container/lifecycle";
import { createLogger } from "../../lib/logger";
import { createMetrics } from "../../lib/metrics";
import { documentClient } from "../../lib/runtime";
import { createOrdersApp } from "./app";
import { readOrdersServiceEnv } from "./env";
import { OrdersService, snsPublisher } from "./orders";

const logger = createLogger("orders-service");
const env = readOrdersServiceEnv();
const service = new OrdersService({
  doc: documentClient(),
  tableName: env.tableName,
  publish: snsPublisher(new SNSClient({}), env.topicArn),
});
const app = createOrdersApp({ service, logger, metrics: createMetrics() });
shutdownOnSignal([app], { logger });
listenOrExit(app, logger);
