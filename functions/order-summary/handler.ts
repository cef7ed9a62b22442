/**
 * `GET /orders/{id}/summary`: the order, its invoice and its shipment in one answer, read in
 * parallel from the three services' tables, each within BACKEND_TIMEOUT_MS. See
 * `lib/summaryRoute.ts` for the answers (200, partial 200, 400, 404).
 */
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createLogger, withLambdaContext } from "../lib/logger";
import { documentClientOver, lazy } from "../lib/runtime";
import { isUuid, makeSummaryHandler } from "../lib/summaryRoute";
import { OrderSummaryEnv, readOrderSummaryEnv } from "./env";

export type OrderPart = "order" | "invoice" | "shipment";

/** One GetItem per part; the signal aborts the SDK call at the deadline. */
export function orderFetchers(doc: DynamoDBDocumentClient, env: OrderSummaryEnv) {
  const get = (table: string, key: Record<string, string>) => async (abortSignal: AbortSignal) =>
    (await doc.send(new GetCommand({ TableName: table, Key: key }), { abortSignal })).Item;
  return (id: string) => ({
    order: get(env.ordersTable, { id }),
    invoice: get(env.invoicesTable, { orderId: id }),
    shipment: get(env.shipmentsTable, { orderId: id }),
  });
}

const logger = createLogger("order-summary");

export function makeHandler(doc: DynamoDBDocumentClient, env: OrderSummaryEnv) {
  return makeSummaryHandler<OrderPart>({
    primary: "order",
    isId: isUuid,
    fetchers: orderFetchers(doc, env),
    timeoutMs: env.backendTimeoutMs,
    logger,
  });
}

/**
 * X-Ray subsegments for the three GetItems (Powertools Tracer), so a slow backend shows by name in
 * the trace; outside Lambda the Tracer turns itself off and hands the client back unchanged.
 * Tracer costs 127 KiB of bundle: this function (349 KiB with it) and objects-api (349 KiB if it
 * had it) are the only ones it fits in under the 350 KiB budget; the S3 readers would be ~460 KiB,
 * the stream consumers ~370-380 KiB. The role already writes to X-Ray (active tracing). Its cost
 * at cold start (npm run bench:coldstart, 7 runs, a busy 2-core machine): init CPU about 1.6x the
 * bare SDK client's with it, 1.15x without, i.e. some 50 ms on the first request of an instance.
 */
const tracer = new Tracer({ serviceName: "order-summary" });
const deps = lazy(() => {
  const env = readOrderSummaryEnv();
  // One attempt per backend within the deadline: the SDK's retries would outlive it.
  const client = tracer.captureAWSv3Client(new DynamoDBClient({ maxAttempts: 2 }));
  return makeHandler(documentClientOver(client), env);
});
export const handler = withLambdaContext(logger, (event: APIGatewayProxyEventV2) => deps()(event));
