/**
 * Issue 12, defect 6: hostile HTTP inputs. `__proto__` fields, object keys over S3's limit, query
 * names like `constructor`, dot segments, and page sizes that only JavaScript reads as numbers.
 */
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { makeHandler as filesApi } from "../../functions/files-api/handler";
import { S3_MAX_KEY_BYTES } from "../../functions/files-api/upload";
import { makeHandler as itemsApi, toItemsRequest } from "../../functions/items-api/handler";
import { parseTarget } from "../../functions/lib/container/httpServer";
import { createItemsService, handleItemsRequest } from "../../functions/lib/items";
import { parseJsonBody } from "../../functions/lib/http";
import { pageSize } from "../../functions/objects-api/routes";
import { LocalDynamo, startDynalite } from "./support/dynalite";
import { httpApiEvent } from "./support/httpApi";

const json = { "content-type": "application/json" };

describe("issue 12: hostile HTTP inputs (defect 6)", function () {
  this.timeout(20_000);
  let local: LocalDynamo;
  let writes = 0;
  before(async () => {
    local = await startDynalite();
    local.client.middlewareStack.add(
      (next, context) => (args) => {
        if (/Put|Update|Delete/.test(String(context.commandName))) writes++;
        return next(args);
      },
      { step: "initialize", name: "countWrites" },
    );
    await local.createTable("hostile-items");
  });
  after(async () => local?.close());

  const service = () => createItemsService("hostile-items", { client: local.client });
  const rows = async (client: DynamoDBClient) =>
    (await client.send(new ScanCommand({ TableName: "hostile-items" }))).Count ?? 0;

  it("refuses a __proto__ field anywhere in a JSON body with a 400 naming it, and writes nothing", async () => {
    const handler = itemsApi({ service: service() });
    for (const body of [
      '{"name":"x","attributes":{"__proto__":{"color":"red"}}}',
      '{"name":"x","__proto__":{"admin":true}}',
      '{"name":"x","tags":["a"],"attributes":{"ok":1,"n":{"__proto__":1}}}',
    ]) {
      const res = await handler(httpApiEvent("POST", "/items", { body, headers: json }));
      expect(res.statusCode, body).to.equal(400);
      expect(JSON.parse(res.body!).error.message).to.match(/__proto__/);
    }
    expect(writes).to.equal(0);
    expect(await rows(local.client)).to.equal(0);
    expect(() =>
      parseJsonBody({ body: '{"a":[{"__proto__":0}]}', headers: json, isBase64Encoded: false }),
    ).to.throw(/a\.0\.__proto__/);
  });

  it("refuses an upload whose object key would exceed S3's 1,024 bytes, naming the limit", async () => {
    const handler = filesApi({
      s3: new S3Client({
        region: "us-east-1",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      }),
      config: {
        bucket: "b",
        allowedContentTypes: ["text/plain"],
        maxUploadBytes: 100,
        urlTtlSeconds: 60,
        keyPrefix: `${"p".repeat(400)}/`,
      },
      newId: () => "00000000-0000-4000-8000-000000000000",
    });
    const post = (fileName: string) =>
      handler(
        httpApiEvent("POST", "/files", {
          body: JSON.stringify({ fileName, contentType: "text/plain", size: 1 }),
          headers: json,
        }),
      );
    const tooLong = await post("€".repeat(250)); // 750 bytes of UTF-8 after a 437-byte prefix
    expect(tooLong.statusCode).to.equal(400);
    expect(JSON.parse(tooLong.body!).error.message).to.contain(`${S3_MAX_KEY_BYTES} bytes`);
    expect((await post("€".repeat(100))).statusCode).to.equal(201);
  });

  it("routes the container like the Lambda: constructor-like query names and dot segments", async () => {
    const svc = service();
    const before = await rows(local.client);
    const id = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b";
    for (const target of [
      `/items/${id}/..`,
      `/items/${id}/./`,
      "/items?constructor=x",
      "/items?__proto__=1",
    ]) {
      const method = target.includes("?") ? "GET" : "POST";
      const body = '{"name":"n"}';
      const container = await handleItemsRequest(svc, {
        method,
        ...parseTarget(target),
        headers: json,
        body,
      });
      const [rawPath, rawQueryString = ""] = target.split("?");
      const event = httpApiEvent(method, rawPath, { body, headers: json });
      const params = Object.fromEntries(new URLSearchParams(rawQueryString));
      const lambda = await itemsApi({ service: svc })({
        ...event,
        rawQueryString,
        queryStringParameters: Object.keys(params).length ? params : undefined,
      });
      expect(container.statusCode, target).to.equal(lambda.statusCode);
      expect(container.statusCode, target).to.be.within(400, 499);
      expect(toItemsRequest(event).path).to.equal(parseTarget(target).path);
    }
    expect(await rows(local.client)).to.equal(before);
    expect(parseTarget("/items?constructor=x&constructor=y").query).to.deep.equal({
      constructor: "x",
    });
  });

  it("objects-api: only plain decimal page sizes", () => {
    for (const bad of ["0x10", "1e1", " 5", "+5", "5.0", "0", "101", "-1", "１６"]) {
      expect(() => pageSize(bad), bad).to.throw(/limit/);
    }
    expect(pageSize("16")).to.equal(16);
    expect(pageSize(undefined)).to.equal(25);
  });
});
