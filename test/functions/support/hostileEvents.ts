/**
 * fast-check arbitraries of analytics events as a hostile client sends them: JSON text (so it can
 * hold `__proto__` keys and numbers no double can carry), each field valid or broken in one of the
 * ways issue 12 found (control characters, astral characters counted in code points, free-text or
 * out-of-range times, values past 2^53 or below DynamoDB's 1E-130, wrong types).
 */
import fc from "fast-check";

const printable = (min: number, max: number) =>
  fc.string({ minLength: min, maxLength: max, unit: "grapheme-ascii" });
const astral = (n: number) => "😀".repeat(n); // n code points, 2n UTF-16 units

const textField = (max: number) =>
  fc.oneof(
    { arbitrary: printable(1, 12), weight: 60 },
    fc.constant(""),
    fc.constant("a\u0000b"),
    fc.constant("tab\tin"),
    fc.constant("\u007f"),
    fc.constant(astral(max)), // valid: max code points
    fc.constant(astral(max + 1)),
    fc.constant("x".repeat(max + 1)),
    fc.integer(),
    fc.constant(null),
  );

const occurredAt = fc.oneof(
  { arbitrary: fc.integer({ min: -8.64e15, max: 8.64e15 }), weight: 30 },
  fc.constantFrom(
    1e16,
    -1e16,
    8.64e15,
    8.640000000000001e15,
    1.5,
    "2026-03-01T12:00:00Z",
    "2026-03-01T12:00:00.123456789+05:30",
    "2026-02-31T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-03-01",
    "yesterday",
    "Sun, 01 Mar 2026 12:00:00 GMT",
    "+275760-09-13T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
  ),
  fc
    .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
    .map((d) => d.toISOString()),
);

const value = fc.oneof(
  {
    arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
    weight: 30,
  },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 2 },
  { arbitrary: fc.integer(), weight: 40 },
  fc.constantFrom("1e20", "1e-200", "5e15", "1e100", "1.5e100", "-0", "0", "1e400", '"12"'),
);

/** One event's data as JSON text; `fields` says which optional fields it sets. */
export const hostileEventText = fc
  .record(
    {
      eventId: textField(128),
      type: textField(64),
      severity: fc.oneof(
        { arbitrary: fc.constantFrom("info", "high", "critical", "HIGH"), weight: 12 },
        fc.constantFrom("High", "urgent", 3),
      ),
      occurredAt,
      key: textField(256),
      value,
      proto: fc.constant('{"polluted":true}'),
      big: fc.constantFrom("123456789012345678901234567890", "1e-300", "-0.0"),
      note: printable(0, 20),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(r)) {
      if (k === "proto") parts.push(`"__proto__":${v}`);
      else if (k === "value" && typeof v === "string") parts.push(`"value":${v}`);
      else if (k === "big") parts.push(`"big":${v}`);
      else parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    return `{${parts.join(",")}}`;
  });

/** A partition key (Kinesis: 1-256 Unicode characters). */
export const partitionKey = fc.constantFrom("p0", "p1", "device-7", "ключ");
