import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { ContainerServer } from "../../functions/lib/container/httpServer";
import { ItemsRepository, ItemsService, createItemsService } from "../../functions/lib/items";
import { createItemsApp } from "../../functions/containers/items-service/app";
import * as faults from "./support/awsFaults";
import {
  call,
  expectJsonErrors,
  fakeProcess,
  gate,
  memoryLogger,
  refusesConnections,
  sleep,
  until,
} from "./support/containers";
import { detachedDoc, LocalDynamo, startDynalite } from "./support/dynalite";

const TABLE = "items";
const ITEM = { name: "Widget", tags: ["blue"], attributes: { weight: 3 } };

describe("functions/containers/items-service (Node http server on localhost, against dynalite)", () => {
  let dynamo: LocalDynamo;
  let app: ContainerServer;
  let base: string;

  before(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable(TABLE, "id");
    const service = createItemsService(TABLE, { client: dynamo.client });
    app = createItemsApp({ service, logger: memoryLogger() });
    base = `http://127.0.0.1:${await app.start(0, "127.0.0.1")}`;
  });

  after(async () => {
    await app.stop(100);
    await dynamo.close();
  });

  it("answers the load balancer's health check", async () => {
    const res = await call(base, "GET", "/health");
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: "ok" });
  });

  it("serves the same items API as the Lambda flow: create, read, update, conflict, delete", async () => {
    const created = await call(base, "POST", "/items", { body: ITEM });
    expect(created.status).to.equal(201);
    const id = created.body.id as string;
    expect(created.headers.get("location")).to.equal(`/items/${id}`);
    expect(created.headers.get("etag")).to.equal('"1"');
    expect(created.body).to.include({ name: "Widget", version: 1 });

    const read = await call(base, "GET", `/items/${id}`);
    expect(read.status).to.equal(200);
    expect(read.body).to.deep.equal(created.body);

    const updated = await call(base, "PUT", `/items/${id}`, {
      body: { name: "Widget v2", version: 1 },
    });
    expect(updated.status).to.equal(200);
    expect(updated.body).to.include({ name: "Widget v2", version: 2 });
    expect(updated.body).not.to.have.property("tags");

    const stale = await call(base, "PUT", `/items/${id}`, { body: { name: "lost", version: 1 } });
    expect(stale.status).to.equal(409);
    expect(stale.body).to.have.nested.property("error.details.currentVersion", 2);

    expect((await call(base, "DELETE", `/items/${id}`)).status).to.equal(204);
    expect((await call(base, "GET", `/items/${id}`)).status).to.equal(404);
  });

  it("pages through the collection with an opaque cursor", async () => {
    for (const n of ["a", "b", "c"]) await call(base, "POST", "/items", { body: { name: n } });
    const first = await call(base, "GET", "/items?limit=2");
    expect(first.status).to.equal(200);
    expect(first.body.items).to.have.length(2);
    const cursor = first.body.nextCursor as string;
    expect(cursor).to.be.a("string");
    const second = await call(base, "GET", `/items?limit=2&cursor=${cursor}`);
    const names = [
      ...(first.body.items as { name: string }[]),
      ...(second.body.items as { name: string }[]),
    ]
      .map((i) => i.name)
      .sort();
    expect(names).to.deep.equal(["a", "b", "c"]);
  });

  it("answers bad requests with a 4xx JSON error and writes nothing", async () => {
    const before = (await dynamo.scan(TABLE)).length;
    await expectJsonErrors(base, [
      ["POST", "/items", { body: "{not json" }, 400],
      ["POST", "/items", { body: { name: "x", colour: "red" } }, 400],
      ["POST", "/items", { body: { name: 42 } }, 400],
      ["POST", "/items", { body: {} }, 400],
      ["POST", "/items", {}, 400],
      ["POST", "/items", { body: "name=x", headers: { "content-type": "text/plain" } }, 415],
      ["POST", "/items", { body: { name: "x".repeat(70 * 1024) } }, 413],
      ["GET", "/items?limit=abc", {}, 400],
      ["GET", "/items?cursor=%%%", {}, 400],
      ["GET", "/items?unknown=1", {}, 400],
      ["GET", "/items/not-a-uuid", {}, 400],
      ["PUT", "/items/4c0f6d5e-8f7a-4d3b-9c2e-1a2b3c4d5e6f", { body: { name: "x" } }, 400],
      ["PATCH", "/items", { body: { name: "x" } }, 405],
      ["GET", "/nothing-here", {}, 404],
    ]);
    expect((await dynamo.scan(TABLE)).length).to.equal(before);
  });

  it("honours Idempotency-Key over HTTP: a retry or a concurrent twin gets the same item, one row; 422 for another body, 400 for a bad key", async () => {
    const before = (await dynamo.scan(TABLE)).length;
    const send = (key: string, body: object = ITEM) =>
      call(base, "POST", "/items", { body, headers: { "Idempotency-Key": key } });

    const first = await send("http-retry-1");
    expect(first.status).to.equal(201);
    expect(first.headers.get("idempotent-replayed")).to.equal(null);
    const retry = await send("http-retry-1");
    expect(retry.status).to.equal(201);
    expect(retry.headers.get("idempotent-replayed")).to.equal("true");
    expect(retry.body).to.deep.equal(first.body);
    expect(retry.headers.get("location")).to.equal(`/items/${first.body.id as string}`);

    const twins = await Promise.all(Array.from({ length: 8 }, () => send("http-twins")));
    expect(twins.map((t) => t.status)).to.deep.equal(Array(8).fill(201));
    for (const t of twins) expect(t.body).to.deep.equal(twins[0].body);
    expect(twins.filter((t) => t.headers.get("idempotent-replayed") === null)).to.have.length(1);
    expect((await dynamo.scan(TABLE)).length).to.equal(before + 2);

    const reused = await send("http-retry-1", { name: "something else" });
    expect(reused.status).to.equal(422);
    expect(reused.body).to.have.nested.property("error.status", 422);
    await expectJsonErrors(base, [
      ["POST", "/items", { body: ITEM, headers: { "idempotency-key": "k".repeat(129) } }, 400],
      ["POST", "/items", { body: ITEM, headers: { "idempotency-key": "" } }, 400],
    ]);
    const rows = await dynamo.scan(TABLE);
    expect(rows.length).to.equal(before + 2);
    expect(rows.find((r) => r.id === first.body.id)).to.include({ name: "Widget", version: 1 });
  });

  it("answers 503 with Retry-After when DynamoDB throttles, 500 when it fails, without internals", async () => {
    const doc = detachedDoc();
    const ddb = mockClient(doc);
    const logger = memoryLogger();
    const faulty = createItemsApp({
      service: new ItemsService({ repository: new ItemsRepository(doc, TABLE) }),
      logger,
    });
    const url = `http://127.0.0.1:${await faulty.start(0, "127.0.0.1")}`;
    try {
      ddb.on(PutCommand).rejects(faults.dynamo.throughputExceeded());
      const throttled = await call(url, "POST", "/items", { body: ITEM });
      expect(throttled.status).to.equal(503);
      expect(throttled.headers.get("retry-after")).to.equal("1");
      expect(throttled.text).not.to.contain("secret-table");

      ddb.on(PutCommand).rejects(faults.dynamo.internal());
      const failed = await call(url, "POST", "/items", { body: ITEM });
      expect(failed.status).to.equal(500);
      expect(failed.body).to.deep.equal({ error: { status: 500, message: "internal error" } });
      expect(logger.lines.filter((l) => l.level === "error").length).to.be.greaterThan(0);
    } finally {
      ddb.restore();
      await faulty.stop(100);
    }
  });

  it("on SIGTERM mid-request: the in-flight write completes and is answered, then the process exits 0", async () => {
    // Holds the item's PutItem until released, as a slow DynamoDB call would.
    const held = gate();
    let writing = false;
    dynamo.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutItemCommand") {
          writing = true;
          await held.promise;
        }
        return next(args);
      },
      { step: "initialize", name: "holdPut" },
    );
    const draining = createItemsApp({
      service: createItemsService(TABLE, { client: dynamo.client }),
    });
    const url = `http://127.0.0.1:${await draining.start(0, "127.0.0.1")}`;
    const { sigterm, exits } = fakeProcess([draining]);
    try {
      const before = (await dynamo.scan(TABLE)).length;
      const inFlight = call(url, "POST", "/items", { body: { name: "in flight" } });
      await until(() => writing, "the write");
      sigterm();
      await sleep(20);
      expect(exits, "waits for the in-flight request").to.deep.equal([]);
      expect(await refusesConnections(url), "no new connections while draining").to.equal(true);

      held.release();
      const res = await inFlight;
      expect(res.status).to.equal(201);
      expect(res.headers.get("connection")).to.equal("close");
      await until(() => exits.length === 1, "exit");
      expect(exits).to.deep.equal([0]);
      expect((await dynamo.scan(TABLE)).length).to.equal(before + 1);
    } finally {
      held.release();
      dynamo.client.middlewareStack.remove("holdPut");
      await draining.stop(100);
    }
  });
});
