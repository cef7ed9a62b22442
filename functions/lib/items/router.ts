/**
 * Transport-neutral HTTP front of the items service: method + path + query + headers + body in,
 * status + headers + JSON body out. The Lambda adapter and the container's Node http server both
 * map their request to `ItemsHttpRequest` and send back the `ItemsHttpResponse`.
 *
 * Routes: POST /items, GET /items, GET /items/{id}, PUT /items/{id}, DELETE /items/{id}.
 * POST takes an optional `Idempotency-Key` (the orders service's contract): a retry with the same
 * key and body answers 201 again with the item the first request created (as stored now) and
 * `Idempotent-Replayed: true`, writing nothing; the same key with another body is a 422.
 * Client errors are 4xx JSON (`{ error: { status, message, details? } }`); DynamoDB throttling is
 * a 503 with Retry-After, and any other fault of ours (DynamoDB unreachable, a bug) a 500, both
 * with no internals in the body.
 */
import {
  HttpError,
  MAX_BODY_BYTES,
  classifyFault,
  decodePathSegment,
  parseJsonBody,
} from "../http";
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from "../idempotency";
import { ItemsService, parseVersionTag } from "./service";

export interface ItemsHttpRequest {
  method: string;
  /** Path below any stage or mount prefix, e.g. `/items/1b4e...`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Header names in any case. */
  headers?: Record<string, string | undefined>;
  body?: string | Buffer | null;
  /** The string body is base64 (API Gateway binary bodies). Default: false. */
  isBase64Encoded?: boolean;
}

export interface ItemsHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** What the router logs through; Powertools' Logger fits. */
export interface RouterLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface RouterOptions {
  logger?: RouterLogger;
  /** Largest accepted body in bytes. Default: 64 KiB (`MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

function respond(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ItemsHttpResponse {
  return {
    statusCode,
    headers: { ...JSON_HEADERS, ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
  };
}

/** The error body every API of the project returns. */
export function errorBody(status: number, message: string, details?: unknown) {
  return { error: { status, message, ...(details === undefined ? {} : { details }) } };
}

function header(req: ItemsHttpRequest, name: string): string | undefined {
  const entry = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return entry?.[1];
}

function etag(version: number): Record<string, string> {
  return { etag: `"${version}"` };
}

type Route = { kind: "collection" } | { kind: "item"; id: string } | { kind: "none" };

function matchRoute(path: string): Route {
  const segments = path.split("/").filter((s) => s.length > 0);
  if (segments[0] !== "items" || segments.length > 2) return { kind: "none" };
  if (segments.length === 1) return { kind: "collection" };
  return { kind: "item", id: decodePathSegment(segments[1], "item id") };
}

const ALLOWED = { collection: "GET, POST", item: "GET, PUT, DELETE" } as const;

async function dispatch(
  service: ItemsService,
  req: ItemsHttpRequest,
  options: RouterOptions,
): Promise<ItemsHttpResponse> {
  const method = req.method.toUpperCase();
  const route = matchRoute(req.path);
  const body = () => {
    const raw = req.body;
    const text = Buffer.isBuffer(raw) ? raw.toString("base64") : (raw ?? undefined);
    return parseJsonBody(
      {
        body: text,
        isBase64Encoded: Buffer.isBuffer(raw) || req.isBase64Encoded === true,
        headers: Object.fromEntries(
          Object.entries(req.headers ?? {}).filter(([, v]) => v !== undefined),
        ) as Record<string, string>,
      },
      options.maxBodyBytes ?? MAX_BODY_BYTES,
    );
  };

  if (route.kind === "collection") {
    if (method === "POST") {
      const { item, replayed } = await service.create(body(), header(req, IDEMPOTENCY_KEY_HEADER));
      return respond(201, item, {
        location: `/items/${item.id}`,
        ...etag(item.version),
        ...(replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: "true" } : {}),
      });
    }
    if (method === "GET") return respond(200, await service.list(req.query ?? {}));
    return respond(405, errorBody(405, `${method} is not allowed on /items`), {
      allow: ALLOWED.collection,
    });
  }
  if (route.kind === "item") {
    if (method === "GET") {
      const item = await service.get(route.id);
      return respond(200, item, etag(item.version));
    }
    if (method === "PUT") {
      const item = await service.update(route.id, body());
      return respond(200, item, etag(item.version));
    }
    if (method === "DELETE") {
      await service.delete(route.id, parseVersionTag(header(req, "if-match")));
      return { statusCode: 204, headers: { "cache-control": "no-store" }, body: "" };
    }
    return respond(405, errorBody(405, `${method} is not allowed on /items/{id}`), {
      allow: ALLOWED.item,
    });
  }
  return respond(404, errorBody(404, `no route for ${method} ${req.path}`));
}

/** Handles one request; never throws. */
export async function handleItemsRequest(
  service: ItemsService,
  req: ItemsHttpRequest,
  options: RouterOptions = {},
): Promise<ItemsHttpResponse> {
  const started = Date.now();
  let res: ItemsHttpResponse;
  try {
    res = await dispatch(service, req, options);
  } catch (e) {
    if (e instanceof HttpError && e.status >= 400 && e.status < 500) {
      res = respond(e.status, errorBody(e.status, e.message, e.details));
    } else {
      options.logger?.error("items request failed", {
        error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : e,
      });
      const fault = classifyFault(e);
      res = respond(fault.status, errorBody(fault.status, fault.message), fault.headers);
    }
  }
  const entry = {
    method: req.method,
    path: req.path,
    status: res.statusCode,
    durationMs: Date.now() - started,
  };
  if (res.statusCode < 400) options.logger?.info("items request", entry);
  else if (res.statusCode < 500) options.logger?.warn("items request rejected", entry);
  return res;
}
