/**
 * HTTP adapter of the orders service: `POST /orders` (optional `Idempotency-Key` header) and
 * `GET /orders/{id}`. Client errors are 4xx JSON; a failed publish is a 503 the client may retry.
 */
import { FigurePublisher, publishRequestFigures } from "../../lib/container/figures";
import {
  ContainerServer,
  HttpHandler,
  ServerLogger,
  errorResponse,
  jsonResponse,
  methodNotAllowed,
} from "../../lib/container/httpServer";
import {
  HttpError,
  MAX_BODY_BYTES,
  RETRY_AFTER_SECONDS,
  decodePathSegment,
  parseJsonBody,
} from "../../lib/http";
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from "../../lib/idempotency";
import { OrdersService } from "./orders";

export interface OrdersAppDeps {
  service: OrdersService;
  logger?: ServerLogger;
  /**
   * Where each request's business figures go, published as the response is sent: an order
   * placed, a placement replayed under its Idempotency-Key, a request refused
   * (functions/lib/requestFigures.ts). An order stored whose event could not be published is a
   * 5xx, on no figure; the retry that completes it answers, and counts, as a replay.
   * @default none
   */
  metrics?: FigurePublisher;
}

/** The AWS error behind a 5xx, for the logs (never for the client). */
function describeCause(cause: unknown): unknown {
  return cause instanceof Error ? { name: cause.name, message: cause.message } : cause;
}

export function ordersHandler(service: OrdersService, logger?: ServerLogger): HttpHandler {
  return async (req) => {
    const segments = req.path.split("/").filter((s) => s.length > 0);
    try {
      if (segments[0] !== "orders" || segments.length > 2) {
        return errorResponse(404, `no route for ${req.method} ${req.path}`);
      }
      if (segments.length === 1) {
        if (req.method !== "POST") return methodNotAllowed(req.method, "/orders", "POST");
        const body = parseJsonBody(
          {
            body: req.body ? req.body.toString("base64") : undefined,
            isBase64Encoded: true,
            headers: Object.fromEntries(
              Object.entries(req.headers).filter((e): e is [string, string] => e[1] !== undefined),
            ),
          },
          MAX_BODY_BYTES,
        );
        const { order, replayed } = await service.place(body, req.headers[IDEMPOTENCY_KEY_HEADER]);
        return jsonResponse(201, order, {
          location: `/orders/${order.id}`,
          ...(replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: "true" } : {}),
        });
      }
      if (req.method !== "GET") return methodNotAllowed(req.method, "/orders/{id}", "GET");
      return jsonResponse(200, await service.get(decodePathSegment(segments[1], "order id")));
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      if (e.status >= 500) {
        logger?.error("order not completed", {
          status: e.status,
          message: e.message,
          cause: describeCause(e.cause),
        });
      }
      const res = errorResponse(e.status, e.message, e.details);
      return e.status === 503
        ? { ...res, headers: { ...res.headers, "retry-after": String(RETRY_AFTER_SECONDS) } }
        : res;
    }
  };
}

export function createOrdersApp(deps: OrdersAppDeps): ContainerServer {
  return new ContainerServer({
    logger: deps.logger,
    handler: ordersHandler(deps.service, deps.logger),
    onResponse: publishRequestFigures(deps.metrics, deps.logger),
  });
}
