import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Document client that drops undefined attributes (optional fields of an item) when writing. */
export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return documentClientOver(new DynamoDBClient(config));
}

/** `documentClient` over a client that already exists (tests, emulators). */
export function documentClientOver(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Builds dependencies once, on first use: cold start pays for clients only when invoked. */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
