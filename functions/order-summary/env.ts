/** Environment contract of functions/order-summary (set by stacks/orderSummary.ts). */
import { defineEnv, envInt, envString, type EnvValues } from "../lib/env";

/** Default per-backend deadline: well under API Gateway's 30 s and the function's timeout. */
export const DEFAULT_BACKEND_TIMEOUT_MS = 2000;

/** Deadline of each backend read, milliseconds (shared with item-summary). */
export const backendTimeoutMs = envInt("BACKEND_TIMEOUT_MS", {
  default: DEFAULT_BACKEND_TIMEOUT_MS,
  max: 30_000,
});

export const orderSummaryEnv = defineEnv("order-summary", {
  /** Orders table (hash key `id`), owned by the orders service. */
  ordersTable: envString("ORDERS_TABLE"),
  /** Invoices table (hash key `orderId`), owned by the billing service. */
  invoicesTable: envString("INVOICES_TABLE"),
  /** Shipments table (hash key `orderId`), owned by the shipping service. */
  shipmentsTable: envString("SHIPMENTS_TABLE"),
  backendTimeoutMs,
});
export type OrderSummaryEnv = EnvValues<typeof orderSummaryEnv.spec>;
export const readOrderSummaryEnv = (env = process.env) => orderSummaryEnv.read(env);
export const orderSummaryEnvironment = orderSummaryEnv.environment;
