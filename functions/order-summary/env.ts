/**
 * The environment contract of `order-summary`: the stack sets these variables only through
 * `orderSummaryEnvironment`, the handler reads them only through `readOrderSummaryEnv`.
 */

export interface OrderSummaryEnv {
  /** Orders table (hash key `id`), owned by the orders service. */
  ordersTable: string;
  /** Invoices table (hash key `orderId`), owned by the billing service. */
  invoicesTable: string;
  /** Shipments table (hash key `orderId`), owned by the shipping service. */
  shipmentsTable: string;
  /** Deadline of each backend read, milliseconds. */
  backendTimeoutMs: number;
}

/** Default per-backend deadline: well under API Gateway's 30 s and the function's timeout. */
export const DEFAULT_BACKEND_TIMEOUT_MS = 2000;

const NAMES = {
  ordersTable: "ORDERS_TABLE",
  invoicesTable: "INVOICES_TABLE",
  shipmentsTable: "SHIPMENTS_TABLE",
  backendTimeoutMs: "BACKEND_TIMEOUT_MS",
} as const satisfies Record<keyof OrderSummaryEnv, string>;

/** Parses a positive integer of milliseconds; a bad value is a deployment bug, named. */
export function parseTimeoutMs(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 30000)
    throw new Error(`environment variable ${name}=${raw} is not 1-30000 milliseconds`);
  return n;
}

function required(env: Record<string, string | undefined>, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

export function readOrderSummaryEnv(
  env: Record<string, string | undefined> = process.env,
): OrderSummaryEnv {
  return {
    ordersTable: required(env, NAMES.ordersTable),
    invoicesTable: required(env, NAMES.invoicesTable),
    shipmentsTable: required(env, NAMES.shipmentsTable),
    backendTimeoutMs: parseTimeoutMs(
      NAMES.backendTimeoutMs,
      env[NAMES.backendTimeoutMs],
      DEFAULT_BACKEND_TIMEOUT_MS,
    ),
  };
}

/** The variables, by name, for the component (values may be Pulumi outputs: `T`). */
export function orderSummaryEnvironment<T>(
  values: Omit<Record<keyof OrderSummaryEnv, T | string>, "backendTimeoutMs"> & {
    backendTimeoutMs?: number;
  },
): Record<string, T | string> {
  return {
    [NAMES.ordersTable]: values.ordersTable,
    [NAMES.invoicesTable]: values.invoicesTable,
    [NAMES.shipmentsTable]: values.shipmentsTable,
    [NAMES.backendTimeoutMs]: String(values.backendTimeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS),
  };
}
