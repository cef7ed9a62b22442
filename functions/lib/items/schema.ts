/**
 * The items resource: its shape, the request schemas (zod) and their limits. Transport-agnostic:
 * the Lambda (API Gateway) and the container (Node http) adapters both validate with these.
 */
import * as z from "zod/mini";
import { storableText as text } from "../text";

/** Name of the partition key of the items table (type S). Components create the table with it. */
export const ITEM_KEY = "id";
/** Attribute holding the optimistic-concurrency counter. */
export const VERSION_ATTRIBUTE = "version";

export const LIMITS = {
  name: 200,
  description: 2000,
  tags: 20,
  tag: 50,
  attributes: 50,
  attributeKey: 64,
  attributeString: 1000,
  pageDefault: 20,
  pageMax: 100,
  cursor: 1024,
} as const;

/**
 * Numbers DynamoDB stores and the SDK reads back exactly: finite, within JavaScript's safe
 * integer range (lib-dynamodb refuses to marshall larger ones), and not below DynamoDB's
 * smallest magnitude (1e-130).
 */
const storableNumber = z.number().check(
  z.refine((n) => Number.isFinite(n), { message: "must be finite" }),
  z.refine((n) => Math.abs(n) <= Number.MAX_SAFE_INTEGER, {
    message: `must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
  }),
  z.refine((n) => n === 0 || Math.abs(n) >= 1e-130, { message: "is too close to zero" }),
);

const attributeKey = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9_.-]+$/, { message: "may only use letters, digits, _ . -" }),
    z.maxLength(LIMITS.attributeKey),
  );

/** The fields a client writes. Unknown fields are rejected, not ignored. */
export const itemFieldsShape = {
  name: text(LIMITS.name, 1).check(
    z.refine((s) => s.trim().length > 0, { message: "must not be blank" }),
  ),
  description: z.optional(text(LIMITS.description)),
  tags: z.optional(z.array(text(LIMITS.tag, 1)).check(z.maxLength(LIMITS.tags))),
  attributes: z.optional(
    z
      .record(attributeKey, z.union([text(LIMITS.attributeString), storableNumber, z.boolean()]))
      .check(
        z.refine((r) => Object.keys(r).length <= LIMITS.attributes, {
          message: `must have at most ${LIMITS.attributes} entries`,
        }),
      ),
  ),
};

/** `POST /items` body. */
export const createItemSchema = z.strictObject(itemFieldsShape);

/** `PUT /items/{id}` body: a full replacement plus the version the client last read. */
export const updateItemSchema = z.strictObject({
  ...itemFieldsShape,
  version: z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
});

/** Path id: the server generates UUIDs, so anything else cannot exist. */
export const itemIdSchema = z.uuid({ message: "must be an item id (a UUID)" });

/** `GET /items` query string (values arrive as strings). */
export const listQuerySchema = z.strictObject({
  limit: z.optional(
    z.pipe(
      z.pipe(
        z.string().check(z.regex(/^[0-9]{1,4}$/, { message: "must be a whole number" })),
        z.transform(Number),
      ),
      z.int().check(z.minimum(1), z.maximum(LIMITS.pageMax)),
    ),
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.cursor))),
});

export type ItemFields = z.infer<typeof createItemSchema>;
export type UpdateItemInput = z.infer<typeof updateItemSchema>;

/** An item as stored and returned. */
export interface Item extends ItemFields {
  id: string;
  /** Starts at 1, +1 on every update; `PUT` must send the current value. */
  version: number;
  /** ISO-8601 timestamps set by the server. */
  createdAt: string;
  updatedAt: string;
}

/** One page of `GET /items`. */
export interface ItemPage {
  items: Item[];
  /** Opaque; pass back as `cursor` for the next page. Absent on the last page. */
  nextCursor?: string;
}
