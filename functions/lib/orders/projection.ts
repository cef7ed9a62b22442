/**
 * A downstream service's own view of orders (billing's invoices, shipping's shipments): built from
 * each `OrderPlaced` event by a pure `project` function and written once per order, so redelivered
 * or duplicated events leave exactly one record. Read back through `GET /<resource>/{orderId}`.
 */
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Message } from "@aws-sdk/client-sqs";
import { HttpError, decodePathSegment } from "../http";
import { PutOutcome, putOnce } from "../idempotentPut";
import {
  HttpHandler,
  HttpResponse,
  errorResponse,
  jsonResponse,
  methodNotAllowed,
} from "../container/httpServer";
import { parseOrderPlacedMessage } from "./events";
import { OrderPlaced, orderIdSchema } from "./schema";

/** Partition key of every projection table (type S). */
export const PROJECTION_KEY = "orderId";

export type ProjectedRecord = { orderId: string } & Record<string, unknown>;

export interface OrderProjectionOptions<R extends ProjectedRecord> {
  doc: Pick<DynamoDBDocumentClient, "send">;
  tableName: string;
  /** The record this service keeps for an order; pure, so a replay builds the same record. */
  project: (event: OrderPlaced) => R;
}

export class OrderProjection<R extends ProjectedRecord> {
  constructor(private readonly options: OrderProjectionOptions<R>) {}

  /** Processes one queue message: parse (throws on malformed), project, write once. */
  async apply(message: Pick<Message, "Body">): Promise<PutOutcome> {
    const event = parseOrderPlacedMessage(message.Body);
    const record = this.options.project(event);
    return putOnce(this.options.doc, this.options.tableName, record, PROJECTION_KEY);
  }

  async get(orderId: string): Promise<R> {
    if (!orderIdSchema.safeParse(orderId).success) {
      throw new HttpError(400, "order id must be a UUID");
    }
    const out = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { [PROJECTION_KEY]: orderId },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) throw new HttpError(404, `no record for order ${orderId} (yet)`);
    return out.Item as R;
  }
}

/** `GET /<resource>/{orderId}`; 404 for other paths, 405 for other methods. Never throws. */
export function projectionRouter<R extends ProjectedRecord>(
  resource: string,
  projection: OrderProjection<R>,
): HttpHandler {
  return async (req): Promise<HttpResponse> => {
    const segments = req.path.split("/").filter((s) => s.length > 0);
    if (segments[0] !== resource || segments.length !== 2) {
      return errorResponse(404, `no route for ${req.method} ${req.path}`);
    }
    if (req.method !== "GET") {
      return methodNotAllowed(req.method, `/${resource}/{orderId}`, "GET");
    }
    try {
      return jsonResponse(200, await projection.get(decodePathSegment(segments[1], "order id")));
    } catch (e) {
      if (e instanceof HttpError && e.status < 500) return errorResponse(e.status, e.message);
      throw e;
    }
  };
}
