/**
 * The items REST API as a container app: Node's http server in front of the same items domain
 * (validation, DynamoDB, cursors, optimistic concurrency) the Lambda flow runs. Only this adapter
 * differs: the load balancer forwards the request path unchanged (`/items/...`).
 */
import { FigurePublisher, publishRequestFigures } from "../../lib/container/figures";
import { ContainerServer, ServerLogger } from "../../lib/container/httpServer";
import { ItemsService, handleItemsRequest } from "../../lib/items";

export interface ItemsAppDeps {
  service: ItemsService;
  logger?: ServerLogger;
  /**
   * Where each request's business figures go, published as the response is sent (the same
   * figures as items-api's: functions/lib/requestFigures.ts).
   * @default none
   */
  metrics?: FigurePublisher;
}

export function createItemsApp(deps: ItemsAppDeps): ContainerServer {
  return new ContainerServer({
    logger: deps.logger,
    handler: (req) => handleItemsRequest(deps.service, req, { logger: deps.logger }),
    onResponse: publishRequestFigures(deps.metrics, deps.logger),
  });
}
