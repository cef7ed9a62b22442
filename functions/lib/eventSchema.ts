/**
 * THE definition of an analytics event's data: a JSON Schema (draft 4, the dialect of API Gateway
 * models). The stream processor and the aggregator validate every record with it
 * (functions/lib/streamEvents.ts), and the Kinesis ingest API's request models are generated from it
 * (components/kinesisIngestApi.ts), so what the API accepts the pipeline can store, and what the
 * pipeline cannot store the API refuses with a 400. Pure data: no AWS calls, no Pulumi.
 */
import type { Draft4Schema } from "./jsonSchema";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const MAX_ID_LENGTH = 128;
export const MAX_TYPE_LENGTH = 64;
export const MAX_KEY_LENGTH = 256;

/**
 * `value` bounds. DynamoDB numbers hold 38 significant digits with magnitudes from 1E-130 to
 * below 1E+126 (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number):
 * a nonzero magnitude under 1E-130 cannot be stored, and 1E+100 leaves room for sums of 1E+25
 * events in the aggregates, which add values exactly (functions/lib/decimal.ts).
 */
export const MAX_VALUE_MAGNITUDE = 1e100;
export const MIN_NONZERO_MAGNITUDE = 1e-130;

/** Epoch milliseconds JavaScript dates (and so ISO-8601 output) can represent. */
export const MAX_EPOCH_MS = 8.64e15;

/** Printable text: no C0 control characters and no DEL (they break logs, CSV and SMS). */
export const PRINTABLE_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$";

/**
 * ISO-8601 date-time in UTC or with an offset, seconds required, up to 9 fractional digits. Every
 * text matching it is a real instant (day 31 of a 30-day month rolls over, like Date.UTC).
 */
export const ISO_TIMESTAMP_PATTERN =
  "^(\\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):([0-5]\\d):([0-5]\\d)(?:\\.(\\d{1,9}))?(Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$";

const printable = (min: number, max: number, description?: string): Draft4Schema => ({
  type: "string",
  minLength: min,
  maxLength: max,
  pattern: PRINTABLE_PATTERN,
  ...(description ? { description } : {}),
});

/** The event data: any JSON object; the fields the pipeline reads are optional but typed. */
export const EVENT_DATA_SCHEMA = {
  type: "object",
  description: "The event. Any JSON object; the fields below are optional but typed.",
  properties: {
    eventId: printable(
      1,
      MAX_ID_LENGTH,
      "Idempotency key: records with the same eventId are stored once.",
    ),
    type: printable(1, MAX_TYPE_LENGTH),
    severity: {
      type: "string",
      description: "Case-insensitive: stored in lower case.",
      enum: [...SEVERITIES, ...SEVERITIES.map((s) => s.toUpperCase())],
    },
    occurredAt: {
      description: "ISO-8601 timestamp with seconds and a zone, or epoch milliseconds.",
      anyOf: [
        { type: "string", pattern: ISO_TIMESTAMP_PATTERN },
        { type: "number", minimum: -MAX_EPOCH_MS, maximum: MAX_EPOCH_MS },
      ],
    },
    key: printable(1, MAX_KEY_LENGTH),
    value: {
      type: "number",
      minimum: -MAX_VALUE_MAGNITUDE,
      maximum: MAX_VALUE_MAGNITUDE,
      not: {
        description: `a nonzero value must have a magnitude of at least ${MIN_NONZERO_MAGNITUDE}`,
        minimum: -MIN_NONZERO_MAGNITUDE,
        maximum: MIN_NONZERO_MAGNITUDE,
        exclusiveMinimum: true,
        exclusiveMaximum: true,
        not: { enum: [0] },
      },
    },
  },
} satisfies Draft4Schema;
