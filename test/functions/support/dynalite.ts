/**
 * The in-process emulator plumbing every function test shares: fake region and credentials for
 * clients pointed at an emulator, `listen` for the emulators' servers, a dynalite with document
 * client, table creation and scan, and document clients for aws-sdk-client-mock to fault.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { documentClientOver } from "../../../functions/lib/runtime";

export const REGION = "us-east-1";
export const CREDENTIALS = { accessKeyId: "x", secretAccessKey: "x" };

/** The emulators (dynalite, kinesalite) ship no types; only listen/close/address are used. */
export interface EmulatorServer {
  listen(port: number, cb: () => void): void;
  close(cb: () => void): void;
  address(): { port: number };
}

/** Listens on a free port; returns the endpoint URL for an SDK client. */
export async function listen(server: EmulatorServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

export const closeServer = (server: EmulatorServer) =>
  new Promise<void>((resolve) => server.close(() => resolve()));

const dynalite = require("dynalite") as (opts: object) => EmulatorServer;

export interface LocalDynamo {
  client: DynamoDBClient;
  /** Configured as the handlers' `documentClient()` (drops undefined attributes). */
  doc: DynamoDBDocumentClient;
  /** An on-demand table with string keys. `hashKey` default: "id"; no range key by default. */
  createTable(name: string, hashKey?: string, rangeKey?: string): Promise<void>;
  /** Every item of the table (all pages). */
  scan(name: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  const doc = documentClientOver(client);
  return {
    client,
    doc,
    createTable: async (name, hashKey = "id", rangeKey) => {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [
            { AttributeName: hashKey, AttributeType: "S" },
            ...(rangeKey ? [{ AttributeName: rangeKey, AttributeType: "S" as const }] : []),
          ],
          KeySchema: [
            { AttributeName: hashKey, KeyType: "HASH" },
            ...(rangeKey ? [{ AttributeName: rangeKey, KeyType: "RANGE" as const }] : []),
          ],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    },
    scan: async (name) => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    close: async () => {
      client.destroy();
      await closeServer(server);
    },
  };
}

/**
 * A document client connected to nothing, for `mockClient(doc)` to stub: mocking this instance
 * leaves every other client (the emulator's) real.
 */
export const detachedDoc = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: REGION, credentials: CREDENTIALS }));

/**
 * A document client whose first PutCommand fails with `fault` and whose later ones write to
 * `local`, so a test sees what a retry really stored. Restore `mock` when done.
 */
export function putFailingOnce(local: LocalDynamo, fault: Error) {
  const doc = detachedDoc();
  const mock = mockClient(doc);
  mock
    .on(PutCommand)
    .rejectsOnce(fault)
    .callsFake((input: PutCommand["input"]) => local.doc.send(new PutCommand(input)));
  return { doc, mock };
}
