/**
 * Firehose data transformation of the raw archive: every record becomes one JSON line with the
 * effective event id and a normalised `occurredat` (see transform.ts), so Athena counts and
 * de-duplicates what the stream processor does. Every record is returned `Ok`: invalid ones are
 * archived as such. No environment variables, no AWS calls. One log line per invocation (with
 * the request id) counts what was archived as invalid.
 *
 * The envelope is read as the aws-lambda types, not through Powertools Parser's
 * KinesisFirehoseSchema, which refuses the SAM CLI's own sample (its `subsequenceNumber` is text,
 * as in the aws-lambda types; test/functions/parserFit.test.ts): a refused envelope fails the
 * whole batch, and the raw archive must keep every record the stream carried.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { createLogger, withLambdaContext } from "../lib/logger";
import { archiveRow } from "./transform";

const logger = createLogger("archive-transform");

export const handler = withLambdaContext(
  logger,
  async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    let invalid = 0;
    const records = event.records.map((r) => {
      const row = archiveRow(r);
      if (!row.valid) invalid++;
      return {
        recordId: r.recordId,
        result: "Ok" as const,
        data: Buffer.from(JSON.stringify(row)).toString("base64"),
      };
    });
    logger.info("records transformed", { records: records.length, invalid });
    return { records };
  },
);
