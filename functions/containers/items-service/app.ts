/**
 * The items REST API as a container app: Node's http server in front of the same items domain
 * (validation, DynamoDB, cursors, optimistic concurrency) the Lambda flow runs. Only this adapter
 * differs: the load balancer forwards the request path unchanged (`/items/...`).
 */
import { ContainerServer, ServerLogger } from "../../lib/container/httpServer";
import { ItemsService, handleItemsRequest } from "../../lib/items";

export interface ItemsAppDeps {
  service: ItemsService;
  logger?: ServerLogger;
}

export function createItemsApp(deps: ItemsAppDeps): ContainerServer {
  return new ContainerServer({
    logger: deps.logger,
    handler: (req) => handleItemsRequest(deps.service, req, { logger: deps.logger }),
  });
}
