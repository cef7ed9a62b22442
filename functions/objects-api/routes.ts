/**
 * Pure part of the read API over a table of object rows keyed by `id` (an `objectEventId`):
 * route matching, paging parameters and cursors, and the public reference of a row. No AWS calls.
 */
import { HttpError } from "../lib/http";

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/**
 * Row ids hold `/` and `#` (bucket/key#version), which do not survive a URL path segment through
 * API Gateway, so the API names rows by the base64url of their id.
 */
export function toRef(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

export function fromRef(ref: string): string {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(ref))
    throw new HttpError(400, "object reference is not valid");
  const id = Buffer.from(ref, "base64url").toString("utf8");
  if (id.length === 0 || toRef(id) !== ref)
    throw new HttpError(400, "object reference is not valid");
  return id;
}

/** Cursor: the last key of a page, opaque to the client (base64url JSON `{ v, id }`). */
export function encodeCursor(lastKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ v: 1, id: lastKey.id }), "utf8").toString("base64url");
}

/** Accepts only the exact shape `encodeCursor` writes, so a forged cursor cannot inject keys. */
export function decodeCursor(cursor: string): { id: string } {
  const invalid = new HttpError(400, "cursor is not valid (pass back nextCursor unchanged)");
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) throw invalid;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  const d = doc as { v?: unknown; id?: unknown };
  if (
    typeof doc !== "object" ||
    doc === null ||
    Object.keys(doc).length !== 2 ||
    d.v !== 1 ||
    typeof d.id !== "string" ||
    d.id.length === 0
  ) {
    throw invalid;
  }
  return { id: d.id };
}

/** `?limit=` as a page size: 1-100, default 25. */
export function pageSize(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_PAGE_SIZE;
  // Plain decimal digits only: Number() would also read "0x10", "1e1", " 5" and "+5".
  const n = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new HttpError(400, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return n;
}

export type ObjectsRoute = { kind: "list" } | { kind: "get"; ref: string };

/** Matches `GET /objects` and `GET /objects/{ref}`; anything else is a 404 or 405. */
export function matchRoute(method: string, path: string): ObjectsRoute {
  const segments = path.split("/").filter((s) => s.length > 0);
  if (segments[0] !== "objects" || segments.length > 2) {
    throw new HttpError(404, `no route for ${path}`);
  }
  if (method !== "GET") throw new HttpError(405, `${method} is not allowed on ${path}`);
  return segments.length === 1 ? { kind: "list" } : { kind: "get", ref: segments[1] };
}

/** The public form of a row: its reference added, for `GET /objects/{ref}`. */
export function present<T extends { id: string }>(item: T): T & { ref: string } {
  return { ...item, ref: toRef(item.id) };
}
