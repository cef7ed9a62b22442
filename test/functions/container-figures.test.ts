/**
 * The container apps' business figures (Powertools Metrics, EMF on stdout): the write APIs
 * publish one line per request as it is answered, the order consumers one line per received
 * batch, each with the namespace and `service` it was given; a metrics failure is a warning,
 * never a failed request or a stopped worker.
 */
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import * as SQS from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { invoiceFor } from "../../functions/containers/billing-service/billing";
import { createItemsApp } from "../../functions/containers/items-service/app";
import { createOrdersApp } from "../../functions/containers/orders-service/app";
import { OrdersService, snsPublisher } from "../../functions/containers/orders-service/orders";
import { BUSINESS_METRICS, CONTAINER_METRICS } from "../../functions/lib/businessMetrics";
import { FigurePublisher, publishFigures } from "../../functions/lib/container/figures";
import type { ContainerServer } from "../../functions/lib/container/httpServer";
import { createItemsService } from "../../functions/lib/items";
import { ConsumerApp, createConsumerApp } from "../../functions/lib/orders/consumerApp";
import { testArn } from "../support/testAccount";
import {
  ORDER_INPUT,
  call,
  logSqsAcks,
  memoryLogger,
  sampleEvent,
  scriptReceives,
  sqsMessage,
  until,
} from "./support/containers";
import { CREDENTIALS, LocalDynamo, REGION, startDynalite } from "./support/dynalite";
import { captureStdout, figuresOf } from "./support/emf";

const NS = "aws-serverless-flows/test";
const { itemsWritten: W, duplicatesDropped: D, recordsRefused: R } = BUSINESS_METRICS;
const figures = (w: number, d: number, r: number) => ({ [W]: w, [D]: d, [R]: r });
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/** A sink whose every call throws (a broken metrics library, a full stdout). */
const brokenMetrics: FigurePublisher = {
  addMetric: () => {
    throw new Error("metrics are down");
  },
  hasStoredMetrics: () => true,
  publishStoredMetrics: () => {
    throw new Error("metrics are down");
  },
};

