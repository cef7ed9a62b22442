/**
 * Process entry of the items container (bundled by its Dockerfile). Env: TABLE_NAME (required),
 * PORT (default 8080). SIGTERM: stop accepting, finish in-flight requests, exit.
 */
import { listenOrExit, shutdownOnSignal } from "../lib/container/lifecycle";
import { createItemsService } from "../lib/items";
import { createLogger } from "../lib/logger";
import { requireEnv } from "../lib/runtime";
import { createItemsApp } from "./app";

const logger = createLogger("items-service");
const app = createItemsApp({ service: createItemsService(requireEnv("TABLE_NAME")), logger });
shutdownOnSignal([app], { logger });
listenOrExit(app, logger);
