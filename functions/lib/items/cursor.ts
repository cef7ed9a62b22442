/**
 * Opaque pagination cursors: the DynamoDB `LastEvaluatedKey` as base64url JSON. Decoding accepts
 * only the exact key shape of the items table, so a forged cursor can never smuggle another
 * attribute or type into `ExclusiveStartKey`.
 */
import { ValidationError } from "./errors";
import { ITEM_KEY } from "./schema";

const CURSOR_VERSION = 1;

export type PageKey = Record<string, string>;

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, k: key[ITEM_KEY] }), "utf8").toString(
    "base64url",
  );
}

export function decodeCursor(cursor: string): PageKey {
  const invalid = () => new ValidationError("cursor is not valid (pass back nextCursor unchanged)");
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (
    typeof doc !== "object" ||
    doc === null ||
    Object.keys(doc).length !== 2 ||
    (doc as { v?: unknown }).v !== CURSOR_VERSION ||
    typeof (doc as { k?: unknown }).k !== "string" ||
    (doc as { k: string }).k.length === 0 ||
    (doc as { k: string }).k.length > 256
  ) {
    throw invalid();
  }
  return { [ITEM_KEY]: (doc as { k: string }).k };
}
