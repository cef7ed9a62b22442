/**
 * Fan-out subscriber: indexes each uploaded object's metadata (from the S3 event and a HEAD of
 * the exact version) into DynamoDB, once per object write.
 */
import {
  ObjectRowDeps,
  makeObjectRowHandler,
  deployedObjectRowDeps,
  rowFromHead,
} from "../lib/objectRows";
import { lazy } from "../lib/runtime";
import { readMetadataIndexerEnv } from "./env";
import { metadataItem } from "./metadata";

export type IndexerDeps = ObjectRowDeps;

export function makeHandler(deps: () => IndexerDeps) {
  return makeObjectRowHandler(deps, rowFromHead(metadataItem), { message: "indexed" });
}

export const handler = makeHandler(
  lazy(() => deployedObjectRowDeps("metadata-indexer", readMetadataIndexerEnv().tableName)),
);
