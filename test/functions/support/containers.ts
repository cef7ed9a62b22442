/**
 * Test support for the container apps: an in-process dynalite with tables keyed as each service
 * needs, a silent logger, a tiny HTTP client, and OrderPlaced fixtures.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { ServerLogger } from "../../../functions/lib/container/httpServer";
import { Order, OrderPlaced, orderPlaced } from "../../../functions/lib/orders/schema";

export const REGION = "us-east-1";
export const CREDENTIALS = { accessKeyId: "x", secretAccessKey: "x" };

/** Collects log lines instead of printing them. */
export function memoryLogger(): ServerLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, info: log("info"), warn: log("warn"), error: log("error") };
}

// dynalite ships no types; only listen/close/address are used.
const dynalite = require("dynalite") as (opts: object) => {
  listen(port: number, cb: () => void): void;
  close(cb: () => void): void;
  address(): { port: number };
};

export interface Dynamo {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  createTable(name: string, key: string): Promise<void>;
  scan(name: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startDynamo(): Promise<Dynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${server.address().port}`,
    region: REGION,
    credentials: CREDENTIALS,
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    client,
    doc,
    createTable: async (name, key) => {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
          KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    },
    scan: async (name) => (await doc.send(new ScanCommand({ TableName: name }))).Items ?? [],
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** One HTTP request to a local server; the body is parsed as JSON when it is JSON. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: string | object; headers?: Record<string, string> } = {},
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
