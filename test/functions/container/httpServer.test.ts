import { expect } from "chai";
import * as http from "node:http";
import {
  ContainerServer,
  HttpRequest,
  jsonResponse,
  parseTarget,
} from "../../../functions/lib/container/httpServer";
import * as faults from "../support/awsFaults";
import { call, memoryLogger, refusesConnections, sleep } from "../support/containers";

/** A raw request with a chunked body (no content-length), to test the streaming size limit. */
function chunkedPost(port: number, path: string, chunks: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", path, method: "POST" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("ContainerServer (Node http on localhost)", () => {
  let server: ContainerServer;
  let base: string;
  let port: number;
  let seen: HttpRequest[];
  let healthy = true;
  const logger = memoryLogger();

  before(async () => {
    seen = [];
    server = new ContainerServer({
      logger,
      maxBodyBytes: 1024,
      isHealthy: () => healthy,
      handler: async (req) => {
        seen.push(req);
        if (req.path === "/boom") throw new Error("secret internals");
        if (req.path === "/throttled") throw faults.dynamo.throughputExceeded();
        if (req.path === "/slow") await sleep(150);
        return jsonResponse(200, { path: req.path, bytes: req.body?.length ?? 0 });
      },
    });
    port = await server.start(0, "127.0.0.1");
    base = `http://127.0.0.1:${port}`;
  });

  after(() => server.stop(100));

  it("keeps idle connections open longer than the ALB's 60 s idle timeout", () => {
    expect(server.server.keepAliveTimeout).to.equal(65_000);
    expect(server.server.headersTimeout).to.be.greaterThan(server.server.keepAliveTimeout);
  });

  it("answers /health itself (503 when the app says it is unhealthy) without calling the app", async () => {
    expect((await call(base, "GET", "/health")).body).to.deep.equal({ status: "ok" });
    healthy = false;
    expect((await call(base, "GET", "/health")).status).to.equal(503);
    healthy = true;
    expect(seen.filter((r) => r.path === "/health")).to.have.length(0);
  });

  it("hands the app method, raw path, first query values, lowercase headers and the body", async () => {
    await call(base, "put", "/items/a%20b?limit=2&limit=3&cursor=x", {
      body: { a: 1 },
      headers: { "If-Match": '"1"' },
    });
    const req = seen[seen.length - 1];
    expect(req.method).to.equal("PUT");
    expect(req.path).to.equal("/items/a%20b");
    expect(req.query).to.deep.equal({ limit: "2", cursor: "x" });
    expect(req.headers["if-match"]).to.equal('"1"');
    expect(req.body?.toString()).to.equal('{"a":1}');
    expect(parseTarget("/x?y=1")).to.deep.equal({ path: "/x", query: { y: "1" } });
  });

  it("rejects bodies over the limit with 413, by content-length and while streaming", async () => {
    const before = seen.length;
    const declared = await call(base, "POST", "/items", { body: "x".repeat(2000) });
    expect(declared.status).to.equal(413);
    expect(declared.body).to.have.nested.property("error.status", 413);
    const streamed = await chunkedPost(port, "/items", [Buffer.alloc(600), Buffer.alloc(600)]);
    expect(streamed).to.equal(413);
    expect(seen.length, "the app never sees an oversized request").to.equal(before);
  });

  it("turns an app failure into a 500 without internals, and logs it", async () => {
    const res = await call(base, "GET", "/boom");
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error: { status: 500, message: "internal error" } });
    expect(res.text).not.to.contain("secret");
    expect(
      logger.lines.some((l) => l.level === "error" && l.message === "request failed"),
    ).to.equal(true);
  });

  it("turns AWS throttling in the app into a 503 with Retry-After, without internals", async () => {
    const res = await call(base, "GET", "/throttled");
    expect(res.status).to.equal(503);
    expect(res.headers.get("retry-after")).to.equal("1");
    expect(res.body).to.deep.equal({
      error: { status: 503, message: "the service is busy; retry shortly" },
    });
    expect(res.text).not.to.contain("secret-table");
  });

  it("answers 400 to a request target that is not a valid URL, without calling the app", async () => {
    const before = seen.length;
    const status = await new Promise<number>((resolve, reject) => {
      // "//" parses as a URL with an empty host: Node's http accepts it, WHATWG URL does not.
      const req = http.request({ port, host: "127.0.0.1", path: "//", method: "GET" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).to.equal(400);
    expect(seen.length).to.equal(before);
  });

  it("stops gracefully: in-flight requests finish, new connections are refused", async () => {
    const other = new ContainerServer({
      handler: async () => {
        await sleep(150);
        return jsonResponse(200, { done: true });
      },
    });
    const p = await other.start(0, "127.0.0.1");
    const inFlight = call(`http://127.0.0.1:${p}`, "GET", "/slow");
    await sleep(30);
    const stopped = other.stop(2_000);
    expect(other.isDraining).to.equal(true);
    const res = await inFlight;
    expect(res.status).to.equal(200);
    expect(res.headers.get("connection")).to.equal("close");
    await stopped;
    expect(await refusesConnections(`http://127.0.0.1:${p}`)).to.equal(true);
  });
});
