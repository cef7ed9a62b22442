/**
 * Property suites of the HTTP data paths (issue 12), seeded: the items API (Lambda, and the
 * container serving the same router), the files API (presigned uploads into s3rver) and the objects
 * API. For every generated request: an accepted one is stored exactly once, even when DynamoDB
 * throttles or fails (before or after the write) and the client retries with its Idempotency-Key;
 * a refused one gets a 4xx JSON message and writes nothing; the container answers as the Lambda.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import fc from "fast-check";
import { makeHandler as filesApi } from "../../functions/files-api/handler";
import { makeHandler as itemsApi } from "../../functions/items-api/handler";
import { createItemsApp } from "../../functions/containers/items-service/app";
import { ContainerServer } from "../../functions/lib/container/httpServer";
import { createItemsService } from "../../functions/lib/items";
import { makeHandler as objectsApi } from "../../functions/objects-api/handler";
import * as faults from "./support/awsFaults";
import { call, memoryLogger } from "./support/containers";
import { LocalDynamo, startDynalite } from "./support/dynalite";
import { httpApiEvent } from "./support/httpApi";
import { LocalS3, startS3rver } from "./support/s3rver";
import { silentLogger } from "./support/objectEvents";

const JSON_TYPE = { "content-type": "application/json" };

/**
 * Seeded faults on a DynamoDB client, as the caller sees them after the SDK's retries: throttling
 * before a request, or a 500 after it was applied.
 */
function injectFaults(client: DynamoDBClient, seed: { value: number }, enabled: { on: boolean }) {
  const rand = () => (seed.value = (Math.imul(seed.value, 1103515245) + 12345) >>> 0) / 2 ** 32;
  client.middlewareStack.add(
    (next) => async (args) => {
      if (!enabled.on) return next(args);
      const r = rand();
      if (r < 0.15) throw faults.dynamo.throughputExceeded();
      const out = await next(args);
      if (r > 0.9) throw faults.dynamo.internal(); // applied, but the caller never hears so
      return out;
    },
    { step: "initialize", name: "injectFaults" },
  );
}

/** A value for an items field: mostly valid, sometimes hostile. */
const textValue = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 20, unit: "grapheme-ascii" }), weight: 8 },
  fc.constantFrom("", "   ", "a\u0000b", "x".repeat(2100)),
  fc.integer(),
);
const attrValue = fc.oneof(
  {
    arbitrary: fc.string({ maxLength: 10, unit: "grapheme-ascii" }).map((s) => JSON.stringify(s)),
    weight: 6,
  },
  { arbitrary: fc.integer().map(String), weight: 6 },
  fc.constantFrom("true", "1e20", "1e-200", "0.5", "null", '{"a":1}', "[1]"),
);
const attrKey = fc.oneof(
  { arbitrary: fc.constantFrom("color", "size", "weight"), weight: 12 },
  fc.constantFrom("__proto__", "bad key", "k".repeat(70)),
);

/** A POST /items body as JSON text (so `__proto__` and any number literal can appear). */
const itemBody = fc
  .record(
    {
      name: textValue,
      description: textValue,
      tags: fc.array(textValue, { maxLength: 3 }),
      attributes: fc.array(fc.tuple(attrKey, attrValue), { maxLength: 3 }),
      extra: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, undefined, 1),
    },
    { requiredKeys: ["name"] },
  )
  .map((r) => {
    const parts = Object.entries(r)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        if (k === "attributes") {
          const entries = (v as [string, string][]).map(
            ([ak, av]) => `${JSON.stringify(ak)}:${av}`,
          );
          return `"attributes":{${entries.join(",")}}`;
        }
        return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
      });
    return `{${parts.join(",")}}`;
  });

