/** Builds the items service over a real (or emulated) DynamoDB. */
import type { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { documentClient, documentClientOver } from "../runtime";
import { ItemsRepository } from "./repository";
import { ItemsService, ItemsServiceDeps } from "./service";

export interface CreateItemsServiceOptions extends Omit<ItemsServiceDeps, "repository"> {
  /** A ready client (tests, emulators). Default: a DynamoDBClient from `clientConfig`. */
  client?: DynamoDBClient;
  /** Used when `client` is not given. Default: SDK defaults (region and credentials from env). */
  clientConfig?: DynamoDBClientConfig;
}

export function createItemsService(
  tableName: string,
  options: CreateItemsServiceOptions = {},
): ItemsService {
  const { client, clientConfig, ...deps } = options;
  const doc = client ? documentClientOver(client) : documentClient(clientConfig);
  return new ItemsService({ ...deps, repository: new ItemsRepository(doc, tableName) });
}
