/** String validation shared by the APIs' request schemas (items, orders). Pure. */
import * as z from "zod/mini";
import { en } from "zod/locales";

// zod/mini (the tree-shakable API: about 30 KiB bundled, classic zod about 100) loads no locale;
// English messages, as classic zod gives by default.
z.config(en());

/** Lone UTF-16 surrogates survive JSON.parse but are not valid UTF-8, which DynamoDB requires. */
export const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string of `min` (default 0) to `max` characters that DynamoDB can store. */
export function storableText(max: number, min = 0) {
  return z.string().check(
    z.minLength(min),
    z.maxLength(max),
    z.refine((s) => !LONE_SURROGATE.test(s), { message: "contains invalid Unicode" }),
  );
}
