/**
 * Pure part of the notifier: which data-table changes are worth a message, and the message for each
 * protocol (email, SMS, default). No AWS calls.
 */
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { NumberValueImpl as NumberValue, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Severity } from "../lib/streamEvents";

export const CHANGE_NAMES = ["INSERT", "MODIFY", "REMOVE"] as const;
export type ChangeName = (typeof CHANGE_NAMES)[number];

/** Which changes notify: the same rules the event source mapping's filter applies. */
export interface NotifyRules {
  eventNames: ChangeName[];
  /** Severities that notify; empty means every severity. */
  severities: Severity[];
}

export const DEFAULT_RULES: NotifyRules = {
  eventNames: ["INSERT"],
  severities: ["high", "critical"],
};

/** Subjects: printable ASCII, no line breaks, fewer than 100 characters (SNS rejects others). */
export const SUBJECT_MAX = 99;
/** One SMS part is 140 bytes; longer messages are split and billed per part. */
export const SMS_MAX = 140;
/** The payload shown in an email is cut at this many characters. */
export const EMAIL_PAYLOAD_MAX = 4000;

/** The row a change is about: the new image, or the old one for a REMOVE. */
export function imageOf(record: DynamoDBRecord): Record<string, unknown> {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  if (!image) return {};
  // aws-lambda's stream AttributeValue and the SDK's are the same JSON shape, typed apart.
  // wrapNumbers: a number beyond 2^53 (DynamoDB holds 38 digits) stays exact text instead of
  // throwing, or becoming a BigInt that JSON.stringify cannot write.
  return unmarshall(image as unknown as Record<string, AttributeValue>, { wrapNumbers: true });
}

/** Applies the rules in code too: the mapping's filter is the first line, this the last. */
export function shouldNotify(record: DynamoDBRecord, rules: NotifyRules): boolean {
  if (!rules.eventNames.includes(record.eventName as ChangeName)) return false;
  if (rules.severities.length === 0) return true;
  const severity = (record.dynamodb?.NewImage ?? record.dynamodb?.OldImage)?.severity as
    StreamAttributeValue | undefined;
  return rules.severities.includes(severity?.S as Severity);
}

/** One SNS message, ready for PublishBatch with MessageStructure "json". */
export interface Notification {
  sequenceNumber: string;
  subject: string;
  /** JSON object with `default`, `email` and `sms` texts. */
  message: string;
  attributes: Record<string, { DataType: "String"; StringValue: string }>;
}

function asciiLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, " ").replace(/[^\x20-\x7e]/g, "?");
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

const str = (v: unknown): string | undefined =>
  typeof v === "string"
    ? v
    : typeof v === "number" || v instanceof NumberValue
      ? v.toString()
      : undefined;

/** JSON of an unmarshalled image: DynamoDB numbers as their exact text. */
const plainJson = (v: unknown, indent?: number) =>
  JSON.stringify(v, (_k, x: unknown) => (x instanceof NumberValue ? x.toString() : x), indent);

/** The stored payload: JSON text as the client sent it (older rows: a map). */
function payloadText(payload: unknown): string {
  if (typeof payload === "string") return payload;
  return plainJson(payload ?? {}, 2);
}

/** Formats one change into the texts each protocol receives. */
export function formatNotification(record: DynamoDBRecord): Notification {
  const row = imageOf(record);
  const change = record.eventName ?? "CHANGE";
  const type = str(row.type) ?? "event";
  const severity = str(row.severity) ?? "info";
  const eventId = str(row.eventId) ?? "unknown";
  const key = str(row.key);
  const value = str(row.value);
  const occurredAt = str(row.occurredAt) ?? "unknown time";
  const verb = change === "INSERT" ? "new" : change === "MODIFY" ? "updated" : "removed";

  const subject = cut(
    asciiLine(`[${severity.toUpperCase()}] ${verb} ${type} event${key ? ` for ${key}` : ""}`),
    SUBJECT_MAX,
  );
  const shortId = eventId.replace(/^sha256:/, "").slice(0, 12);
  const sms = cut(
    [
      severity.toUpperCase(),
      `${verb} ${type}`,
      key ? `key=${key}` : undefined,
      value !== undefined ? `value=${value}` : undefined,
      `at ${occurredAt}`,
      `id=${shortId}`,
    ]
      .filter(Boolean)
      .join(" "),
    SMS_MAX,
  );
  const payload = cut(payloadText(row.payload), EMAIL_PAYLOAD_MAX);
  const email = [
    `A ${severity}-severity ${type} event was ${verb === "new" ? "stored" : verb}.`,
    "",
    `Event:     ${type}`,
    `Severity:  ${severity}`,
    `Event id:  ${eventId}`,
    ...(key ? [`Key:       ${key}`] : []),
    ...(value !== undefined ? [`Value:     ${value}`] : []),
    `Occurred:  ${occurredAt}`,
    `Change:    ${change}`,
    "",
    "Payload:",
    payload,
  ].join("\n");
  const summary = JSON.stringify({ change, eventId, type, severity, key, value, occurredAt });

  return {
    sequenceNumber: record.dynamodb?.SequenceNumber ?? "",
    subject,
    message: JSON.stringify({ default: summary, email, sms }),
    attributes: {
      severity: { DataType: "String", StringValue: severity },
      eventType: { DataType: "String", StringValue: type },
      change: { DataType: "String", StringValue: change },
      // The record's key: client subscriptions filter on it (functions/notify-subscriptions).
      ...(key ? { key: { DataType: "String" as const, StringValue: key } } : {}),
      // SMS: transactional messages are delivered with priority (and billed as such).
      "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
    },
  };
}