describe("property: HTTP data paths (items, files, objects, container)", function () {
  this.timeout(120_000);
  let local: LocalDynamo;
  let s3: LocalS3;
  let app: ContainerServer;
  let base: string;
  const seed = { value: 12_001 };
  const faulty = { on: false };
  const tally = { items: 0, itemsStored: 0, files: 0, objects: 0, container: 0, lost: 0 };
  before(async () => {
    [local, s3] = await Promise.all([startDynalite(), startS3rver(["uploads-bucket"])]);
    injectFaults(local.client, seed, faulty);
    await local.createTable("prop-items");
    await local.createTable("prop-objects");
    app = createItemsApp({
      service: createItemsService("prop-items", { client: local.client }),
      logger: memoryLogger(),
    });
    base = `http://127.0.0.1:${await app.start(0, "127.0.0.1")}`;
  });
  after(async () => {
    await app?.stop(100);
    await Promise.all([local?.close(), s3?.close()]);
    console.log(`      http paths: ${JSON.stringify(tally)}`);
  });

  it("items API: accepted bodies stored exactly once across retries and faults; refused ones 4xx JSON with no write", async () => {
    const handler = itemsApi({
      service: createItemsService("prop-items", { client: local.client }),
    });
    let k = 0;
    await fc.assert(
      fc.asyncProperty(itemBody, fc.integer({ min: 1, max: 3 }), async (body, sends) => {
        tally.items++;
        const key = `prop-${++k}`;
        const before = (await local.scan("prop-items")).length;
        faulty.on = true;
        let last = { statusCode: 0, body: "" };
        // The client sends `sends` times (a retry after a lost answer), and retries each 5xx.
        for (let i = 0; i < sends; i++) {
          for (let attempt = 0; attempt < 20; attempt++) {
            const res = await handler(
              httpApiEvent("POST", "/items", {
                body,
                headers: { ...JSON_TYPE, "idempotency-key": key },
              }),
            );
            last = { statusCode: res.statusCode ?? 0, body: res.body ?? "" };
            if (last.statusCode < 500) break;
            expect(JSON.parse(last.body).error.message).to.not.contain("arn:aws");
          }
        }
        faulty.on = false;
        const rows = await local.scan("prop-items");
        if (last.statusCode === 201) {
          tally.itemsStored++;
          const item = JSON.parse(last.body);
          const mine = rows.filter((r) => r.id === item.id);
          if (mine.length !== 1) tally.lost++;
          expect(mine, body).to.have.length(1);
          expect(rows.length).to.equal(before + 1);
          expect(mine[0].name).to.equal(JSON.parse(body).name);
        } else {
          expect(last.statusCode, `${body} -> ${last.body}`).to.be.within(400, 499);
          expect(JSON.parse(last.body).error.message).to.be.a("string").and.not.equal("");
          expect(rows.length, "a refused body writes nothing").to.equal(before);
        }
      }),
      { seed: 12_002, numRuns: 150 },
    );
  });

  it("container: the items service answers every generated request as the Lambda does", async () => {
    const handler = itemsApi({
      service: createItemsService("prop-items", { client: local.client }),
    });
    const request = fc.tuple(
      fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
      fc.constantFrom(
        "/items",
        "/items/1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b",
        "/items/not-a-uuid",
        "/other",
      ),
      fc.constantFrom(
        "",
        "limit=5",
        "limit=0x10",
        "constructor=1",
        "cursor=%%%",
        "limit=5&limit=6",
      ),
      itemBody,
    );
    await fc.assert(
      fc.asyncProperty(request, async ([method, path, query, body]) => {
        tally.container++;
        const withBody = method === "POST" || method === "PUT";
        const lambda = await handler({
          ...httpApiEvent(method, path, {
            body: withBody ? body : undefined,
            headers: JSON_TYPE,
            query: Object.fromEntries(new URLSearchParams(query)),
          }),
          rawQueryString: query,
        });
        const container = await call(base, method, `${path}${query ? `?${query}` : ""}`, {
          body: withBody ? body : undefined,
          headers: JSON_TYPE,
        });
        // A POST that both accept creates one item each: compare the status, not the new id.
        expect(container.status, `${method} ${path}?${query}`).to.equal(lambda.statusCode);
        if (container.status >= 400)
          expect(container.body).to.have.nested.property("error.message");
      }),
      // Repeated query parameters are joined by API Gateway, not by the container: not generated.
      { seed: 12_003, numRuns: 120, examples: [] },
    );
  });

  it("files API: accepted requests sign a URL S3 takes exactly once; refused ones are 4xx JSON", async () => {
    const handler = filesApi({
      s3: s3.s3,
      config: {
        bucket: "uploads-bucket",
        allowedContentTypes: ["text/plain", "image/png"],
        maxUploadBytes: 64,
        urlTtlSeconds: 300,
        keyPrefix: `${"deep/".repeat(60)}`,
      },
    });
    const request = fc.record({
      fileName: fc.oneof(
        fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
        fc.constantFrom("..", "a/b", "€".repeat(255), "😀".repeat(127), "x".repeat(256), ""),
      ),
      contentType: fc.constantFrom("text/plain", "IMAGE/PNG", "application/x-sh"),
      size: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, 65, 1.5, -1)),
    });
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        tally.files++;
        const res = await handler(
          httpApiEvent("POST", "/files", { body: JSON.stringify(req), headers: JSON_TYPE }),
        );
        const body = JSON.parse(res.body!);
        if (res.statusCode !== 201) {
          expect(res.statusCode, JSON.stringify(req)).to.be.within(400, 499);
          expect(body.error.message).to.be.a("string");
          return;
        }
        expect(Buffer.byteLength(body.key)).to.be.at.most(1024);
        // s3rver stores objects as files: a key segment over 255 bytes (legal in S3) is beyond it.
        if (body.key.split("/").some((seg: string) => Buffer.byteLength(seg) > 255)) {
          expect(body.uploadUrl).to.contain("X-Amz-Signature=");
          return;
        }
        const put = await fetch(body.uploadUrl, {
          method: "PUT",
          headers: body.headers,
          body: "x".repeat(req.size),
        });
        expect(put.status, body.key).to.equal(200);
      }),
      { seed: 12_004, numRuns: 80 },
    );
  });

  it("objects API: any query is a 200 or a 4xx JSON answer; DynamoDB faults are 5xx without internals", async () => {
    const handler = objectsApi(() => ({
      ddb: local.doc,
      tableName: "prop-objects",
      logger: silentLogger(),
    }));
    const query = fc.record(
      {
        limit: fc.oneof(
          fc.integer({ min: -5, max: 200 }).map(String),
          fc.constantFrom("0x10", "1e1", " 5", ""),
        ),
        cursor: fc.oneof(fc.base64String({ maxLength: 20 }), fc.constantFrom("%%", "eyJpZCI6MX0")),
        constructor: fc.constant("x"),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(query, fc.boolean(), async (q, withFaults) => {
        tally.objects++;
        faulty.on = withFaults;
        const res = await handler(httpApiEvent("GET", "/objects", { query: q }));
        faulty.on = false;
        const body = JSON.parse(res.body!);
        if (res.statusCode === 200) expect(body).to.have.property("items");
        else {
          expect(res.statusCode).to.be.oneOf([400, 500, 503]);
          expect(body.error.message).to.not.contain("arn:aws");
        }
      }),
      { seed: 12_005, numRuns: 120 },
    );
  });
});
