/**
 * Process entry of the items container (bundled by its Dockerfile). Env: TABLE_NAME (required),
 * PORT (default 8080). SIGTERM: stop accepting, finish in-flight requests, exit.
 */
import { shutdownOnSignal } from "../lib/container/lifecycle";
import { createItemsService } from "../lib/items";
import { createLogger } from "../lib/logger";
import { requireEnv } from "../lib/runtime";
import { createItemsApp } from "./app";

const logger = createLogger("items-service");
const app = createItemsApp({ service: createItemsService(requireEnv("TABLE_NAME")), logger });
shutdownOnSignal([app], { logger });
app
  .start(Number(process.env.PORT ?? 8080))
  .then((port) => logger.info("listening", { port }))
  .catch((e: Error) => {
    logger.error("could not start", { error: e.message });
    process.exit(1);
  });
