import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { aggregate, fetchWithin, PartFetcher } from "../../functions/lib/aggregate";
import { documentClient } from "../../functions/lib/runtime";
import { makeHandler as orderSummary } from "../../functions/order-summary/handler";
import { readOrderSummaryEnv, orderSummaryEnvironment } from "../../functions/order-summary/env";
import { makeHandler as itemSummary } from "../../functions/item-summary/handler";
import { readItemSummaryEnv, itemSummaryEnvironment } from "../../functions/item-summary/env";
import { objectKey, itemFilesPrefix, uploadRequestSchema } from "../../functions/files-api/upload";
import { httpApiEvent } from "./support/httpApi";

const ID = "0b9a5c1e-4a8f-4d1c-9e77-5f2b6a3c8d10";
const TIMEOUT = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The four backends of the brief: ok, 404, failing, slow (ignores its abort signal). */
const ok: PartFetcher<unknown> = async () => ({ ok: true });
const notFound: PartFetcher<unknown> = async () => undefined;
const failing: PartFetcher<unknown> = async () => {
  throw Object.assign(new Error("boom arn:aws:dynamodb:secret"), { name: "InternalServerError" });
};
const slow: PartFetcher<unknown> = () => sleep(10 * TIMEOUT).then(() => ({ late: true }));

const summaryEvent = (method = "GET", id: string | null = ID) => ({
  ...httpApiEvent(method, `/orders/${id}/summary`),
  pathParameters: id === null ? undefined : { id },
});

describe("functions/lib/aggregate", () => {
  it("classifies each backend: ok, not found, failing, and slow at its deadline", async () => {
    const started = Date.now();
    const s = await aggregate({ a: ok, b: notFound, c: failing, d: slow }, TIMEOUT);
    const elapsed = Date.now() - started;
    expect(elapsed, "a slow backend holds the answer no longer than its deadline").to.be.below(
      5 * TIMEOUT,
    );
    expect(s.parts).to.deep.equal({ a: { ok: true }, b: null, c: null, d: null });
    expect(s.partial).to.equal(true);
    expect(s.missing).to.deep.equal([
      { part: "b", reason: "not-found" },
      { part: "c", reason: "error" },
      { part: "d", reason: "timeout" },
    ]);
  });

  it("aborts the signal of a backend that passes its deadline", async () => {
    let seen: AbortSignal | undefined;
    const o = await fetchWithin((signal) => {
      seen = signal;
      return new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason)),
      );
    }, TIMEOUT);
    expect(o.reason).to.equal("timeout");
    expect(seen?.aborted).to.equal(true);
  });

  it("is whole (partial false, nothing missing) when every backend answers", async () => {
    const s = await aggregate({ a: ok, b: ok }, TIMEOUT);
    expect(s).to.include({ partial: false });
    expect(s.missing).to.deep.equal([]);
  });
});

describe("functions/order-summary", () => {
  // Mocks of these instances only: a class-wide mock would reach every other test file's clients.
  const doc = documentClient({ region: "us-east-1" });
  const ddb = mockClient(doc);
  const env = readOrderSummaryEnv(
    orderSummaryEnvironment({
      ordersTable: "orders",
      invoicesTable: "invoices",
      shipmentsTable: "shipments",
      backendTimeoutMs: TIMEOUT,
    }),
  );
  const handler = orderSummary(doc, env);
  const backends = {
    ok: (Item: Record<string, unknown>) => async () => ({ Item }),
    notFound: () => async () => ({}),
    failing: () => async () => {
      throw Object.assign(new Error("denied arn:aws:dynamodb:us-east-1:1:table/invoices"), {
        name: "AccessDeniedException",
      });
    },
    slow: (Item: Record<string, unknown>) => () => sleep(10 * TIMEOUT).then(() => ({ Item })),
  };
  type Kind = keyof typeof backends;
  const wire = (order: Kind, invoice: Kind, shipment: Kind) => {
    ddb.reset();
    ddb.on(GetCommand, { TableName: "orders" }).callsFake(backends[order]({ id: ID, total: 3 }));
    ddb
      .on(GetCommand, { TableName: "invoices" })
      .callsFake(backends[invoice]({ orderId: ID, amount: 3 }));
    ddb
      .on(GetCommand, { TableName: "shipments" })
      .callsFake(backends[shipment]({ orderId: ID, status: "sent" }));
  };
  const call = async (event = summaryEvent()) => {
    const res = await handler(event);
    return { status: res.statusCode, body: JSON.parse(res.body as string), headers: res.headers };
  };
  after(() => ddb.restore());

  it("composes the order, its invoice and its shipment, read by key from the three tables", async () => {
    wire("ok", "ok", "ok");
    const { status, body } = await call();
    expect(status).to.equal(200);
    expect(body).to.deep.include({
      id: ID,
      order: { id: ID, total: 3 },
      invoice: { orderId: ID, amount: 3 },
      shipment: { orderId: ID, status: "sent" },
      partial: false,
      missing: [],
    });
    const keys = ddb.commandCalls(GetCommand).map((c) => c.args[0].input);
    expect(keys).to.deep.include.members([
      { TableName: "orders", Key: { id: ID } },
      { TableName: "invoices", Key: { orderId: ID } },
      { TableName: "shipments", Key: { orderId: ID } },
    ]);
  });

  it("marks a slow, failing or absent backend as missing and still answers 200, without AWS text", async () => {
    wire("ok", "failing", "slow");
    const { status, body, headers } = await call();
    expect(status).to.equal(200);
    expect(body).to.deep.include({ partial: true, missing: ["invoice", "shipment"] });
    expect(body.missingReasons).to.deep.equal({ invoice: "error", shipment: "timeout" });
    expect(JSON.stringify(body)).not.to.match(/arn:aws|denied/i);
    expect(headers).to.include({ "cache-control": "no-store" });
    wire("ok", "notFound", "ok");
    expect((await call()).body.missingReasons).to.deep.equal({ invoice: "not-found" });
  });

  it("never answers 5xx, whatever each backend does; 404 only when the order does not exist", async () => {
    const kinds = Object.keys(backends) as Kind[];
    for (const o of kinds)
      for (const i of kinds)
        for (const s of kinds) {
          wire(o, i, s);
          const { status } = await call();
          expect(status, `${o}/${i}/${s}`).to.equal(o === "notFound" ? 404 : 200);
        }
  });

  it("answers 400 to an id that is not a UUID and 405 to other methods, without reading", async () => {
    wire("ok", "ok", "ok");
    expect((await call(summaryEvent("GET", "not-an-id"))).status).to.equal(400);
    expect((await call(summaryEvent("GET", null))).status).to.equal(400);
    expect((await call(summaryEvent("POST"))).status).to.equal(405);
    expect(ddb.commandCalls(GetCommand)).to.have.length(0);
  });

  it("refuses a deployment with a missing table or a bad deadline, naming the variable", () => {
    expect(() => readOrderSummaryEnv({ ORDERS_TABLE: "o", INVOICES_TABLE: "i" })).to.throw(
      /SHIPMENTS_TABLE/,
    );
    expect(() =>
      readOrderSummaryEnv({
        ...orderSummaryEnvironment({ ordersTable: "o", invoicesTable: "i", shipmentsTable: "s" }),
        BACKEND_TIMEOUT_MS: "0",
      }),
    ).to.throw(/BACKEND_TIMEOUT_MS=0/);
  });
});

