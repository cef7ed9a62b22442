/**
 * The Node `http` front of a container app: reads the request (with a size limit), hands a
 * transport-neutral request to the app's handler and writes its response. Adds `/health` for the
 * load balancer and ECS, keep-alive timeouts that suit an ALB, and a graceful stop.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_BODY_BYTES, classifyFault, errorBody } from "../http";

/** A request as the app sees it (the items router's `ItemsHttpRequest` has the same shape). */
export interface HttpRequest {
  method: string;
  /** Raw path, not decoded (routers decode their own segments). */
  path: string;
  query: Record<string, string | undefined>;
  /** Header names lowercase. */
  headers: Record<string, string | undefined>;
  body: Buffer | null;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse>;

/** What the server logs through; Powertools' Logger fits. */
export interface ServerLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface ContainerServerOptions {
  handler: HttpHandler;
  /** Largest accepted request body in bytes. Default: 64 KiB (`MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Health endpoint answered by the server itself. Default: "/health". */
  healthPath?: string;
  /** Extra health condition (e.g. a worker still polling). Default: always healthy. */
  isHealthy?: () => boolean;
  logger?: ServerLogger;
  /**
   * Called once a response has been sent, health checks excepted (the app's business figures,
   * functions/lib/container/figures.ts). Must not throw.
   * @default none
   */
  onResponse?: (req: Pick<HttpRequest, "method" | "path">, res: HttpResponse) => void;
  /**
   * Idle keep-alive time (ms). Must exceed the load balancer's idle timeout (60 s), or the app may
   * close a connection the ALB is about to reuse and the client sees a 502. Default: 65 000.
   */
  keepAliveTimeoutMs?: number;
  /** Time (ms) a whole request may take to arrive. Default: 30 000. */
  requestTimeoutMs?: number;
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/** A JSON error response with the body every API of the project returns (`errorBody`). */
export function errorResponse(status: number, message: string, details?: unknown): HttpResponse {
  return jsonResponse(status, errorBody(status, message, details));
}

/** 405 for `method` on `route`, naming the methods it allows (`Allow` header). */
export function methodNotAllowed(method: string, route: string, allow: string): HttpResponse {
  const res = errorResponse(405, `${method} is not allowed on ${route}`);
  return { ...res, headers: { ...res.headers, allow } };
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode: status,
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering; the rest of the upload is discarded.
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(size === 0 ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Splits the raw URL into path and query (first value wins for a repeated parameter), with the
 * routing semantics of the Lambda behind API Gateway: the path as sent, dot segments kept (WHATWG
 * URL parsing would resolve `/items/<id>/..` to `/items/`, a create), and every parameter name an
 * own key, `constructor` and `__proto__` included. Throws when the target is not a valid URL.
 */
export function parseTarget(rawUrl: string): Pick<HttpRequest, "path" | "query"> {
  const url = new URL(rawUrl, "http://localhost");
  if (!rawUrl.startsWith("/")) throw new TypeError("request target must be a path");
  const entries: [string, string][] = [];
  for (const [k, v] of url.searchParams) {
    if (!entries.some(([seen]) => seen === k)) entries.push([k, v]);
  }
  // Object.fromEntries defines own properties: no prototype lookups, no prototype setter.
  return { path: rawUrl.split(/[?#]/, 1)[0], query: Object.fromEntries(entries) };
}

/**
 * An HTTP server for one container app. `start(port)` listens (port 0 picks a free one) and
 * resolves with the port; `stop()` answers health checks with 503, stops accepting connections,
 * lets in-flight requests finish (closing idle keep-alive connections at once) and resolves when
 * the last one has, or after `graceMs` by closing the rest.
 */
export class ContainerServer {
  readonly server: http.Server;
  private draining = false;
  private readonly maxBodyBytes: number;
  private readonly healthPath: string;

  constructor(private readonly options: ContainerServerOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.healthPath = options.healthPath ?? "/health";
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
    // Node requires headersTimeout > keepAliveTimeout for reused connections.
    this.server.headersTimeout = this.server.keepAliveTimeout + 1_000;
    this.server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  start(port: number, host = "0.0.0.0"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.draining = true;
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    let response: HttpResponse;
    let target: Pick<HttpRequest, "path" | "query"> | undefined;
    try {
      target = parseTarget(req.url ?? "/");
      response = await this.route(req, target);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        response = errorResponse(413, `request body exceeds ${this.maxBodyBytes} bytes`);
      } else if (e instanceof TypeError && target === undefined) {
        response = errorResponse(400, "request target is not a valid URL");
      } else {
        this.options.logger?.error("request failed", {
          error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : e,
        });
        // 503 + Retry-After when AWS throttled the app, 500 otherwise; never the error's text.
        const fault = classifyFault(e);
        response = errorResponse(fault.status, fault.message);
        Object.assign(response.headers, fault.headers);
      }
    }
    const headers: Record<string, string> = { ...response.headers };
    // While draining, ask clients to open new connections (to tasks that are staying).
    if (this.draining) headers.connection = "close";
    res.writeHead(response.statusCode, headers);
    res.end(response.body);
    if (target?.path !== this.healthPath) {
      this.options.onResponse?.(
        { method: (req.method ?? "GET").toUpperCase(), path: target?.path ?? req.url ?? "/" },
        response,
      );
      const entry = {
        method: req.method,
        path: target?.path ?? req.url,
        status: response.statusCode,
        durationMs: Date.now() - started,
      };
      if (response.statusCode >= 500) this.options.logger?.error("request", entry);
      else this.options.logger?.info("request", entry);
    }
  }

  private async route(
    req: http.IncomingMessage,
    target: Pick<HttpRequest, "path" | "query">,
  ): Promise<HttpResponse> {
    const method = (req.method ?? "GET").toUpperCase();
    if (target.path === this.healthPath && (method === "GET" || method === "HEAD")) {
      const healthy = !this.draining && (this.options.isHealthy?.() ?? true);
      return jsonResponse(healthy ? 200 : 503, { status: healthy ? "ok" : "unavailable" });
    }
    const body = await readBody(req, this.maxBodyBytes);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    }
    return this.options.handler({ method, ...target, headers, body });
  }
}
