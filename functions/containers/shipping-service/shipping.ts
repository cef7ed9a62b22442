/** Shipping's view of an order: the shipment it prepares. Pure, so a replayed event builds the same shipment. */
import type { OrderPlaced } from "../../lib/orders/schema";

export interface Shipment {
  orderId: string;
  customerId: string;
  address: OrderPlaced["order"]["shippingAddress"];
  /** Units to pick, per SKU. */
  units: Record<string, number>;
  status: "PENDING";
  createdAt: string;
  eventId: string;
  [key: string]: unknown;
}

export function shipmentFor(event: OrderPlaced): Shipment {
  const { order } = event;
  const units: Record<string, number> = {};
  for (const line of order.lines) units[line.sku] = (units[line.sku] ?? 0) + line.quantity;
  return {
    orderId: order.id,
    customerId: order.customerId,
    address: order.shippingAddress,
    units,
    status: "PENDING",
    createdAt: event.occurredAt,
    eventId: event.eventId,
  };
}
