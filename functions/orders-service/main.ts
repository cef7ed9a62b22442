/**
 * Process entry of the orders container. Env: TABLE_NAME, TOPIC_ARN (required), PORT (default
 * 8080). SIGTERM: stop accepting, finish in-flight requests, exit.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { listenOrExit, shutdownOnSignal } from "../lib/container/lifecycle";
import { createLogger } from "../lib/logger";
import { documentClient, requireEnv } from "../lib/runtime";
import { createOrdersApp } from "./app";
import { OrdersService, snsPublisher } from "./orders";

const logger = createLogger("orders-service");
const service = new OrdersService({
  doc: documentClient(),
  tableName: requireEnv("TABLE_NAME"),
  publish: snsPublisher(new SNSClient({}), requireEnv("TOPIC_ARN")),
});
const app = createOrdersApp({ service, logger });
shutdownOnSignal([app], { logger });
listenOrExit(app, logger);
