/**
 * Firehose data transformation of the raw archive: every record becomes one JSON line with the
 * effective event id and a normalised `occurredat` (see transform.ts), so Athena counts and
 * de-duplicates what the stream processor does. Every record is returned `Ok`: invalid ones are
 * archived as such. No environment variables, no AWS calls.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { archiveRow } from "./transform";

export const handler = async (
  event: FirehoseTransformationEvent,
): Promise<FirehoseTransformationResult> => ({
  records: event.records.map((r) => ({
    recordId: r.recordId,
    result: "Ok",
    data: Buffer.from(JSON.stringify(archiveRow(r))).toString("base64"),
  })),
});
