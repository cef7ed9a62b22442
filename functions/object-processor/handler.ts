/**
 * Work-queue consumer: processes each object event (HEAD of the exact version, classification)
 * and records the result in DynamoDB, once per object write.
 */
import {
  ObjectRowDeps,
  makeObjectRowHandler,
  deployedObjectRowDeps,
  rowFromHead,
} from "../lib/objectRows";
import { lazy } from "../lib/runtime";
import { readObjectProcessorEnv } from "./env";
import { processedItem } from "./process";

export type ProcessorDeps = ObjectRowDeps;

export function makeHandler(deps: () => ProcessorDeps) {
  return makeObjectRowHandler(deps, rowFromHead(processedItem), { message: "processed" });
}

export const handler = makeHandler(
  lazy(() => deployedObjectRowDeps("object-processor", readObjectProcessorEnv().tableName)),
);
