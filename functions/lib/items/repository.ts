/**
 * DynamoDB access for items (lib-dynamodb DocumentClient). Table: partition key `id` (S), no sort
 * key. Every write is conditional, so creates never overwrite, and updates and deletes only apply
 * to the version the caller read (optimistic concurrency). A create with an Idempotency-Key stores
 * the request's fingerprint with the item (`requestHash`); reads never return it.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { putOnce } from "../idempotentPut";
import { PageKey } from "./cursor";
import { ConflictError, HttpError, NotFoundError } from "./errors";
import { ITEM_KEY, Item, ItemFields, VERSION_ATTRIBUTE } from "./schema";

/** Optional fields a full replacement removes when the client leaves them out. */
const OPTIONAL_FIELDS = ["description", "tags", "attributes"] as const;

import { REQUEST_HASH_ATTRIBUTE } from "./attributes";

export { REQUEST_HASH_ATTRIBUTE };

/** What `createOnce` found: its own write, or the item an earlier request with the key made. */
export type CreateOnceOutcome =
  { written: true; item: Item } | { written: false; item: Item; requestHash?: string };

/** The item as clients see it: stored attributes minus internal ones. */
function toItem(stored: Record<string, unknown>): Item {
  const { [REQUEST_HASH_ATTRIBUTE]: _internal, ...item } = stored;
  return item as unknown as Item;
}

export interface ItemsRepositoryOptions {
  /** Read-your-writes listing and gets. Default: true (items are small; consistency is cheap). */
  consistentRead?: boolean;
}

export class ItemsRepository {
  private readonly consistentRead: boolean;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    options: ItemsRepositoryOptions = {},
  ) {
    this.consistentRead = options.consistentRead ?? true;
  }

  /** Inserts a new item; a colliding id (practically impossible with UUIDs) is a conflict. */
  async create(item: Item): Promise<Item> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(#id)",
          ExpressionAttributeNames: { "#id": ITEM_KEY },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new ConflictError(item.id, 0, item.version);
      throw e;
    }
    return item;
  }

  /**
   * Inserts `item` (its id derived from an Idempotency-Key) with `requestHash`, unless the id
   * exists: then returns the stored item and its hash, read consistently so a concurrent twin's
   * write is seen. Nothing is ever overwritten.
   */
  async createOnce(item: Item, requestHash: string): Promise<CreateOnceOutcome> {
    const stored = { ...item, [REQUEST_HASH_ATTRIBUTE]: requestHash };
    if ((await putOnce(this.client, this.tableName, stored, ITEM_KEY)) === "written") {
      return { written: true, item };
    }
    const existing = await this.read(item.id, true);
    // Deleted between our refused put and this read: the client's retry will create it anew.
    if (!existing)
      throw new HttpError(409, `item ${item.id} was deleted while being created; retry`);
    const hash = existing[REQUEST_HASH_ATTRIBUTE];
    return {
      written: false,
      item: toItem(existing),
      requestHash: typeof hash === "string" ? hash : undefined,
    };
  }

  async get(id: string): Promise<Item | undefined> {
    const stored = await this.read(id, this.consistentRead);
    return stored && toItem(stored);
  }

  private async read(id: string, consistent: boolean) {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [ITEM_KEY]: id },
        ConsistentRead: consistent,
      }),
    );
    return out.Item;
  }

  /**
   * One page in table order. Scan with a Limit reads exactly `limit` items (items are far below
   * the 1 MB page size), so a page is full unless the table ends.
   */
  async list(limit: number, startKey?: PageKey): Promise<{ items: Item[]; lastKey?: PageKey }> {
    const out = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        ExclusiveStartKey: startKey,
        ConsistentRead: this.consistentRead,
      }),
    );
    return {
      items: (out.Items ?? []).map(toItem),
      lastKey: out.LastEvaluatedKey as PageKey | undefined,
    };
  }

  /**
   * Replaces the client fields of item `id` if it is still at `expectedVersion`; bumps the version
   * and `updatedAt`. Throws NotFoundError or ConflictError.
   */
  async replace(
    id: string,
    fields: ItemFields,
    expectedVersion: number,
    updatedAt: string,
  ): Promise<Item> {
    const names: Record<string, string> = { "#id": ITEM_KEY, "#v": VERSION_ATTRIBUTE };
    const values: Record<string, unknown> = { ":expected": expectedVersion, ":one": 1 };
    const sets = ["#v = #v + :one", "#updatedAt = :updatedAt"];
    names["#updatedAt"] = "updatedAt";
    values[":updatedAt"] = updatedAt;
    const removes: string[] = [];
    const all: Record<string, unknown> = { name: fields.name };
    for (const f of OPTIONAL_FIELDS) all[f] = fields[f];
    for (const [field, value] of Object.entries(all)) {
      names[`#${field}`] = field;
      if (value === undefined) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ITEM_KEY]: id },
          UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ConditionExpression: "attribute_exists(#id) AND #v = :expected",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return toItem(out.Attributes ?? {});
    } catch (e) {
      if (isConditionFailure(e)) throw await this.whyRefused(id, expectedVersion, e);
      throw e;
    }
  }

  /** Deletes item `id` (only at `expectedVersion` when given). Throws NotFoundError or ConflictError. */
  async delete(id: string, expectedVersion?: number): Promise<void> {
    const versioned = expectedVersion !== undefined;
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [ITEM_KEY]: id },
          ConditionExpression: versioned
            ? "attribute_exists(#id) AND #v = :expected"
            : "attribute_exists(#id)",
          ExpressionAttributeNames: versioned
            ? { "#id": ITEM_KEY, "#v": VERSION_ATTRIBUTE }
            : { "#id": ITEM_KEY },
          ExpressionAttributeValues: versioned ? { ":expected": expectedVersion } : undefined,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw await this.whyRefused(id, expectedVersion ?? 0, e);
      throw e;
    }
  }

  /**
   * A failed condition means "gone" or "stale". DynamoDB returns the current item with the error
   * (ReturnValuesOnConditionCheckFailure); emulators that do not, get a consistent read instead.
   */
  private async whyRefused(id: string, expected: number, e: unknown): Promise<Error> {
    const returned = (e as { Item?: Record<string, unknown> }).Item;
    let current: number | undefined;
    if (returned) {
      const v = returned[VERSION_ATTRIBUTE] as { N?: string } | number | undefined;
      current = typeof v === "number" ? v : v?.N !== undefined ? Number(v.N) : undefined;
    } else {
      current = (await this.get(id))?.version;
    }
    return current === undefined ? new NotFoundError(id) : new ConflictError(id, expected, current);
  }
}

function isConditionFailure(e: unknown): boolean {
  return (
    e instanceof ConditionalCheckFailedException ||
    (e as { name?: string })?.name === "ConditionalCheckFailedException"
  );
}
