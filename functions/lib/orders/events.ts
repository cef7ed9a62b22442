/**
 * Reading `OrderPlaced` from an SQS message body: raw (SNS raw message delivery) or inside SNS's
 * JSON envelope. A body that is neither throws, so the message is retried and ends in the DLQ
 * after maxReceiveCount instead of being dropped silently. Pure.
 */
import * as z from "zod/mini";
import { OrderPlaced, orderPlacedSchema } from "./schema";

export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedMessageError";
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedMessageError(`${what} is not JSON`);
  }
}

/** SNS notification envelope (raw delivery off). */
function snsMessage(doc: unknown): string | undefined {
  if (typeof doc !== "object" || doc === null) return undefined;
  const d = doc as Record<string, unknown>;
  return d.Type === "Notification" && typeof d.Message === "string" ? d.Message : undefined;
}

export function parseOrderPlacedMessage(body: string | undefined): OrderPlaced {
  if (!body) throw new MalformedMessageError("message body is empty");
  let doc = parseJson(body, "message body");
  const inner = snsMessage(doc);
  if (inner !== undefined) doc = parseJson(inner, "SNS Message");
  const result = orderPlacedSchema.safeParse(doc);
  if (!result.success) {
    throw new MalformedMessageError(
      `not an OrderPlaced v1 event: ${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}
