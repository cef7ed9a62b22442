import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { expect } from "chai";
import fc from "fast-check";
import { makeHandler, stagePath } from "../../functions/items-api/handler";
import { BUSINESS_METRICS } from "../../functions/lib/businessMetrics";
import type { FigureSink } from "../../functions/lib/metrics";
import {
  ItemsRepository,
  ItemsService,
  LIMITS,
  createItemSchema,
  createItemsService,
  decodeCursor,
  encodeCursor,
  updateItemSchema,
} from "../../functions/lib/items";
import { MAX_BODY_BYTES } from "../../functions/lib/http";
import { idForKey } from "../../functions/lib/idempotency";
import * as faults from "./support/awsFaults";
import { detachedDoc, LocalDynamo, startDynalite } from "./support/dynalite";
import { HttpApiRequest, httpApiEvent } from "./support/httpApi";

const TABLE = "items";
const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand"]);

/** A JSON request to the items API. */
const apiEvent = (method: string, path: string, options: HttpApiRequest = {}) =>
  httpApiEvent(method, path, {
    ...options,
    headers: { "content-type": "application/json", ...options.headers },
  });

type Handler = (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
const parse = (res: APIGatewayProxyStructuredResultV2) =>
  res.body ? JSON.parse(res.body) : undefined;

describe("functions/items-api (against dynalite)", () => {
  let local: LocalDynamo;
  let client: DynamoDBClient;
  let handler: Handler;
  let service: ItemsService;
  const sent: string[] = [];
  let clock = Date.parse("2026-01-01T00:00:00Z");

  before(async () => {
    local = await startDynalite();
    client = local.client;
    // Records every command the service sends, to prove bad requests write nothing.
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: "initialize", name: "recordCommands" },
    );
    await local.createTable(TABLE);
    service = createItemsService(TABLE, {
      client,
      now: () => new Date((clock += 1000)),
    });
    handler = makeHandler({ service });
  });

  after(async () => {
    await local?.close();
  });

  const count = async () =>
    (await client.send(new ScanCommand({ TableName: TABLE, Select: "COUNT" }))).Count ?? 0;
  const post = (body: unknown) =>
    handler(apiEvent("POST", "/items", { body: JSON.stringify(body) }));

  describe("CRUD", () => {
    it("creates an item with a server id, version 1 and timestamps", async () => {
      const res = await post({ name: "lamp", tags: ["home"], attributes: { watts: 40 } });
      expect(res.statusCode).to.equal(201);
      const item = parse(res);
      expect(item.id).to.match(/^[0-9a-f-]{36}$/);
      expect(item).to.include({ name: "lamp", version: 1 });
      expect(item.createdAt).to.equal(item.updatedAt);
      expect(res.headers).to.include({ location: `/items/${item.id}`, etag: '"1"' });
    });

    it("reads, replaces (version + 1, optional fields removed) and deletes", async () => {
      const created = parse(await post({ name: "desk", description: "oak", tags: ["office"] }));
      const got = await handler(apiEvent("GET", `/items/${created.id}`));
      expect(got.statusCode).to.equal(200);
      expect(parse(got)).to.deep.equal(created);

      const put = await handler(
        apiEvent("PUT", `/items/${created.id}`, {
          body: JSON.stringify({ name: "desk v2", version: 1 }),
        }),
      );
      expect(put.statusCode).to.equal(200);
      const updated = parse(put);
      expect(updated).to.include({ id: created.id, name: "desk v2", version: 2 });
      expect(updated).not.to.have.property("description");
      expect(updated).not.to.have.property("tags");
      expect(updated.createdAt).to.equal(created.createdAt);
      expect(updated.updatedAt > created.updatedAt).to.equal(true);

      const del = await handler(apiEvent("DELETE", `/items/${created.id}`));
      expect(del.statusCode).to.equal(204);
      expect((await handler(apiEvent("GET", `/items/${created.id}`))).statusCode).to.equal(404);
    });

    it("accepts base64 bodies and keeps unicode intact", async () => {
      const body = Buffer.from(JSON.stringify({ name: "Café ☕ 日本" })).toString("base64");
      const res = await handler(apiEvent("POST", "/items", { body, base64: true }));
      expect(res.statusCode).to.equal(201);
      expect(parse(res).name).to.equal("Café ☕ 日本");
    });
  });

  describe("404s", () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    it("answers 404 JSON for GET, PUT and DELETE of an unknown id", async () => {
      for (const [method, body] of [
        ["GET", undefined],
        ["PUT", JSON.stringify({ name: "x", version: 1 })],
        ["DELETE", undefined],
      ] as const) {
        const res = await handler(apiEvent(method, `/items/${missing}`, { body }));
        expect(res.statusCode, method).to.equal(404);
        expect(parse(res).error).to.deep.include({ status: 404 });
        expect(parse(res).error.message).to.contain(missing);
      }
    });

    it("answers 404 for unknown paths and 405 for unsupported methods", async () => {
      expect((await handler(apiEvent("GET", "/nothing"))).statusCode).to.equal(404);
      expect((await handler(apiEvent("GET", "/items/a/b"))).statusCode).to.equal(404);
      const res = await handler(apiEvent("PATCH", "/items"));
      expect(res.statusCode).to.equal(405);
      expect(res.headers).to.include({ allow: "GET, POST" });
    });
  });

  describe("optimistic concurrency", () => {
    it("lets exactly one of two concurrent updates of the same version win; the other gets 409", async () => {
      const { id } = parse(await post({ name: "counter" }));
      const update = (name: string) =>
        handler(apiEvent("PUT", `/items/${id}`, { body: JSON.stringify({ name, version: 1 }) }));
      const results = await Promise.all([update("a"), update("b")]);
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).to.deep.equal([200, 409]);
      const conflict = parse(results.find((r) => r.statusCode === 409)!);
      expect(conflict.error.details).to.deep.equal({ expectedVersion: 1, currentVersion: 2 });
      const winner = parse(results.find((r) => r.statusCode === 200)!);
      expect(parse(await handler(apiEvent("GET", `/items/${id}`)))).to.deep.equal(winner);
    });

    it("answers 409 to a stale version and to a stale If-Match on delete", async () => {
      const { id } = parse(await post({ name: "stale" }));
      const ok = await handler(
        apiEvent("PUT", `/items/${id}`, { body: JSON.stringify({ name: "s2", version: 1 }) }),
      );
      expect(ok.statusCode).to.equal(200);
      const stale = await handler(
        apiEvent("PUT", `/items/${id}`, { body: JSON.stringify({ name: "s3", version: 1 }) }),
      );
      expect(stale.statusCode).to.equal(409);
      const del = await handler(
        apiEvent("DELETE", `/items/${id}`, { headers: { "if-match": '"1"' } }),
      );
      expect(del.statusCode).to.equal(409);
      const del2 = await handler(
        apiEvent("DELETE", `/items/${id}`, { headers: { "if-match": 'W/"2"' } }),
      );
      expect(del2.statusCode).to.equal(204);
    });
  });

  describe("pagination", () => {
    it("walks every item exactly once across pages with an opaque cursor", async () => {
      for (let i = 0; i < 23; i++) await post({ name: `page item ${i}` });
      const total = await count();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query: Record<string, string> = { limit: "7", ...(cursor ? { cursor } : {}) };
        const res = await handler(apiEvent("GET", "/items", { query }));
        expect(res.statusCode).to.equal(200);
        const page = parse(res);
        expect(page.items.length).to.be.at.most(7);
        seen.push(...page.items.map((i: { id: string }) => i.id));
        cursor = page.nextCursor;
        if (cursor) expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
        pages++;
      } while (cursor && pages < 50);
      expect(pages).to.be.greaterThan(3);
      expect(seen.length).to.equal(total);
      expect(new Set(seen).size).to.equal(total);
    });

    it("defaults the page size and round-trips cursors", async () => {
      const page = parse(await handler(apiEvent("GET", "/items")));
      expect(page.items.length).to.equal(LIMITS.pageDefault);
      expect(decodeCursor(page.nextCursor)).to.deep.equal({ id: page.items.at(-1).id });
      expect(decodeCursor(encodeCursor({ id: "abc" }))).to.deep.equal({ id: "abc" });
    });
  });

  describe("replays and oversized bodies", () => {
    it("does not apply a replayed PUT or DELETE twice: 409 for the spent version, 404 once deleted", async () => {
      const { id } = parse(await post({ name: "replayed" }));
      const put = () =>
        handler(
          apiEvent("PUT", `/items/${id}`, { body: JSON.stringify({ name: "r2", version: 1 }) }),
        );
      expect((await put()).statusCode).to.equal(200);
      const replay = await put();
      expect(replay.statusCode).to.equal(409);
      expect(parse(replay).error.details).to.deep.equal({ expectedVersion: 1, currentVersion: 2 });
      expect(parse(await handler(apiEvent("GET", `/items/${id}`))).version).to.equal(2);

      const del = () =>
        handler(apiEvent("DELETE", `/items/${id}`, { headers: { "if-match": '"2"' } }));
      expect((await del()).statusCode).to.equal(204);
      expect((await del()).statusCode).to.equal(404);
    });

    it("answers 413 to a body over 64 KiB before parsing it, and writes nothing", async () => {
      const before = await count();
      sent.length = 0;
      const big = JSON.stringify({ name: "big", description: "d".repeat(MAX_BODY_BYTES) });
      for (const [res, what] of [
        [await handler(apiEvent("POST", "/items", { body: big })), "plain"],
        [
          await handler(
            apiEvent("POST", "/items", { body: Buffer.from(big).toString("base64"), base64: true }),
          ),
          "base64",
        ],
        [
          await handler(
            apiEvent("PUT", "/items/11111111-1111-4111-8111-111111111111", { body: big }),
          ),
          "PUT",
        ],
      ] as const) {
        expect(res.statusCode, what).to.equal(413);
        expect(parse(res).error.message, what).to.match(/limit is 65536/);
      }
      expect(sent).to.deep.equal([]);
      expect(await count()).to.equal(before);
    });
  });

  describe("Idempotency-Key on POST /items", () => {
    const postWithKey = (key: string, body: unknown) =>
      handler(
        apiEvent("POST", "/items", {
          body: JSON.stringify(body),
          headers: { "idempotency-key": key },
        }),
      );
    const stored = async (id: string) =>
      (await client.send(new ScanCommand({ TableName: TABLE }))).Items?.filter(
        (i) => i.id?.S === id,
      ) ?? [];

    it("replays a retried POST with the same Idempotency-Key: one row, the same 201 response", async () => {
      const key = "retry-key-1 ~ with spaces & symbols";
      const body = { name: "kettle", tags: ["kitchen"], attributes: { litres: 1.7, steel: true } };
      const before = await count();
      const first = await postWithKey(key, body);
      expect(first.statusCode).to.equal(201);
      expect(first.headers).not.to.have.property("idempotent-replayed");
      const created = parse(first);
      expect(created.id).to.equal(idForKey("item", key));

      // The same body with its keys in another order, header name in another case.
      const retry = await handler(
        apiEvent("POST", "/items", {
          body: JSON.stringify({
            attributes: { steel: true, litres: 1.7 },
            tags: ["kitchen"],
            name: "kettle",
          }),
          headers: { "Idempotency-Key": key },
        }),
      );
      expect(retry.statusCode).to.equal(201);
      expect(parse(retry)).to.deep.equal(created);
      expect(retry.headers).to.include({
        location: `/items/${created.id}`,
        etag: '"1"',
        "idempotent-replayed": "true",
      });
      expect(await count()).to.equal(before + 1);
      expect(await stored(created.id)).to.have.length(1);

      // The fingerprint stays internal: reads and updates return the item only.
      expect(parse(await handler(apiEvent("GET", `/items/${created.id}`)))).to.deep.equal(created);
      const listed = parse(await handler(apiEvent("GET", "/items", { query: { limit: "100" } })));
      for (const item of listed.items) expect(item).not.to.have.property("requestHash");
      const put = await handler(
        apiEvent("PUT", `/items/${created.id}`, {
          body: JSON.stringify({ name: "kettle 2", version: 1 }),
        }),
      );
      expect(parse(put)).not.to.have.property("requestHash");
      // A retry after the update answers with the item as it is now, still without writing.
      const late = await postWithKey(key, body);
      expect(late.statusCode).to.equal(201);
      expect(parse(late)).to.include({ id: created.id, name: "kettle 2", version: 2 });
      expect(await count()).to.equal(before + 1);

      // Without the key, every POST is a new item (server-generated ids).
      const a = parse(await post(body));
      const b = parse(await post(body));
      expect(a.id).not.to.equal(b.id);
      expect(await count()).to.equal(before + 3);
    });

    it("answers 422 to the same Idempotency-Key with a different body, and writes nothing", async () => {
      const key = "reused-key";
      const created = parse(await postWithKey(key, { name: "chair" }));
      const before = await count();
      const row = await stored(created.id);
      for (const other of [{ name: "table" }, { name: "chair", tags: ["x"] }]) {
        const res = await postWithKey(key, other);
        expect(res.statusCode).to.equal(422);
        expect(parse(res).error.message).to.equal(
          "Idempotency-Key was already used for a different item; use a new key for a new item",
        );
      }
      expect(await count()).to.equal(before);
      expect(await stored(created.id)).to.deep.equal(row);
    });

    it("answers 400 to a bad Idempotency-Key before touching the table", async () => {
      const before = await count();
      sent.length = 0;
      for (const key of ["", "k".repeat(129), "clé", "tab\there", "line\nbreak"]) {
        const res = await postWithKey(key, { name: "x" });
        expect(res.statusCode, JSON.stringify(key)).to.equal(400);
        expect(parse(res).error.message).to.equal(
          "Idempotency-Key must be 1-128 printable ASCII characters",
        );
      }
      expect(sent).to.deep.equal([]);
      expect(await count()).to.equal(before);
      // The bounds themselves are accepted.
      expect((await postWithKey("k".repeat(128), { name: "x" })).statusCode).to.equal(201);
      expect((await postWithKey("!", { name: "x" })).statusCode).to.equal(201);
    });

    it("creates exactly one row for concurrent POSTs with the same Idempotency-Key", async () => {
      const key = "concurrent-key";
      const before = await count();
      const results = await Promise.all(
        Array.from({ length: 12 }, () => postWithKey(key, { name: "race", tags: ["a", "b"] })),
      );
      expect(results.map((r) => r.statusCode)).to.deep.equal(Array(12).fill(201));
      const bodies = results.map(parse);
      for (const body of bodies) expect(body).to.deep.equal(bodies[0]);
      expect(
        results.filter((r) => r.headers?.["idempotent-replayed"] === undefined),
      ).to.have.length(1);
      expect(await count()).to.equal(before + 1);
      expect(await stored(idForKey("item", key))).to.have.length(1);
    });
  });

  it("counts its business figures per request: written, replayed (dropped), refused", async () => {
    const figures: Record<string, number> = {};
    const withFigures = makeHandler({
      service,
      metrics: {
        addMetric: (name: string, _unit: unknown, value: number) => {
          figures[name] = (figures[name] ?? 0) + value;
        },
      } as FigureSink,
    });
    const key = "figures-key-1";
    const create = () =>
      withFigures(
        apiEvent("POST", "/items", {
          body: JSON.stringify({ name: "counted" }),
          headers: { "idempotency-key": key },
        }),
      );
    expect((await create()).statusCode).to.equal(201);
    expect((await create()).headers?.["idempotent-replayed"]).to.equal("true");
    expect((await withFigures(apiEvent("POST", "/items", { body: "{" }))).statusCode).to.equal(400);
    const missing = await withFigures(
      apiEvent("GET", "/items/00000000-0000-4000-8000-000000000000"),
    );
    expect(missing.statusCode).to.equal(404);
    expect(figures).to.deep.equal({
      [BUSINESS_METRICS.itemsWritten]: 1,
      [BUSINESS_METRICS.duplicatesDropped]: 1,
      [BUSINESS_METRICS.recordsRefused]: 1,
    });
  });

  it("maps named stages to the path below the stage", () => {
    const e = apiEvent("GET", "/prod/items");
    e.requestContext.stage = "prod";
    expect(stagePath(e)).to.equal("/items");
    expect(stagePath(apiEvent("GET", "/items"))).to.equal("/items");
  });

  describe("bad requests (property-based)", () => {
    const uuid = "11111111-1111-4111-8111-111111111111";
    const notCreate = (v: unknown) => !createItemSchema.safeParse(v).success;
    const notUpdate = (v: unknown) => !updateItemSchema.safeParse(v).success;
    const jsonValue = fc.jsonValue({ maxDepth: 3 });
    const wrongType = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }),
    );
    const validFields = fc.record(
      { name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0) },
      { requiredKeys: ["name"] },
    );
    const knownKeys = ["name", "description", "tags", "attributes", "version"];

    /** Bodies that must be refused, each mutation of a valid body or not JSON at all. */
    const badBody = (forUpdate: boolean) =>
      fc.oneof(
        // Not JSON.
        fc.string({ maxLength: 40 }).filter((s) => {
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        }),
        // JSON that is not a valid item (arbitrary values: numbers, arrays, objects, strings).
        jsonValue
          .filter((v) => (forUpdate ? notUpdate(v) : notCreate(v)))
          .map((v) => JSON.stringify(v)),
        // A valid body plus an unknown field.
        fc
          .tuple(
            validFields,
            fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !knownKeys.includes(k)),
            jsonValue,
          )
          .map(([f, k, v]) =>
            JSON.stringify({ ...f, ...(forUpdate ? { version: 1 } : {}), [k]: v }),
          ),
        // A known field of the wrong type.
        fc
          .tuple(
            validFields,
            fc.constantFrom("name", "description", "tags", "attributes"),
            wrongType,
          )
          .filter(
            ([, k, v]) =>
              !(k === "attributes" && typeof v === "object" && v !== null && !Array.isArray(v)) &&
              !(k === "tags" && Array.isArray(v)),
          )
          .map(([f, k, v]) =>
            JSON.stringify({ ...f, ...(forUpdate ? { version: 1 } : {}), [k]: v }),
          ),
        // Too long, blank, nested or out-of-range values.
        fc.constantFrom(
          JSON.stringify({ name: "x".repeat(LIMITS.name + 1) }),
          JSON.stringify({ name: "   " }),
          JSON.stringify({ name: "a", tags: Array.from({ length: LIMITS.tags + 1 }, () => "t") }),
          JSON.stringify({ name: "a", attributes: { nested: { deep: 1 } } }),
          JSON.stringify({ name: "a", attributes: { n: 1e300 } }),
          JSON.stringify({ name: "a", attributes: { n: 1e-200 } }),
          JSON.stringify({ name: "a", attributes: { "bad key": 1 } }),
          '{"name":"\\ud800"}',
          JSON.stringify({ name: "a", description: "d".repeat(70_000) }),
        ),
        // Missing (update) or bad version; POST must refuse any `version`.
        fc
          .oneof(
            forUpdate ? fc.constant(undefined) : fc.constant(1),
            fc.constantFrom(0, -1, 1.5, "1", null),
          )
          .map((version) => JSON.stringify({ name: "a", version })),
      );

    const badRequest: fc.Arbitrary<APIGatewayProxyEventV2> = fc.oneof(
      badBody(false).map((body) => apiEvent("POST", "/items", { body })),
      badBody(true).map((body) => apiEvent("PUT", `/items/${uuid}`, { body })),
      fc.constantFrom("", undefined).map((body) => apiEvent("POST", "/items", { body })),
      fc
        .constantFrom("text/plain", "application/xml", "multipart/form-data")
        .map((ct) =>
          apiEvent("POST", "/items", { body: '{"name":"a"}', headers: { "content-type": ct } }),
        ),
      // Ids that cannot exist.
      fc
        .tuple(
          fc.constantFrom("GET", "PUT", "DELETE"),
          fc
            .string({ minLength: 1, maxLength: 40 })
            .filter((s) => !s.includes("/") && s.trim() === s),
        )
        .map(([method, id]) =>
          apiEvent(method, `/items/${encodeURIComponent(id)}`, {
            body: JSON.stringify({ name: "a", version: 1 }),
          }),
        ),
      fc.constant(apiEvent("GET", "/items/%E0%A4%A")),
      // Bad limits, cursors and unknown parameters.
      fc
        .oneof(
          fc.constantFrom("0", "101", "-1", "1.5", "abc", "", "1e2", "99999"),
          fc.integer({ min: LIMITS.pageMax + 1 }).map(String),
        )
        .map((limit) => apiEvent("GET", "/items", { query: { limit } })),
      fc
        .oneof(
          fc.string({ minLength: 1, maxLength: 60 }),
          jsonValue.map((v) => Buffer.from(JSON.stringify(v)).toString("base64url")),
          fc.constant(Buffer.from('{"v":1,"k":7}').toString("base64url")),
          fc.constant(Buffer.from('{"v":1,"k":"a","x":1}').toString("base64url")),
          fc.constant("A".repeat(LIMITS.cursor + 1)),
        )
        .map((cursor) => apiEvent("GET", "/items", { query: { cursor } })),
      fc
        .string({ minLength: 1, maxLength: 10 })
        .filter((k) => k !== "limit" && k !== "cursor")
        .map((k) => apiEvent("GET", "/items", { query: { [k]: "1" } })),
      // Bad If-Match on delete.
      fc
        .constantFrom("abc", '"0"', "*", "-1")
        .map((tag) => apiEvent("DELETE", `/items/${uuid}`, { headers: { "if-match": tag } })),
    );

    it("answers every one of 600 generated bad requests with a 4xx JSON error and writes nothing", async () => {
      const before = await count();
      sent.length = 0;
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(badRequest, async (event) => {
          runs++;
          const res = await handler(event);
          expect(
            res.statusCode,
            `${event.requestContext.http.method} ${event.rawPath} ${event.body?.slice(0, 80)}`,
          ).to.be.within(400, 499);
          expect(res.headers?.["content-type"]).to.equal("application/json");
          const body = parse(res);
          expect(body.error.status).to.equal(res.statusCode);
          expect(body.error.message).to.be.a("string").and.not.equal("");
        }),
        { numRuns: 600, seed: 20260101 },
      );
      expect(runs).to.be.at.least(600);
      expect(sent.filter((c) => WRITES.has(c))).to.deep.equal([]);
      expect(await count()).to.equal(before);
    });
  });

  describe("AWS faults injected with aws-sdk-client-mock", () => {
    const doc = detachedDoc();
    const stub = () => mockClient(doc);
    let ddb: ReturnType<typeof stub>;
    const logged: { message: string; extra: Record<string, unknown> }[] = [];
    const logger = {
      info: () => undefined,
      warn: () => undefined,
      error: (message: string, extra: Record<string, unknown>) =>
        void logged.push({ message, extra }),
    };
    const handler = makeHandler({
      service: new ItemsService({ repository: new ItemsRepository(doc, "items") }),
      logger,
    });
    const id = "11111111-1111-4111-8111-111111111111";
    const requests = () => [
      apiEvent("POST", "/items", { body: JSON.stringify({ name: "x" }) }),
      apiEvent("GET", "/items"),
      apiEvent("GET", `/items/${id}`),
      apiEvent("PUT", `/items/${id}`, { body: JSON.stringify({ name: "x", version: 1 }) }),
      apiEvent("DELETE", `/items/${id}`),
    ];
    const failEveryCommand = (error: () => Error) => {
      ddb.reset();
      ddb.onAnyCommand().callsFake(async () => Promise.reject(error()));
    };

    before(() => (ddb = stub()));
    after(() => ddb.restore());
    beforeEach(() => (logged.length = 0));

    it("answers 503 with Retry-After on every route when DynamoDB throttles, without internals", async () => {
      for (const error of [
        faults.dynamo.throughputExceeded,
        faults.dynamo.throttling,
        () => Object.assign(new Error("x"), { name: "RequestLimitExceeded" }),
      ]) {
        failEveryCommand(error);
        for (const event of requests()) {
          const res = await handler(event);
          const what = `${error().name} ${event.routeKey}`;
          expect(res.statusCode, what).to.equal(503);
          expect(res.headers, what).to.include({ "retry-after": "1" });
          expect(parse(res), what).to.deep.equal({
            error: { status: 503, message: "the service is busy; retry shortly" },
          });
          expect(res.body, what).not.to.contain("secret-table");
        }
      }
      expect(logged.map((l) => l.message)).to.include("items request failed");
    });

    it("answers 500 without internals when DynamoDB fails (InternalServerError, missing table), and logs the cause", async () => {
      for (const error of [faults.dynamo.internal, faults.dynamo.missingTable]) {
        failEveryCommand(error);
        for (const event of requests()) {
          const res = await handler(event);
          expect(res.statusCode, event.routeKey).to.equal(500);
          expect(parse(res)).to.deep.equal({ error: { status: 500, message: "internal error" } });
          expect(res.body).not.to.contain("secret-table");
        }
      }
      expect(logged).to.have.length(10);
      expect((logged[0].extra.error as { name: string }).name).to.equal("InternalServerError");
      expect((logged[9].extra.error as { message: string }).message).to.contain("secret-table");
    });
  });
});
