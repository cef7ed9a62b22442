import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { shutdownOnSignal } from "../../../functions/lib/container/lifecycle";
import {
  QueueWorker,
  defaultRetryDelaySeconds,
} from "../../../functions/lib/container/queueWorker";
import {
  fakeProcess,
  gate,
  logSqsAcks,
  memoryLogger,
  scriptReceives as receives,
  sleep,
  sqsMessage,
  until,
} from "../support/containers";
import { CREDENTIALS, REGION } from "../support/dynalite";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/billing";

const message = (id: string, receiveCount = 1, receipt?: string): Message =>
  sqsMessage(id, JSON.stringify({ id }), receiveCount, receipt);

describe("QueueWorker (mocked SQS)", () => {
  const client = new SQSClient({ region: REGION, credentials: CREDENTIALS });
  const stub = () => mockClient(client);
  // Created per suite run and restored after, so other suites can stub SQS clients too.
  let sqs: ReturnType<typeof stub>;
  let log: string[];
  before(() => (sqs = stub()));
  after(() => sqs.restore());

  /** Scripted receives: each call takes the next batch; afterwards empty polls (a few ms each). */
  const scriptReceives = (...batches: Message[][]) =>
    receives(sqs, batches, () => log.push("receive"));

  beforeEach(() => {
    sqs.reset();
    log = logSqsAcks(sqs);
  });

  it("long-polls with the receive count attribute, and deletes each message only after processing it", async () => {
    scriptReceives([message("a"), message("b")]);
    const worker = new QueueWorker({
      sqs: client,
      queueUrl: QUEUE_URL,
      handle: async (m) => {
        log.push(`start:${m.MessageId}`);
        await sleep(5);
        log.push(`done:${m.MessageId}`);
      },
    });
    worker.start();
    await until(() => worker.stats.succeeded === 2, "two messages");
    await worker.stop();

    const receive = sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input;
    expect(receive).to.include({
      QueueUrl: QUEUE_URL,
      WaitTimeSeconds: 20,
      MaxNumberOfMessages: 10,
    });
    expect(receive.MessageSystemAttributeNames).to.deep.equal(["ApproximateReceiveCount"]);
    for (const id of ["a", "b"]) {
      const done = log.indexOf(`done:${id}`);
      const deleted = log.indexOf(`delete:rh-${id}-1`);
      expect(done, id).to.be.greaterThan(-1);
      expect(deleted, `${id} deleted after processing`).to.be.greaterThan(done);
    }
    expect(worker.stats).to.deep.include({ received: 2, succeeded: 2, failed: 0 });
  });

  it("never deletes a failed message: it backs off, is redelivered and retried until it succeeds", async () => {
    // The same message arrives twice: SQS redelivers what was not deleted.
    scriptReceives([message("x", 1)], [message("x", 2)]);
    let attempts = 0;
    const worker = new QueueWorker({
      sqs: client,
      queueUrl: QUEUE_URL,
      logger: memoryLogger(),
      handle: async () => {
        attempts++;
        if (attempts === 1) throw new Error("table throttled");
      },
    });
    worker.start();
    await until(() => worker.stats.succeeded === 1, "the retry");
    await worker.stop();

    expect(attempts).to.equal(2);
    expect(log).to.include("visibility:rh-x-1:5"); // backoff for the first failure
    expect(log).not.to.include("delete:rh-x-1");
    expect(log).to.include("delete:rh-x-2");
    expect(worker.stats).to.deep.include({ received: 2, succeeded: 1, failed: 1 });
  });

  it("backs off exponentially by receive count, capped at 5 minutes", () => {
    expect([1, 2, 3, 4, 7, 20].map(defaultRetryDelaySeconds)).to.deep.equal([
      5, 10, 20, 40, 300, 300,
    ]);
  });

  it("keeps polling after receive errors, and survives failed visibility changes and deletes", async () => {
    let receives = 0;
    sqs.on(ReceiveMessageCommand).callsFake(async () => {
      receives++;
      if (receives <= 2)
        throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
      if (receives === 3) return { Messages: [message("ok"), message("bad")] };
      await sleep(3);
      return {};
    });
    sqs.on(DeleteMessageCommand).rejects(new Error("network"));
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error("network"));
    const logger = memoryLogger();
    const worker = new QueueWorker({
      sqs: client,
      queueUrl: QUEUE_URL,
      logger,
      receiveErrorDelayMs: () => 1,
      handle: async (m) => {
        if (m.MessageId === "bad") throw new Error("boom");
      },
    });
    worker.start();
    await until(() => worker.stats.failed === 1 && worker.stats.succeeded === 1, "both outcomes");
    await worker.stop();
    expect(receives).to.be.greaterThan(3);
    const warnings = logger.lines.filter((l) => l.level === "warn").map((l) => l.message);
    expect(warnings).to.include.members([
      "receive failed",
      "delete failed; the message will be redelivered",
      "could not change message visibility",
    ]);
  });

  it("on SIGTERM: stops polling, finishes in-flight work, releases unstarted messages, exits 0", async () => {
    scriptReceives([message("m1"), message("m2"), message("m3")]);
    const held = gate();
    const handled: string[] = [];
    const worker = new QueueWorker({
      sqs: client,
      queueUrl: QUEUE_URL,
      concurrency: 1,
      handle: async (m) => {
        handled.push(m.MessageId!);
        if (m.MessageId === "m1") await held.promise;
      },
    });
    const { sigterm, exits } = fakeProcess([worker]);
    worker.start();
    await until(() => handled.includes("m1"), "m1 in flight");

    sigterm();
    await sleep(10);
    const receivesAtStop = sqs.commandCalls(ReceiveMessageCommand).length;
    expect(exits, "waits for in-flight work").to.deep.equal([]);
    held.release();
    await until(() => exits.length === 1, "exit");

    expect(exits).to.deep.equal([0]);
    expect(handled).to.deep.equal(["m1"]);
    expect(log).to.include("delete:rh-m1-1");
    expect(log).to.include.members(["visibility:rh-m2-1:0", "visibility:rh-m3-1:0"]);
    expect(log.filter((l) => l.startsWith("delete:"))).to.deep.equal(["delete:rh-m1-1"]);
    expect(sqs.commandCalls(ReceiveMessageCommand).length).to.equal(receivesAtStop);
    expect(worker.stats).to.deep.include({ succeeded: 1, released: 2, failed: 0 });
    expect(worker.running).to.equal(false);
  });

  it("stop() returns at once during a 20 s long poll", async () => {
    sqs.on(ReceiveMessageCommand).callsFake(() => new Promise(() => undefined));
    const worker = new QueueWorker({ sqs: client, queueUrl: QUEUE_URL, handle: async () => {} });
    worker.start();
    await sleep(5);
    const started = Date.now();
    await worker.stop();
    expect(Date.now() - started).to.be.lessThan(500);
  });
});

