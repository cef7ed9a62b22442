import { expect } from "chai";
import { ContainerServer } from "../../functions/lib/container/httpServer";
import { createItemsService } from "../../functions/lib/items";
import { createItemsApp } from "../../functions/items-service/app";
import { Dynamo, call, memoryLogger, startDynamo } from "./support/containers";

const TABLE = "items";
const ITEM = { name: "Widget", tags: ["blue"], attributes: { weight: 3 } };

describe("functions/items-service (Node http server on localhost, against dynalite)", () => {
  let dynamo: Dynamo;
  let app: ContainerServer;
  let base: string;

  before(async () => {
    dynamo = await startDynamo();
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
    const cases: [
      string,
      string,
      { body?: string | object; headers?: Record<string, string> },
      number,
    ][] = [
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
    ];
    for (const [method, path, options, status] of cases) {
      const res = await call(base, method, path, options);
      expect(res.status, `${method} ${path}`).to.equal(status);
      expect(res.body, `${method} ${path}`).to.have.nested.property("error.status", status);
      expect(res.body, `${method} ${path}`).to.have.nested.property("error.message");
    }
    expect((await dynamo.scan(TABLE)).length).to.equal(before);
  });
});
