/**
 * Orders: the request schema of `POST /orders`, the stored order, and the `OrderPlaced` event the
 * orders service publishes and the downstream services (billing, shipping) consume. Shared by
 * producer and consumers so both read the same contract. Pure: no AWS calls.
 */
import * as z from "zod/mini";
import { storableText } from "../text";

/** Order text is required (min 1 by default) and, when required, not blank. */
function text(max: number, min = 1) {
  return storableText(max, min).check(
    z.refine((s) => min === 0 || s.trim().length > 0, { message: "must not be blank" }),
  );
}

export const ORDER_LIMITS = { lines: 50, quantity: 1000, unitPriceCents: 10_000_000 } as const;

export const orderLineSchema = z.strictObject({
  sku: z
    .string()
    .check(z.regex(/^[A-Za-z0-9-]{1,40}$/, { message: "must be 1-40 letters, digits or -" })),
  quantity: z.int().check(z.minimum(1), z.maximum(ORDER_LIMITS.quantity)),
  unitPriceCents: z.int().check(z.minimum(0), z.maximum(ORDER_LIMITS.unitPriceCents)),
});

export const addressSchema = z.strictObject({
  name: text(100),
  line1: text(200),
  line2: z.optional(text(200)),
  city: text(100),
  postalCode: text(20),
  country: z
    .string()
    .check(z.regex(/^[A-Z]{2}$/, { message: "must be an ISO 3166-1 alpha-2 code" })),
});

/** `POST /orders` body. Unknown fields are rejected, not ignored. */
export const createOrderSchema = z.strictObject({
  customerId: z
    .string()
    .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "must be 1-64 letters, digits, _ or -" })),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, { message: "must be an ISO 4217 code" })),
  lines: z.array(orderLineSchema).check(z.minLength(1), z.maxLength(ORDER_LIMITS.lines)),
  shippingAddress: addressSchema,
});

export type OrderInput = z.infer<typeof createOrderSchema>;

/** Ids are UUIDs: random, or derived from an Idempotency-Key. */
export const orderIdSchema = z.uuid({ message: "must be an order id (a UUID)" });

/** An order as stored and returned. */
export const orderSchema = z.extend(createOrderSchema, {
  id: orderIdSchema,
  totalCents: z.int().check(z.minimum(0)),
  status: z.literal("PLACED"),
  createdAt: z.iso.datetime(),
});
export type Order = z.infer<typeof orderSchema>;

export const ORDER_PLACED = "OrderPlaced";

/** The event: one per order (`eventId` is the order id), versioned for evolution. */
export const orderPlacedSchema = z.object({
  type: z.literal(ORDER_PLACED),
  version: z.literal(1),
  eventId: orderIdSchema,
  occurredAt: z.iso.datetime(),
  order: orderSchema,
});
export type OrderPlaced = z.infer<typeof orderPlacedSchema>;

/** Sum of the lines in cents (integers: no floating-point money). */
export function orderTotalCents(lines: OrderInput["lines"]): number {
  return lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
}

export function orderPlaced(order: Order): OrderPlaced {
  return {
    type: ORDER_PLACED,
    version: 1,
    eventId: order.id,
    occurredAt: order.createdAt,
    order,
  };
}