describe("shutdownOnSignal", () => {
  const emitter = () =>
    new EventEmitter() as unknown as Pick<NodeJS.Process, "once"> & EventEmitter;

  it("stops every part once, even when SIGINT follows SIGTERM", async () => {
    const signals = emitter();
    const stops: string[] = [];
    const exits: number[] = [];
    shutdownOnSignal(
      [
        { stop: async () => void stops.push("server") },
        { stop: async () => void stops.push("worker") },
      ],
      { signals, exit: (c) => void exits.push(c) },
    );
    signals.emit("SIGTERM");
    signals.emit("SIGINT");
    await sleep(5);
    expect(stops).to.deep.equal(["server", "worker"]);
    expect(exits).to.deep.equal([0]);
  });

  it("exits 1 when a part fails to stop, or when draining passes the deadline", async () => {
    const exits: number[] = [];
    const failing = shutdownOnSignal([{ stop: () => Promise.reject(new Error("stuck")) }], {
      signals: emitter(),
      exit: (c) => void exits.push(c),
      logger: memoryLogger(),
    });
    await failing("SIGTERM");
    const slow = shutdownOnSignal([{ stop: () => sleep(200) }], {
      signals: emitter(),
      exit: (c) => void exits.push(c),
      deadlineMs: 10,
      logger: memoryLogger(),
    });
    await slow("SIGTERM");
    expect(exits, "the deadline exit is final").to.deep.equal([1, 1]);
  });
});
