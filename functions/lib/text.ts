/** String validation shared by the APIs' request schemas (items, orders). Pure. */
import { z } from "zod";

/** Lone UTF-16 surrogates survive JSON.parse but are not valid UTF-8, which DynamoDB requires. */
export const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string of `min` (default 0) to `max` characters that DynamoDB can store. */
export function storableText(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !LONE_SURROGATE.test(s), { message: "contains invalid Unicode" });
}
