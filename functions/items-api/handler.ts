/**
 * API Gateway (HTTP API, payload 2.0) adapter of the items API. The domain (validation, DynamoDB,
 * cursors, concurrency) is in functions/lib/items; this file only maps events to requests.
 * Env: TABLE_NAME (required).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createLogger, withLambdaContext } from "../lib/logger";
import { lazy } from "../lib/runtime";
import { FigureSink, countFigures, createMetrics } from "../lib/metrics";
import { requestFigures } from "../lib/requestFigures";
import { readItemsApiEnv } from "./env";
import {
  ItemsHttpRequest,
  ItemsService,
  RouterLogger,
  createItemsService,
  handleItemsRequest,
} from "../lib/items";

export interface ItemsApiDeps {
  service: ItemsService;
  logger?: RouterLogger;
  /** Where the request's business figures go (requestFigures). Default: none. */
  metrics?: FigureSink;
}

/** The path below the stage: `$default` stages add no prefix, named stages add `/<stage>`. */
export function stagePath(
  event: Pick<APIGatewayProxyEventV2, "rawPath" | "requestContext">,
): string {
  const stage = event.requestContext?.stage;
  const path = event.rawPath ?? "/";
  if (stage && stage !== "$default" && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    return path.slice(stage.length + 1) || "/";
  }
  return path;
}

export function toItemsRequest(event: APIGatewayProxyEventV2): ItemsHttpRequest {
  return {
    method: event.requestContext?.http?.method ?? "GET",
    path: stagePath(event),
    query: event.queryStringParameters ?? {},
    headers: event.headers ?? {},
    body: event.body ?? null,
    isBase64Encoded: event.isBase64Encoded === true,
  };
}

export function makeHandler(deps: ItemsApiDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const request = toItemsRequest(event);
    const response = await handleItemsRequest(deps.service, request, { logger: deps.logger });
    countFigures(deps.metrics, requestFigures(request.method, response));
    return response;
  };
}

const logger = createLogger("items-api");
const metrics = createMetrics();
const instance = lazy(() => {
  const { tableName } = readItemsApiEnv();
  return makeHandler({ service: createItemsService(tableName), logger, metrics });
});

/** Lambda entry point: clients are created on the first invocation and reused after. */
export const handler = withLambdaContext(
  logger,
  (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => instance()(event),
  metrics,
);
