import { PublishCommand, type PublishCommandInput, type SNSClient } from "@aws-sdk/client-sns";
import * as SQS from "@aws-sdk/client-sqs";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { invoiceFor } from "../../functions/containers/billing-service/billing";
import { ContainerServer } from "../../functions/lib/container/httpServer";
import { ConsumerApp, createConsumerApp } from "../../functions/lib/orders/consumerApp";
import { MalformedMessageError, parseOrderPlacedMessage } from "../../functions/lib/orders/events";
import { ProjectedRecord } from "../../functions/lib/orders/projection";
import { orderPlacedSchema } from "../../functions/lib/orders/schema";
import { createOrdersApp } from "../../functions/containers/orders-service/app";
import {
  OrdersService,
  orderIdForKey,
  snsPublisher,
} from "../../functions/containers/orders-service/orders";
import { shipmentFor } from "../../functions/containers/shipping-service/shipping";
import * as faults from "./support/awsFaults";
import {
  ORDER_INPUT,
  call,
  expectJsonErrors,
  fakeProcess,
  gate,
  logSqsAcks,
  memoryLogger,
  refusesConnections,
  sampleEvent,
  scriptReceives as receives,
  sleep,
  snsEnvelope,
  sqsMessage,
  until,
} from "./support/containers";
import { CREDENTIALS, detachedDoc, LocalDynamo, REGION, startDynalite } from "./support/dynalite";
import { testArn } from "../support/testAccount";

const TOPIC = testArn("sns", "order-events");
/** Order ids (UUIDs, as orders-service mints them). */
const [ID_A, ID_B, ID_C, ID_D, ID_E] = [
  "0b6f9a43-5d4e-4c1b-8a2f-9e8d7c6b5a41",
  "1c7a0b54-6e5f-4d2c-9b3a-0f9e8d7c6b52",
  "2d8b1c65-7f60-4e3d-8c4b-1a0f9e8d7c63",
  "3e9c2d76-8071-4f4e-9d5c-2b1a0f9e8d74",
  "4fad3e87-9182-4a5f-8e6d-3c2b1a0f9e85",
];

