/**
 * Test support for the container apps: a silent logger, a tiny HTTP client, waiting on background
 * work, a fake process for SIGTERM tests, a scripted SQS for queue workers, and OrderPlaced
 * fixtures (dynalite is in ./dynalite).
 */
import * as SQS from "@aws-sdk/client-sqs";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";
import { EventEmitter } from "node:events";
import type { ServerLogger } from "../../../functions/lib/container/httpServer";
import { Stoppable, shutdownOnSignal } from "../../../functions/lib/container/lifecycle";
import { Order, OrderPlaced, orderPlaced } from "../../../functions/lib/orders/schema";
import { REGION } from "./dynalite";

/** Collects log lines instead of printing them. */
export function memoryLogger(): ServerLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, info: log("info"), warn: log("warn"), error: log("error") };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `check` holds (the work runs in the background); fails naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A promise that stays pending until `release()`: stands in for a slow downstream call. */
export function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

/**
 * `shutdownOnSignal(parts)` wired to a fake process: `sigterm()` delivers SIGTERM and `exits`
 * collects the exit codes instead of ending the test run.
 */
export function fakeProcess(parts: Stoppable[]): { sigterm(): void; exits: number[] } {
  const signals = new EventEmitter();
  const exits: number[] = [];
  shutdownOnSignal(parts, {
    signals: signals as unknown as Pick<NodeJS.Process, "once">,
    exit: (code) => void exits.push(code),
  });
  return { sigterm: () => void signals.emit("SIGTERM"), exits };
}

/** A message as ReceiveMessage returns it to a worker (with the receive count it asks for). */
export function sqsMessage(
  id: string,
  body: string,
  receiveCount = 1,
  receipt = `rh-${id}-${receiveCount}`,
): SQS.Message {
  return {
    MessageId: id,
    ReceiptHandle: receipt,
    Body: body,
    Attributes: { ApproximateReceiveCount: String(receiveCount) },
  };
}

/**
 * Answers a mocked SQS client's deletes and visibility changes, recording each in the returned
 * log as `delete:<receipt>` or `visibility:<receipt>:<seconds>`, in the order the worker sent them.
 */
export function logSqsAcks(sqs: AwsClientStub<SQS.SQSClient>): string[] {
  const log: string[] = [];
  sqs.on(SQS.DeleteMessageCommand).callsFake(async (input: { ReceiptHandle: string }) => {
    log.push(`delete:${input.ReceiptHandle}`);
    return {};
  });
  sqs
    .on(SQS.ChangeMessageVisibilityCommand)
    .callsFake(async (input: { ReceiptHandle: string; VisibilityTimeout: number }) => {
      log.push(`visibility:${input.ReceiptHandle}:${input.VisibilityTimeout}`);
      return {};
    });
  return log;
}

/**
 * Scripted receives: each ReceiveMessage takes the next batch, afterwards empty polls (a few ms
 * each, standing in for the long poll). `onReceive` runs on every call.
 */
export function scriptReceives(
  sqs: AwsClientStub<SQS.SQSClient>,
  batches: SQS.Message[][],
  onReceive: () => void = () => undefined,
): void {
  let i = 0;
  sqs.on(SQS.ReceiveMessageCommand).callsFake(async () => {
    onReceive();
    if (i < batches.length) return { Messages: batches[i++] };
    await sleep(3);
    return {};
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

export interface CallOptions {
  /** An object is sent as JSON (with its content type). */
  body?: string | object;
  headers?: Record<string, string>;
}

/** One HTTP request to a local server; the body is parsed as JSON when it is JSON. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Whether a new connection to the server fails (a draining server stops accepting). */
export async function refusesConnections(base: string): Promise<boolean> {
  return call(base, "GET", "/health").then(
    () => false,
    () => true,
  );
}

/** A request the app must refuse: method, path, options, expected status. */
export type ErrorCase = [method: string, path: string, options: CallOptions, status: number];

/** Sends each case; each must be answered with its status as `{ error: { status, message } }`. */
export async function expectJsonErrors(base: string, cases: ErrorCase[]): Promise<void> {
  for (const [method, path, options, status] of cases) {
    const res = await call(base, method, path, options);
    const what = `${method} ${path} ${JSON.stringify(options).slice(0, 80)}`;
    expect(res.status, what).to.equal(status);
    expect(res.body, what).to.have.nested.property("error.status", status);
    expect(res.body, what).to.have.nested.property("error.message");
  }
}

export const ORDER_INPUT = {
  customerId: "cust-1",
  currency: "EUR",
  lines: [
    { sku: "BOOK-1", quantity: 2, unitPriceCents: 1250 },
    { sku: "PEN-7", quantity: 3, unitPriceCents: 199 },
  ],
  shippingAddress: {
    name: "Ada Lovelace",
    line1: "12 St James's Square",
    city: "London",
    postalCode: "SW1Y 4JH",
    country: "GB",
  },
};

export function sampleOrder(id: string, overrides: Partial<Order> = {}): Order {
  return {
    ...ORDER_INPUT,
    id,
    totalCents: 2 * 1250 + 3 * 199,
    status: "PLACED",
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

export function sampleEvent(id: string): OrderPlaced {
  return orderPlaced(sampleOrder(id));
}

/** The SNS notification envelope SQS receives when raw message delivery is off. */
export function snsEnvelope(message: unknown): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: "0f9d7c1e-0000-4000-8000-000000000000",
    TopicArn: `arn:aws:sns:${REGION}:123456789012:order-events`,
    Message: JSON.stringify(message),
    Timestamp: "2026-01-01T00:00:00.000Z",
    SignatureVersion: "1",
  });
}