describe("container apps' business figures (EMF on stdout)", () => {
  let dynamo: LocalDynamo;
  let stdout: ReturnType<typeof captureStdout>;
  before(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable("items", "id");
    await dynamo.createTable("orders", "id");
    await dynamo.createTable("invoices", "orderId");
  });
  after(() => dynamo.close());
  beforeEach(() => (stdout = captureStdout()));
  afterEach(() => stdout.stop());

  /**
   * Sends each request and checks the one EMF line its answer published (none for `null`): the
   * figures CONTAINER_METRICS lists for `app` (what its dashboard widget draws), with `service`.
   */
  async function expectPerRequest(
    app: string,
    base: string,
    service: string,
    steps: [
      method: string,
      path: string,
      opts: Parameters<typeof call>[3],
      status: number,
      expected: ReturnType<typeof figures> | null,
    ][],
  ): Promise<void> {
    for (const [method, path, opts, status, expected] of steps) {
      const before = stdout.emf().length;
      const res = await call(base, method, path, opts);
      expect(res.status, `${method} ${path}`).to.equal(status);
      // Published as the response went out: nothing waits for a later flush.
      const lines = stdout.emf().slice(before);
      expect(lines, `${method} ${path}`).to.have.length(expected ? 1 : 0);
      if (!expected) continue;
      const got = figuresOf(lines[0], NS, service);
      expect(got, `${method} ${path}`).to.deep.equal(expected);
      expect(Object.keys(got)).to.have.members([...CONTAINER_METRICS[app]]);
    }
  }

  it("publishFigures adds and flushes in one step, publishes nothing for nothing, never throws", () => {
    const metrics = new Metrics({ namespace: NS, serviceName: "svc" });
    publishFigures(metrics, figures(2, 0, 1));
    publishFigures(metrics, {});
    expect(stdout.emf().map((l) => figuresOf(l, NS, "svc"))).to.deep.equal([figures(2, 0, 1)]);
    expect(metrics.hasStoredMetrics()).to.equal(false);
    const logger = memoryLogger();
    expect(() => publishFigures(brokenMetrics, figures(1, 0, 0), logger)).to.not.throw();
    expect(logger.lines).to.deep.equal([
      { level: "warn", message: "business figures not published" },
    ]);
  });

  describe("items-service: the items API's figures, one line per request", () => {
    let app: ContainerServer;
    let base: string;
    before(async () => {
      app = createItemsApp({
        service: createItemsService("items", { client: dynamo.client }),
        logger: memoryLogger(),
        metrics: new Metrics({ namespace: NS, serviceName: "items" }),
      });
      base = `http://127.0.0.1:${await app.start(0, "127.0.0.1")}`;
    });
    after(() => app.stop(100));

    it("written on a create, dropped on a replay under its key, refused on a 4xx but 404", async () => {
      const keyed = { body: { name: "counted" }, headers: { "idempotency-key": "figures-key-1" } };
      await expectPerRequest("items-service", base, "items", [
        ["POST", "/items", keyed, 201, figures(1, 0, 0)],
        ["POST", "/items", keyed, 201, figures(0, 1, 0)],
        ["POST", "/items", { body: "{" }, 400, figures(0, 0, 1)],
        ["DELETE", "/items", {}, 405, figures(0, 0, 1)],
        // Refused by the server itself, before the app: a refusal all the same.
        ["POST", "/items", { body: "x".repeat(65 * 1024) }, 413, figures(0, 0, 1)],
        ["GET", `/items/${UNKNOWN_ID}`, {}, 404, figures(0, 0, 0)],
        ["GET", "/health", {}, 200, null],
      ]);
    });
  });

  describe("orders-service: an order placed, replayed, refused", () => {
    const sns = {
      fail: undefined as Error | undefined,
      async send(_: PublishCommand) {
        if (this.fail) throw this.fail;
        return { MessageId: "m" };
      },
    };
    let app: ContainerServer;
    let base: string;
    before(async () => {
      const service = new OrdersService({
        doc: dynamo.doc,
        tableName: "orders",
        publish: snsPublisher(sns as unknown as Pick<SNSClient, "send">, testArn("sns", "t")),
      });
      app = createOrdersApp({
        service,
        logger: memoryLogger(),
        metrics: new Metrics({ namespace: NS, serviceName: "orders" }),
      });
      base = `http://127.0.0.1:${await app.start(0, "127.0.0.1")}`;
    });
    after(() => app.stop(100));

    it("counts each request's figures as it is answered", async () => {
      const keyed = { body: ORDER_INPUT, headers: { "idempotency-key": "figures-order-1" } };
      await expectPerRequest("orders-service", base, "orders", [
        ["POST", "/orders", keyed, 201, figures(1, 0, 0)],
        ["POST", "/orders", keyed, 201, figures(0, 1, 0)],
        ["POST", "/orders", { body: {} }, 400, figures(0, 0, 1)],
        ["GET", `/orders/${UNKNOWN_ID}`, {}, 404, figures(0, 0, 0)],
      ]);
      // Stored but not published: a 503 the client retries with its key, not a refusal.
      sns.fail = Object.assign(new Error("down"), { name: "InternalErrorException" });
      await expectPerRequest("orders-service", base, "orders", [
        [
          "POST",
          "/orders",
          { ...keyed, headers: { "idempotency-key": "figures-order-2" } },
          503,
          figures(0, 0, 0),
        ],
      ]);
    });

    it("answers even when its figures cannot be published", async () => {
      const logger = memoryLogger();
      const broken = createOrdersApp({
        service: new OrdersService({
          doc: dynamo.doc,
          tableName: "orders",
          publish: async () => {},
        }),
        logger,
        metrics: brokenMetrics,
      });
      const url = `http://127.0.0.1:${await broken.start(0, "127.0.0.1")}`;
      try {
        expect((await call(url, "POST", "/orders", { body: ORDER_INPUT })).status).to.equal(201);
        expect((await call(url, "POST", "/orders", { body: {} })).status).to.equal(400);
        expect(logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).to.deep.equal([
          "business figures not published",
          "business figures not published",
        ]);
      } finally {
        await broken.stop(100);
      }
    });
  });

  describe("billing-service (and shipping-service: the same consumer app): one line per batch", () => {
    const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/billing";
    const body = (id: string) => JSON.stringify(sampleEvent(id));
    const [A, B, C] = [
      "5a1b2c3d-0000-4000-8000-00000000000a",
      "5a1b2c3d-0000-4000-8000-00000000000b",
      "5a1b2c3d-0000-4000-8000-00000000000c",
    ];

    async function runConsumer(metrics: FigurePublisher, batches: SQS.Message[][]) {
      const sqs = new SQS.SQSClient({ region: REGION, credentials: CREDENTIALS });
      const mock = mockClient(sqs);
      const acks = logSqsAcks(mock);
      let receives = 0;
      scriptReceives(mock, batches, () => receives++);
      const logger = memoryLogger();
      const app: ConsumerApp<ReturnType<typeof invoiceFor>> = createConsumerApp(
        "invoices",
        invoiceFor,
        { sqs, doc: dynamo.doc, tableName: "invoices", queueUrl, logger, metrics },
      );
      app.worker.start();
      // Every batch handled, and a few empty polls after them.
      await until(() => receives > batches.length + 3, "the batches and some empty polls");
      await app.worker.stop();
      mock.restore();
      return { acks, logger, app };
    }

    it("rows written, redeliveries dropped, messages sent back; nothing for an empty poll", async () => {
      const metrics = new Metrics({ namespace: NS, serviceName: "billing" });
      await runConsumer(metrics, [
        [
          sqsMessage("a", body(A)),
          sqsMessage("b", body(B)),
          sqsMessage("a-again", body(A)),
          sqsMessage("junk", '{"type":"OrderPlaced"}'),
        ],
        [sqsMessage("c", body(C)), sqsMessage("b-again", body(B), 2)],
      ]);
      const lines = stdout.emf().map((l) => figuresOf(l, NS, "billing"));
      expect(lines).to.deep.equal([figures(2, 1, 1), figures(1, 1, 0)]);
      for (const app of ["billing-service", "shipping-service"]) {
        expect(Object.keys(lines[0])).to.have.members([...CONTAINER_METRICS[app]]);
      }
    });

    it("keeps consuming when its figures cannot be published", async () => {
      const { acks, logger, app } = await runConsumer(brokenMetrics, [
        [sqsMessage("d", body("5a1b2c3d-0000-4000-8000-00000000000d"))],
        [sqsMessage("d-again", body("5a1b2c3d-0000-4000-8000-00000000000d"))],
      ]);
      expect(acks).to.deep.equal(["delete:rh-d-1", "delete:rh-d-again-1"]);
      expect(app.worker.stats).to.include({ succeeded: 2, failed: 0 });
      expect(logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).to.deep.equal([
        "business figures not published",
        "business figures not published",
      ]);
    });
  });
});