describe("event-driven-microservices containers (Node http on localhost, against dynalite)", () => {
  let dynamo: LocalDynamo;
  /**
   * A recording SNS client. (Not aws-sdk-client-mock: another suite stubs SNSClient's prototype
   * for its whole file, and sinon refuses to stub an instance method that is already wrapped.)
   */
  const sns = {
    calls: [] as PublishCommandInput[],
    fail: undefined as Error | undefined,
    async send(command: PublishCommand) {
      if (this.fail) throw this.fail;
      this.calls.push(command.input);
      return { MessageId: "m" };
    },
  };
  const snsClient = sns as unknown as Pick<SNSClient, "send">;

  before(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable("orders", "id");
    await dynamo.createTable("invoices", "orderId");
    await dynamo.createTable("shipments", "orderId");
  });
  after(() => dynamo.close());

  describe("orders-service", () => {
    let app: ContainerServer;
    let base: string;

    before(async () => {
      const service = new OrdersService({
        doc: dynamo.doc,
        tableName: "orders",
        publish: snsPublisher(snsClient, TOPIC),
        now: () => new Date("2026-02-01T12:00:00.000Z"),
      });
      app = createOrdersApp({ service, logger: memoryLogger() });
      base = `http://127.0.0.1:${await app.start(0, "127.0.0.1")}`;
    });
    beforeEach(() => {
      sns.calls = [];
      sns.fail = undefined;
    });
    // Every Message published since the test began.
    const published = {
      get list() {
        return sns.calls.map((c) => c.Message!);
      },
    };
    after(() => app.stop(100));

    it("POST /orders writes the order and publishes OrderPlaced with an eventType attribute", async () => {
      const res = await call(base, "POST", "/orders", { body: ORDER_INPUT });
      expect(res.status).to.equal(201);
      const id = res.body.id as string;
      expect(res.headers.get("location")).to.equal(`/orders/${id}`);
      expect(res.body).to.include({ totalCents: 3097, status: "PLACED", currency: "EUR" });
      expect(res.body).not.to.have.property("requestHash");

      const call0 = sns.calls[0];
      expect(call0.TopicArn).to.equal(TOPIC);
      expect(call0.MessageAttributes).to.deep.equal({
        eventType: { DataType: "String", StringValue: "OrderPlaced" },
      });
      const event = orderPlacedSchema.parse(JSON.parse(published.list[0]));
      expect(event).to.include({ type: "OrderPlaced", version: 1, eventId: id });
      expect(event.order).to.deep.equal(res.body);

      const read = await call(base, "GET", `/orders/${id}`);
      expect(read.status).to.equal(200);
      expect(read.body).to.deep.equal(res.body);
    });

    it("replays a retried POST with the same Idempotency-Key: one order, the event published again", async () => {
      const key = "client-retry-0001";
      const first = await call(base, "POST", "/orders", {
        body: ORDER_INPUT,
        headers: { "Idempotency-Key": key },
      });
      const again = await call(base, "POST", "/orders", {
        // Same order, keys in another order: still the same request.
        body: Object.fromEntries(Object.entries(ORDER_INPUT).reverse()),
        headers: { "idempotency-key": key },
      });
      expect(first.status).to.equal(201);
      expect(again.status).to.equal(201);
      expect(again.headers.get("idempotent-replayed")).to.equal("true");
      expect(again.body).to.deep.equal(first.body);
      expect(first.body.id).to.equal(orderIdForKey(key));
      expect(published.list).to.have.length(2);
      const rows = (await dynamo.scan("orders")).filter((r) => r.id === first.body.id);
      expect(rows).to.have.length(1);

      const misuse = await call(base, "POST", "/orders", {
        body: { ...ORDER_INPUT, currency: "USD" },
        headers: { "idempotency-key": key },
      });
      expect(misuse.status).to.equal(422);
      expect(published.list).to.have.length(2);
    });

    it("answers 503 when the event cannot be published; a retry with the key publishes it", async () => {
      sns.fail = new Error("SNS unavailable");
      const key = "publish-fails-01";
      const failed = await call(base, "POST", "/orders", {
        body: ORDER_INPUT,
        headers: { "idempotency-key": key },
      });
      expect(failed.status).to.equal(503);
      expect(failed.headers.get("retry-after")).to.equal("1");
      expect(failed.body).to.have.nested.property("error.details.orderId", orderIdForKey(key));

      sns.fail = undefined;
      const retried = await call(base, "POST", "/orders", {
        body: ORDER_INPUT,
        headers: { "idempotency-key": key },
      });
      expect(retried.status).to.equal(201);
      expect(JSON.parse(published.list[0]).eventId).to.equal(orderIdForKey(key));
    });

    it("answers bad requests with a 4xx JSON error, writing and publishing nothing", async () => {
      const rowsBefore = (await dynamo.scan("orders")).length;
      const line = ORDER_INPUT.lines[0];
      await expectJsonErrors(base, [
        ["POST", "/orders", { body: "{" }, 400],
        ["POST", "/orders", {}, 400],
        ["POST", "/orders", { body: [] }, 400],
        ["POST", "/orders", { body: { ...ORDER_INPUT, coupon: "FREE" } }, 400],
        ["POST", "/orders", { body: { ...ORDER_INPUT, lines: [] } }, 400],
        ["POST", "/orders", { body: { ...ORDER_INPUT, lines: [{ ...line, quantity: -1 }] } }, 400],
        ["POST", "/orders", { body: { ...ORDER_INPUT, lines: [{ ...line, quantity: 1.5 }] } }, 400],
        ["POST", "/orders", { body: { ...ORDER_INPUT, currency: "euro" } }, 400],
        ["POST", "/orders", { body: { ...ORDER_INPUT, customerId: "" } }, 400],
        [
          "POST",
          "/orders",
          {
            body: {
              ...ORDER_INPUT,
              shippingAddress: { ...ORDER_INPUT.shippingAddress, country: "UK1" },
            },
          },
          400,
        ],
        ["POST", "/orders", { body: ORDER_INPUT, headers: { "idempotency-key": "short" } }, 400],
        ["POST", "/orders", { body: "a=b", headers: { "content-type": "text/plain" } }, 415],
        ["POST", "/orders", { body: { ...ORDER_INPUT, customerId: "x".repeat(70_000) } }, 413],
        ["GET", "/orders/not-a-uuid", {}, 400],
        ["GET", `/orders/${ID_A}`, {}, 404],
        ["GET", "/orders", {}, 405],
        ["DELETE", `/orders/${ID_A}`, {}, 405],
        ["GET", "/orders/a/b", {}, 404],
        ["GET", "/invoices", {}, 404],
      ]);
      expect((await dynamo.scan("orders")).length).to.equal(rowsBefore);
      expect(published.list).to.have.length(0);
    });
    it("a denied publish answers 500 (no Retry-After) without AWS internals; a keyless order retried with the returned key is placed once", async () => {
      sns.fail = faults.sns.notAuthorized();
      const failed = await call(base, "POST", "/orders", { body: ORDER_INPUT });
      // A denial is no transient fault: 500, not "retry shortly".
      expect(failed.status).to.equal(500);
      expect(failed.headers.get("retry-after")).to.equal(null);
      expect(failed.text).not.to.contain("secret-table");
      expect(failed.text).not.to.contain("assumed-role");
      const { orderId, idempotencyKey } = (failed.body.error as { details: Record<string, string> })
        .details;
      expect(orderId).to.equal(orderIdForKey(idempotencyKey));
      expect((failed.body.error as { message: string }).message).to.contain(idempotencyKey);

      sns.fail = undefined;
      const retried = await call(base, "POST", "/orders", {
        body: ORDER_INPUT,
        headers: { "idempotency-key": idempotencyKey },
      });
      expect(retried.status).to.equal(201);
      expect(retried.body.id).to.equal(orderId);
      expect(retried.headers.get("idempotent-replayed")).to.equal("true");
      expect((await dynamo.scan("orders")).filter((r) => r.id === orderId)).to.have.length(1);
      expect(published.list.map((m) => JSON.parse(m).eventId)).to.deep.equal([orderId]);
    });

    it("answers 503 with Retry-After when DynamoDB throttles the order write, publishing nothing", async () => {
      const doc = detachedDoc();
      const ddb = mockClient(doc);
      ddb.on(PutCommand).rejects(faults.dynamo.throughputExceeded());
      const logger = memoryLogger();
      const throttled = createOrdersApp({
        service: new OrdersService({
          doc,
          tableName: "orders",
          publish: snsPublisher(snsClient, TOPIC),
        }),
        logger,
      });
      const url = `http://127.0.0.1:${await throttled.start(0, "127.0.0.1")}`;
      try {
        const res = await call(url, "POST", "/orders", {
          body: ORDER_INPUT,
          headers: { "idempotency-key": "throttled-0001" },
        });
        expect(res.status).to.equal(503);
        expect(res.headers.get("retry-after")).to.equal("1");
        expect(res.body).to.deep.equal({
          error: { status: 503, message: "the service is busy; retry shortly" },
        });
        expect(res.text).not.to.contain("secret-table");
        expect(published.list).to.have.length(0);
        expect(logger.lines.some((l) => l.message === "request failed")).to.equal(true);
      } finally {
        ddb.restore();
        await throttled.stop(100);
      }
    });

    it("on SIGTERM mid-request: the in-flight order is stored and published before the process exits 0", async () => {
      const held = gate();
      const events: string[] = [];
      let publishing = false;
      const draining = createOrdersApp({
        service: new OrdersService({
          doc: dynamo.doc,
          tableName: "orders",
          publish: async (e) => {
            publishing = true;
            await held.promise;
            events.push(e.eventId);
          },
        }),
      });
      const url = `http://127.0.0.1:${await draining.start(0, "127.0.0.1")}`;
      const { sigterm, exits } = fakeProcess([draining]);
      try {
        const inFlight = call(url, "POST", "/orders", {
          body: ORDER_INPUT,
          headers: { "idempotency-key": "sigterm-order-01" },
        });
        await until(() => publishing, "the publish");
        sigterm();
        await sleep(20);
        expect(exits, "waits for the in-flight order").to.deep.equal([]);
        held.release();
        const res = await inFlight;
        expect(res.status).to.equal(201);
        await until(() => exits.length === 1, "exit");
        expect(exits).to.deep.equal([0]);
        expect(events).to.deep.equal([orderIdForKey("sigterm-order-01")]);
        const rows = await dynamo.scan("orders");
        expect(rows.filter((r) => r.id === orderIdForKey("sigterm-order-01"))).to.have.length(1);
      } finally {
        held.release();
        await draining.stop(100);
      }
    });
  });

  describe("billing-service and shipping-service (worker with a mocked SQS client)", () => {
    const sqs = new SQS.SQSClient({ region: REGION, credentials: CREDENTIALS });
    const stub = () => mockClient(sqs);
    let sqsMock: ReturnType<typeof stub>;
    const deleted: string[] = [];
    const delayed: string[] = [];
    const apps: ConsumerApp<ProjectedRecord>[] = [];
    const bases: Record<string, string> = {};

    const msg = (id: string, body: string): SQS.Message => ({
      MessageId: id,
      ReceiptHandle: `rh-${id}`,
      Body: body,
      Attributes: { ApproximateReceiveCount: "1" },
    });

    before(async () => {
      sqsMock = stub();
      const raw = JSON.stringify(sampleEvent(ID_A));
      // A raw event, an SNS-enveloped one, a redelivery of the first, and a malformed body.
      const batch = [
        msg("a", raw),
        msg("b", snsEnvelope(sampleEvent(ID_B))),
        msg("a-again", raw),
        msg("junk", '{"type":"OrderPlaced"}'),
      ];
      const served = new Map<string, number>();
      sqsMock.on(SQS.ReceiveMessageCommand).callsFake(async (input: { QueueUrl: string }) => {
        const n = served.get(input.QueueUrl) ?? 0;
        served.set(input.QueueUrl, n + 1);
        if (n === 0 && !input.QueueUrl.endsWith("/idle")) return { Messages: batch };
        await sleep(5);
        return {};
      });
      sqsMock
        .on(SQS.DeleteMessageCommand)
        .callsFake(async (i: { QueueUrl: string; ReceiptHandle: string }) => {
          deleted.push(`${i.QueueUrl.split("/").pop()}:${i.ReceiptHandle}`);
          return {};
        });
      sqsMock
        .on(SQS.ChangeMessageVisibilityCommand)
        .callsFake(async (i: { QueueUrl: string; ReceiptHandle: string }) => {
          delayed.push(`${i.QueueUrl.split("/").pop()}:${i.ReceiptHandle}`);
          return {};
        });
      for (const [resource, project, queue] of [
        ["invoices", invoiceFor, "billing"],
        ["shipments", shipmentFor, "shipping"],
      ] as const) {
        const app = createConsumerApp<ProjectedRecord>(resource, project, {
          sqs,
          doc: dynamo.doc,
          tableName: resource,
          queueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/${queue}`,
          logger: memoryLogger(),
          worker: { waitTimeSeconds: 1 },
        });
        app.worker.start();
        bases[resource] = `http://127.0.0.1:${await app.server.start(0, "127.0.0.1")}`;
        apps.push(app);
      }
      await until(
        () => apps.every((a) => a.worker.stats.succeeded + a.worker.stats.failed === 4),
        "batches",
      );
    });

    after(async () => {
      for (const a of apps) await Promise.all([a.worker.stop(), a.server.stop(100)]);
      sqsMock.restore();
    });

    it("writes one record per order, even when an event is redelivered", async () => {
      const invoices = await dynamo.scan("invoices");
      expect(invoices.map((i) => i.orderId).sort()).to.deep.equal([ID_A, ID_B]);
      expect(invoices.find((i) => i.orderId === ID_A)).to.include({
        amountCents: 3097,
        currency: "EUR",
        status: "ISSUED",
        issuedAt: "2026-01-01T00:00:00.000Z",
      });
      const shipments = await dynamo.scan("shipments");
      expect(shipments).to.have.length(2);
      expect(shipments.find((s) => s.orderId === ID_B)).to.deep.include({
        status: "PENDING",
        units: { "BOOK-1": 2, "PEN-7": 3 },
      });
    });

    it("deletes processed messages (duplicates too) and leaves the malformed one for retry and the DLQ", () => {
      for (const queue of ["billing", "shipping"]) {
        expect(deleted.filter((d) => d.startsWith(`${queue}:`)).sort()).to.deep.equal([
          `${queue}:rh-a`,
          `${queue}:rh-a-again`,
          `${queue}:rh-b`,
        ]);
        expect(delayed).to.include(`${queue}:rh-junk`);
      }
      expect(apps.map((a) => a.worker.stats)).to.deep.equal([
        { received: 4, succeeded: 3, failed: 1, released: 0 },
        { received: 4, succeeded: 3, failed: 1, released: 0 },
      ]);
    });

    it("serves the records through GET /<resource>/{orderId}, with 4xx for bad requests", async () => {
      const invoice = await call(bases.invoices, "GET", `/invoices/${ID_A}`);
      expect(invoice.status).to.equal(200);
      expect(invoice.body).to.deep.equal(invoiceFor(sampleEvent(ID_A)));
      const shipment = await call(bases.shipments, "GET", `/shipments/${ID_B}`);
      expect(shipment.body).to.deep.equal(shipmentFor(sampleEvent(ID_B)));
      await expectJsonErrors(bases.invoices, [
        ["GET", `/invoices/${"9".repeat(8)}-0000-4000-8000-000000000000`, {}, 404],
        ["GET", "/invoices/not-a-uuid", {}, 400],
        ["GET", "/invoices/%E0%A4%A", {}, 400],
        ["DELETE", `/invoices/${ID_A}`, {}, 405],
        ["GET", "/invoices", {}, 404],
        ["GET", "/shipments", {}, 404],
      ]);
      expect((await call(bases.invoices, "GET", "/health")).status).to.equal(200);
    });

    it("reports unhealthy once its worker has stopped, so ECS replaces the task", async () => {
      const app = createConsumerApp("invoices", invoiceFor, {
        sqs,
        doc: dynamo.doc,
        tableName: "invoices",
        queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/idle",
      });
      app.worker.start();
      const base = `http://127.0.0.1:${await app.server.start(0, "127.0.0.1")}`;
      expect((await call(base, "GET", "/health")).status).to.equal(200);
      await app.worker.stop();
      expect((await call(base, "GET", "/health")).status).to.equal(503);
      await app.server.stop(100);
    });
  });

  describe("billing-service and shipping-service under faults (SQS and DynamoDB mocked)", () => {
    const msg = (id: string, body: string, receiveCount: number) =>
      sqsMessage(id, body, receiveCount);
    const sqsClient = new SQS.SQSClient({ region: REGION, credentials: CREDENTIALS });
    const doc = detachedDoc();
    const stubSqs = () => mockClient(sqsClient);
    const stubDoc = () => mockClient(doc);
    let sqsMock: ReturnType<typeof stubSqs>;
    let ddbMock: ReturnType<typeof stubDoc>;
    let log: string[];
    /** Writes that get through go to dynalite, so the table shows what was really stored. */
    const toDynalite = (input: PutCommand["input"]) => dynamo.doc.send(new PutCommand(input));

    before(() => {
      sqsMock = stubSqs();
      ddbMock = stubDoc();
    });
    after(() => {
      sqsMock.restore();
      ddbMock.restore();
    });
    beforeEach(() => {
      sqsMock.reset();
      ddbMock.reset();
      log = logSqsAcks(sqsMock);
    });
    const scriptReceives = (...batches: SQS.Message[][]) => receives(sqsMock, batches);
    const app = () =>
      createConsumerApp<ProjectedRecord>("invoices", invoiceFor, {
        sqs: sqsClient,
        doc,
        tableName: "invoices",
        queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/billing",
        logger: memoryLogger(),
        worker: { waitTimeSeconds: 1, concurrency: 1 },
      });

    it("leaves a message on the queue when DynamoDB throttles its write; the redelivery and a replay leave one record", async () => {
      const body = JSON.stringify(sampleEvent(ID_C));
      // Delivered, throttled, redelivered (written), then replayed once more by SQS.
      scriptReceives([msg("c", body, 1)], [msg("c", body, 2)], [msg("c", body, 3)]);
      ddbMock.on(PutCommand).rejectsOnce(faults.dynamo.throughputExceeded()).callsFake(toDynalite);
      const consumer = app();
      consumer.worker.start();
      await until(
        () => consumer.worker.stats.received === 3 && log.length === 3,
        "three deliveries",
      );
      await consumer.worker.stop();

      expect(log).to.deep.equal(["visibility:rh-c-1:5", "delete:rh-c-2", "delete:rh-c-3"]);
      expect(consumer.worker.stats).to.deep.include({ received: 3, succeeded: 2, failed: 1 });
      const rows = (await dynamo.scan("invoices")).filter((r) => r.orderId === ID_C);
      expect(rows).to.deep.equal([invoiceFor(sampleEvent(ID_C))]);
    });

    it("on SIGTERM mid-batch: finishes the in-flight message, hands the rest back to the queue and exits 0", async () => {
      const held = gate();
      let writing = false;
      scriptReceives([
        msg("d", JSON.stringify(sampleEvent(ID_D)), 1),
        msg("e", JSON.stringify(sampleEvent(ID_E)), 1),
      ]);
      ddbMock.on(PutCommand).callsFake(async (input: PutCommand["input"]) => {
        writing = true;
        await held.promise;
        return toDynalite(input);
      });
      const consumer = app();
      const url = `http://127.0.0.1:${await consumer.server.start(0, "127.0.0.1")}`;
      const { sigterm, exits } = fakeProcess([consumer.server, consumer.worker]);
      consumer.worker.start();
      try {
        await until(() => writing, "the first write");
        sigterm();
        await sleep(20);
        expect(exits, "waits for the in-flight write").to.deep.equal([]);
        expect(await refusesConnections(url)).to.equal(true);
        held.release();
        await until(() => exits.length === 1, "exit");

        expect(exits).to.deep.equal([0]);
        expect(log).to.deep.equal(["delete:rh-d-1", "visibility:rh-e-1:0"]);
        expect(consumer.worker.stats).to.deep.include({ succeeded: 1, released: 1, failed: 0 });
        const stored = (await dynamo.scan("invoices")).map((r) => r.orderId);
        expect(stored).to.include(ID_D);
        expect(stored).not.to.include(ID_E);
      } finally {
        held.release();
        await Promise.all([consumer.worker.stop(), consumer.server.stop(100)]);
      }
    });
  });

  describe("OrderPlaced messages", () => {
    it("are read raw or from an SNS envelope; anything else is malformed", () => {
      const event = sampleEvent(ID_A);
      expect(parseOrderPlacedMessage(JSON.stringify(event))).to.deep.equal(event);
      expect(parseOrderPlacedMessage(snsEnvelope(event))).to.deep.equal(event);
      for (const body of [undefined, "", "nope", "{}", snsEnvelope({ type: "OrderShipped" })]) {
        expect(() => parseOrderPlacedMessage(body), String(body)).to.throw(MalformedMessageError);
      }
    });

    it("flow end to end: an order placed through the API becomes an invoice and a shipment", async () => {
      const published: string[] = [];
      const service = new OrdersService({
        doc: dynamo.doc,
        tableName: "orders",
        publish: async (e) => void published.push(JSON.stringify(e)),
      });
      const { order } = await service.place(ORDER_INPUT);
      const event = parseOrderPlacedMessage(published[0]);
      expect(invoiceFor(event)).to.include({ orderId: order.id, amountCents: order.totalCents });
      expect(shipmentFor(event)).to.include({ orderId: order.id, status: "PENDING" });
    });
  });
});
