/** Environment contract of functions/item-summary (set by stacks/itemSummary.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";
import { backendTimeoutMs } from "../order-summary/env";

export const itemSummaryEnv = defineEnv("item-summary", {
  /** Items table (hash key `id`). */
  itemsTable: envString("ITEMS_TABLE"),
  /** Files bucket; an item's files live under `<filesPrefix><item id>/`. */
  filesBucket: envString("FILES_BUCKET"),
  /** Key prefix of item files. */
  filesPrefix: envString("ITEM_FILES_PREFIX", { pattern: /\/$/, expected: "a prefix ending in /" }),
  backendTimeoutMs,
});
export type ItemSummaryEnv = EnvValues<typeof itemSummaryEnv.spec>;
export const readItemSummaryEnv = (env = process.env) => itemSummaryEnv.read(env);
export const itemSummaryEnvironment = itemSummaryEnv.environment;
