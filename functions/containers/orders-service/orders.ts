/**
 * Placing and reading orders. `place` writes the order, then publishes `OrderPlaced`; both steps
 * are safe to repeat with the same Idempotency-Key (the key determines the order id, the write is
 * conditional, consumers are idempotent), which is how a client recovers from a publish failure.
 * A request without a key is given one by the server, returned with a publish failure.
 */
import { randomUUID } from "node:crypto";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

import { HttpError } from "../../lib/http";
import {
  IdempotencyKeyRule,
  checkIdempotencyKey,
  idForKey,
  keyReusedError,
  requestHash as hashRequest,
} from "../../lib/idempotency";
import { isAuthorizationError } from "../../lib/awsErrors";
import { putOnce } from "../../lib/idempotentPut";
import {
  ORDER_PLACED,
  Order,
  OrderPlaced,
  createOrderSchema,
  orderIdSchema,
  orderPlaced,
  orderTotalCents,
} from "../../lib/orders/schema";

/** Idempotency keys: what clients commonly send (UUIDs, ULIDs, random tokens). */
const IDEMPOTENCY_KEY: IdempotencyKeyRule = {
  pattern: /^[A-Za-z0-9_-]{8,100}$/,
  description: "8-100 letters, digits, _ or -",
};

export interface OrdersServiceDeps {
  doc: Pick<DynamoDBDocumentClient, "send">;
  tableName: string;
  /** Publishes the event (to the FanOutTopic); throws when it could not. */
  publish: (event: OrderPlaced) => Promise<void>;
  /** Default: `new Date()`. */
  now?: () => Date;
  /** Key for a request that brings none (it derives the order id). Default: `crypto.randomUUID`. */
  newId?: () => string;
}

/** Deterministic order id for an Idempotency-Key: a UUID (version 8, RFC 9562) from SHA-256. */
export function orderIdForKey(key: string): string {
  return idForKey("order", key);
}

export interface PlaceResult {
  order: Order;
  /** True when the Idempotency-Key had already placed this order (nothing new was written). */
  replayed: boolean;
}

type StoredOrder = Order & { requestHash: string };

function withoutHash(item: StoredOrder): Order {
  const { requestHash: _ignored, ...order } = item;
  return order;
}

export class OrdersService {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly deps: OrdersServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  async place(body: unknown, idempotencyKey?: string): Promise<PlaceResult> {
    checkIdempotencyKey(idempotencyKey, IDEMPOTENCY_KEY);
    const parsed = createOrderSchema.safeParse(body);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({
        path: i.path.map(String).join(".") || "(body)",
        message: i.message,
      }));
      throw new HttpError(
        400,
        `order is invalid: ${details.map((d) => `${d.path} ${d.message}`).join("; ")}`,
        details,
      );
    }
    const input = parsed.data;
    const requestHash = hashRequest(input);
    // A request without a key gets one: if the publish fails, the client retries with it and
    // the order is neither lost nor placed twice.
    const key = idempotencyKey ?? this.newId();
    const order: Order = {
      ...input,
      id: orderIdForKey(key),
      totalCents: orderTotalCents(input.lines),
      status: "PLACED",
      createdAt: this.now().toISOString(),
    };
    const outcome = await putOnce(this.deps.doc, this.deps.tableName, { ...order, requestHash });
    let stored = order;
    if (outcome === "duplicate") {
      const existing = await this.read(order.id);
      if (!existing) throw new Error(`order ${order.id} vanished after a conditional write`);
      if (existing.requestHash !== requestHash) {
        throw keyReusedError("order");
      }
      stored = withoutHash(existing);
    }
    try {
      // Published on replays too: the first attempt may have stored the order and failed here.
      await this.deps.publish(orderPlaced(stored));
    } catch (e) {
      // Denied (topic policy, grant, key): retrying soon cannot help, so a 500 (logged as an
      // error by the app), not a 503 with Retry-After. Either way the client keeps the key that
      // completes the order once publishing works, and the SNS error (ARNs, account id) goes to
      // the logs through `cause`, not to the client.
      const denied = isAuthorizationError(e);
      throw new HttpError(
        denied ? 500 : 503,
        `order ${stored.id} was stored but ${ORDER_PLACED} could not be published; ` +
          `${denied ? "retry later" : "retry"} with the header Idempotency-Key: ${key}`,
        { orderId: stored.id, idempotencyKey: key },
        { cause: e },
      );
    }
    return { order: stored, replayed: outcome === "duplicate" };
  }

  async get(id: string): Promise<Order> {
    if (!orderIdSchema.safeParse(id).success) {
      throw new HttpError(400, "order id must be a UUID");
    }
    const item = await this.read(id);
    if (!item) throw new HttpError(404, `order ${id} not found`);
    return withoutHash(item);
  }

  private async read(id: string): Promise<StoredOrder | undefined> {
    const out = await this.deps.doc.send(
      new GetCommand({ TableName: this.deps.tableName, Key: { id }, ConsistentRead: true }),
    );
    return out.Item as StoredOrder | undefined;
  }
}

/**
 * Publishes to the SNS topic with an `eventType` attribute, so subscribers can filter on it
 * without parsing bodies.
 */
export function snsPublisher(
  sns: Pick<SNSClient, "send">,
  topicArn: string,
): (event: OrderPlaced) => Promise<void> {
  return async (event) => {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(event),
        MessageAttributes: { eventType: { DataType: "String", StringValue: event.type } },
      }),
    );
  };
}
