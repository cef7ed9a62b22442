/**
 * `GET /items/{id}/summary`: the item and the files attached to it (uploaded with `itemId`, so
 * under `<ITEM_FILES_PREFIX><id>/`), read in parallel from DynamoDB and S3, each within
 * BACKEND_TIMEOUT_MS. See `lib/summaryRoute.ts` for the answers (200, partial 200, 400, 404).
 */
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { REQUEST_HASH_ATTRIBUTE } from "../lib/items/attributes";
import { createLogger, withLambdaContext } from "../lib/logger";
import { documentClient, lazy } from "../lib/runtime";
import { isUuid, makeSummaryHandler } from "../lib/summaryRoute";
import { ItemSummaryEnv, readItemSummaryEnv } from "./env";

/** Files listed per item: one ListObjectsV2 page (S3's own maximum). */
export const MAX_FILES = 1000;

export interface ItemFile {
  key: string;
  fileName: string;
  size?: number;
  lastModified?: string;
  eTag?: string;
}

export function itemFetchers(doc: DynamoDBDocumentClient, s3: S3Client, env: ItemSummaryEnv) {
  return (id: string) => ({
    item: async (abortSignal: AbortSignal) => {
      const { Item } = await doc.send(new GetCommand({ TableName: env.itemsTable, Key: { id } }), {
        abortSignal,
      });
      if (!Item) return undefined;
      // The same view as GET /items/{id}: the idempotency hash stays internal.
      const { [REQUEST_HASH_ATTRIBUTE]: _internal, ...item } = Item;
      return item;
    },
    // An item without files has an empty list, never "not found".
    files: async (abortSignal: AbortSignal): Promise<ItemFile[]> => {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: env.filesBucket,
          Prefix: `${env.filesPrefix}${id}/`,
          MaxKeys: MAX_FILES,
        }),
        { abortSignal },
      );
      return (page.Contents ?? []).map((o) => ({
        key: o.Key!,
        fileName: o.Key!.split("/").pop()!,
        size: o.Size,
        lastModified: o.LastModified?.toISOString(),
        eTag: o.ETag,
      }));
    },
  });
}

const logger = createLogger("item-summary");

export function makeHandler(doc: DynamoDBDocumentClient, s3: S3Client, env: ItemSummaryEnv) {
  return makeSummaryHandler<"item" | "files">({
    primary: "item",
    isId: isUuid,
    fetchers: itemFetchers(doc, s3, env),
    timeoutMs: env.backendTimeoutMs,
    logger,
  });
}

const deps = lazy(() =>
  makeHandler(
    documentClient({ maxAttempts: 2 }),
    new S3Client({ maxAttempts: 2 }),
    readItemSummaryEnv(),
  ),
);
export const handler = withLambdaContext(logger, (event: APIGatewayProxyEventV2) => deps()(event));