describe("functions/item-summary", () => {
  const doc = documentClient({ region: "us-east-1" });
  const s3Client = new S3Client({ region: "us-east-1" });
  const ddb = mockClient(doc);
  const s3 = mockClient(s3Client);
  const prefix = itemFilesPrefix("uploads/");
  const env = readItemSummaryEnv(
    itemSummaryEnvironment({
      itemsTable: "items",
      filesBucket: "files",
      filesPrefix: prefix,
      backendTimeoutMs: TIMEOUT,
    }),
  );
  const handler = itemSummary(doc, s3Client, env);
  const call = async () => {
    const res = await handler({
      ...httpApiEvent("GET", `/items/${ID}/summary`),
      pathParameters: { id: ID },
    });
    return { status: res.statusCode, body: JSON.parse(res.body as string) };
  };
  beforeEach(() => {
    ddb.reset();
    s3.reset();
  });
  after(() => {
    ddb.restore();
    s3.restore();
  });

  it("lists the files uploaded for the item (POST /files with itemId) beside the item", async () => {
    const key = objectKey(
      {
        bucket: "files",
        allowedContentTypes: [],
        maxUploadBytes: 1,
        urlTtlSeconds: 60,
        keyPrefix: "uploads/",
      },
      "f1",
      "a.png",
      ID,
    );
    expect(key).to.equal(`uploads/items/${ID}/f1/a.png`);
    ddb.on(GetCommand).resolves({ Item: { id: ID, name: "x", version: 1, requestHash: "h" } });
    s3.on(ListObjectsV2Command, { Bucket: "files", Prefix: `${prefix}${ID}/` }).resolves({
      Contents: [{ Key: key, Size: 5, ETag: '"e"' }],
    });
    const { status, body } = await call();
    expect(status).to.equal(200);
    expect(body.item, "the idempotency hash stays internal").to.deep.equal({
      id: ID,
      name: "x",
      version: 1,
    });
    expect(body.files).to.deep.equal([{ key, fileName: "a.png", size: 5, eTag: '"e"' }]);
    expect(body.partial).to.equal(false);
  });

  it("answers 200 partial when S3 fails or is slow, and 404 when the item does not exist", async () => {
    ddb.on(GetCommand).resolves({ Item: { id: ID } });
    s3.on(ListObjectsV2Command).rejects(Object.assign(new Error("x"), { name: "SlowDown" }));
    expect((await call()).body).to.deep.include({ partial: true, missing: ["files"], files: null });
    s3.on(ListObjectsV2Command).callsFake(() => sleep(10 * TIMEOUT).then(() => ({})));
    expect((await call()).body.missingReasons).to.deep.equal({ files: "timeout" });
    ddb.on(GetCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({});
    expect((await call()).status).to.equal(404);
  });

  it("accepts an optional itemId on POST /files and refuses one that is not an item id", () => {
    const schema = uploadRequestSchema({
      bucket: "b",
      allowedContentTypes: ["text/plain"],
      maxUploadBytes: 10,
      urlTtlSeconds: 60,
      keyPrefix: "uploads/",
    });
    const base = { fileName: "a.txt", contentType: "text/plain", size: 1 };
    expect(schema.safeParse({ ...base, itemId: ID }).success).to.equal(true);
    expect(schema.safeParse(base).success).to.equal(true);
    expect(schema.safeParse({ ...base, itemId: "../x" }).success).to.equal(false);
  });
});
