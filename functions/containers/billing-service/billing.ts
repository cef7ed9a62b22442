/** Billing's view of an order: the invoice it issues. Pure, so a replayed event builds the same invoice. */
import type { OrderPlaced } from "../../lib/orders/schema";

export interface Invoice {
  orderId: string;
  customerId: string;
  currency: string;
  amountCents: number;
  lineCount: number;
  status: "ISSUED";
  /** The event's time, not the processing time: redelivery must not change the record. */
  issuedAt: string;
  eventId: string;
  [key: string]: unknown;
}

export function invoiceFor(event: OrderPlaced): Invoice {
  const { order } = event;
  return {
    orderId: order.id,
    customerId: order.customerId,
    currency: order.currency,
    amountCents: order.totalCents,
    lineCount: order.lines.length,
    status: "ISSUED",
    issuedAt: event.occurredAt,
    eventId: event.eventId,
  };
}
