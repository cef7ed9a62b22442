/**
 * The items use cases: validate input, then read or write through the repository. No transport
 * types here: adapters (API Gateway Lambda, Node http in a container) parse the request, call
 * these methods and map thrown HttpErrors to responses. Nothing is written unless the input is
 * valid.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import {
  PRINTABLE_ASCII_KEY,
  checkIdempotencyKey,
  idForKey,
  keyReusedError,
  requestHash,
} from "../idempotency";
import { decodeCursor, encodeCursor } from "./cursor";
import { NotFoundError, ValidationError } from "./errors";
import { ItemsRepository } from "./repository";
import {
  Item,
  ItemPage,
  LIMITS,
  createItemSchema,
  itemIdSchema,
  listQuerySchema,
  updateItemSchema,
} from "./schema";

/** What `create` did. */
export interface CreateResult {
  item: Item;
  /**
   * True when an earlier request with the same Idempotency-Key had created the item: nothing was
   * written and `item` is that item as stored now.
   */
  replayed: boolean;
}

export interface ItemsServiceDeps {
  repository: ItemsRepository;
  /** Default: `new Date()`. */
  now?: () => Date;
  /** Id of an item created without an Idempotency-Key. Default: `crypto.randomUUID`. */
  newId?: () => string;
}

/** `{ path, message }` for each problem, paths dotted (`attributes.color`). */
export function describeIssues(error: z.core.$ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join(".") || "(body)",
    message: i.message,
  }));
}

function parse<T>(schema: z.ZodMiniType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = describeIssues(result.error);
  throw new ValidationError(
    `${what} is invalid: ${details.map((d) => `${d.path} ${d.message}`).join("; ")}`,
    details,
  );
}

function parseId(id: unknown): string {
  return parse(itemIdSchema, id, "item id");
}

/** Parses an optional expected version (e.g. from `If-Match`), accepting `"3"` and `W/"3"`. */
export function parseVersionTag(tag: string | undefined): number | undefined {
  if (tag === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?([1-9][0-9]{0,14})"?\s*$/.exec(tag);
  if (!m) throw new ValidationError(`If-Match must be an item version such as "3", got ${tag}`);
  return Number(m[1]);
}

export class ItemsService {
  private readonly repository: ItemsRepository;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(deps: ItemsServiceDeps) {
    this.repository = deps.repository;
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  /**
   * Creates an item. Without `idempotencyKey` its id is random. With one (1-128 printable ASCII,
   * else 400) the id derives from the key and the put is conditional: a retry with the same body
   * writes nothing and returns the item the key created (`replayed`), a retry with another body
   * is a 422. Once that item is deleted, the key creates it anew.
   */
  async create(body: unknown, idempotencyKey?: string): Promise<CreateResult> {
    const key = checkIdempotencyKey(idempotencyKey, PRINTABLE_ASCII_KEY);
    const fields = parse(createItemSchema, body, "item");
    const at = this.now().toISOString();
    const item: Item = {
      ...fields,
      id: key === undefined ? this.newId() : idForKey("item", key),
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    if (key === undefined) return { item: await this.repository.create(item), replayed: false };
    const hash = requestHash(fields);
    const outcome = await this.repository.createOnce(item, hash);
    if (outcome.written) return { item: outcome.item, replayed: false };
    if (outcome.requestHash !== hash) throw keyReusedError("item");
    return { item: outcome.item, replayed: true };
  }

  async get(id: unknown): Promise<Item> {
    const key = parseId(id);
    const item = await this.repository.get(key);
    if (!item) throw new NotFoundError(key);
    return item;
  }

  /** `query` is the raw query string map (`limit`, `cursor`); unknown parameters are rejected. */
  async list(query: Record<string, string | undefined> = {}): Promise<ItemPage> {
    const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
    const q = parse(listQuerySchema, defined, "query");
    const start = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const page = await this.repository.list(q.limit ?? LIMITS.pageDefault, start);
    return {
      items: page.items,
      ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey) } : {}),
    };
  }

  /** Full replacement; the body's `version` must be the current one (else 409). */
  async update(id: unknown, body: unknown): Promise<Item> {
    const key = parseId(id);
    const { version, ...fields } = parse(updateItemSchema, body, "item");
    return this.repository.replace(key, fields, version, this.now().toISOString());
  }

  /** Deletes the item; with `expectedVersion` only if it is still at that version (else 409). */
  async delete(id: unknown, expectedVersion?: number): Promise<void> {
    await this.repository.delete(parseId(id), expectedVersion);
  }
}
