/**
 * The environment contract of `item-summary`: the stack sets these variables only through
 * `itemSummaryEnvironment`, the handler reads them only through `readItemSummaryEnv`.
 */
import { DEFAULT_BACKEND_TIMEOUT_MS, parseTimeoutMs } from "../order-summary/env";

export interface ItemSummaryEnv {
  /** Items table (hash key `id`). */
  itemsTable: string;
  /** Files bucket; an item's files live under `<filesPrefix><item id>/`. */
  filesBucket: string;
  /** Key prefix of item files (ends with `/`). */
  filesPrefix: string;
  /** Deadline of each backend read, milliseconds. */
  backendTimeoutMs: number;
}

const NAMES = {
  itemsTable: "ITEMS_TABLE",
  filesBucket: "FILES_BUCKET",
  filesPrefix: "ITEM_FILES_PREFIX",
  backendTimeoutMs: "BACKEND_TIMEOUT_MS",
} as const satisfies Record<keyof ItemSummaryEnv, string>;

function required(env: Record<string, string | undefined>, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

export function readItemSummaryEnv(
  env: Record<string, string | undefined> = process.env,
): ItemSummaryEnv {
  const filesPrefix = required(env, NAMES.filesPrefix);
  if (!filesPrefix.endsWith("/"))
    throw new Error(`environment variable ${NAMES.filesPrefix}=${filesPrefix} must end with /`);
  return {
    itemsTable: required(env, NAMES.itemsTable),
    filesBucket: required(env, NAMES.filesBucket),
    filesPrefix,
    backendTimeoutMs: parseTimeoutMs(
      NAMES.backendTimeoutMs,
      env[NAMES.backendTimeoutMs],
      DEFAULT_BACKEND_TIMEOUT_MS,
    ),
  };
}

/** The variables, by name, for the component (values may be Pulumi outputs: `T`). */
export function itemSummaryEnvironment<T>(
  values: Omit<Record<keyof ItemSummaryEnv, T | string>, "backendTimeoutMs"> & {
    backendTimeoutMs?: number;
  },
): Record<string, T | string> {
  return {
    [NAMES.itemsTable]: values.itemsTable,
    [NAMES.filesBucket]: values.filesBucket,
    [NAMES.filesPrefix]: values.filesPrefix,
    [NAMES.backendTimeoutMs]: String(values.backendTimeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS),
  };
}
