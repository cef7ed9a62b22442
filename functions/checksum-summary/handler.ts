/**
 * Fan-out subscriber: reads each uploaded object version once, computes its SHA-256 (and checks
 * the bytes against S3's MD5 ETag when it is one) and stores the summary in its own table.
 */
import { ObjectRowDeps, deployedObjectRowDeps, makeObjectRowHandler } from "../lib/objectRows";
import { lazy } from "../lib/runtime";
import { DEFAULT_MAX_OBJECT_BYTES, readChecksumSummaryEnv } from "./env";
import { getObjectStream } from "../lib/s3Objects";
import { checksumItem, shouldRead, summarize } from "./summary";

export { DEFAULT_MAX_OBJECT_BYTES };

export interface ChecksumDeps extends ObjectRowDeps {
  /** Default: DEFAULT_MAX_OBJECT_BYTES. */
  maxObjectBytes?: number;
}

export function makeHandler(deps: () => ChecksumDeps) {
  return makeObjectRowHandler(
    deps,
    async (object, { s3, maxObjectBytes = DEFAULT_MAX_OBJECT_BYTES }, now) => {
      let result: Parameters<typeof checksumItem>[1] = "too-large";
      if (shouldRead(object, maxObjectBytes)) {
        const body = await getObjectStream(s3, object);
        result = body ? await summarize(body) : "missing";
      }
      return checksumItem(object, result, now());
    },
    { message: "summarized", fields: (item) => ({ id: item.id, status: item.status }) },
  );
}

export const handler = makeHandler(
  lazy(() => {
    const env = readChecksumSummaryEnv();
    return {
      ...deployedObjectRowDeps("checksum-summary", env.tableName),
      maxObjectBytes: env.maxObjectBytes,
    };
  }),
);
