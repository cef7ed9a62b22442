/**
 * Exact decimal sums for DynamoDB numbers. A JavaScript number's shortest text (`String(v)`) is an
 * exact decimal; adding those as BigInt mantissas never loses a digit, unlike adding doubles (two
 * values of 5e15 already pass 2^53). The result is written as DynamoDB number text, which holds 38
 * significant digits: longer sums are rounded half-even to 38 digits, never refused. Pure.
 */

/** `mantissa * 10^exponent`, exactly. */
export interface Decimal {
  mantissa: bigint;
  exponent: number;
}

/** DynamoDB's precision (significant digits). */
export const DYNAMO_DIGITS = 38;

export const ZERO: Decimal = { mantissa: 0n, exponent: 0 };

/** Parses decimal text (`-12.5`, `1e+21`, `5E-7`); throws on anything else. */
export function parseDecimal(text: string): Decimal {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal number: ${text}`);
  const [, sign, int, frac = "", exp = "0"] = m;
  const mantissa = BigInt(`${sign}${int}${frac}`);
  return { mantissa, exponent: Number(exp) - frac.length };
}

/** The exact decimal of a finite JavaScript number. */
export function fromNumber(v: number): Decimal {
  if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  return parseDecimal(String(v));
}

/** a + b, exactly. */
export function add(a: Decimal, b: Decimal): Decimal {
  const e = Math.min(a.exponent, b.exponent);
  const scale = (d: Decimal) => d.mantissa * 10n ** BigInt(d.exponent - e);
  return { mantissa: scale(a) + scale(b), exponent: e };
}

/** Rounds to at most `digits` significant digits, half to even. */
export function round(d: Decimal, digits = DYNAMO_DIGITS): Decimal {
  const negative = d.mantissa < 0n;
  let m = negative ? -d.mantissa : d.mantissa;
  const excess = m.toString().length - digits;
  if (excess <= 0) return d;
  const div = 10n ** BigInt(excess);
  const q = m / div;
  const r = m % div;
  const half = div / 2n;
  m = r > half || (r === half && q % 2n === 1n) ? q + 1n : q;
  return { mantissa: negative ? -m : m, exponent: d.exponent + excess };
}

/** Number text DynamoDB accepts (trailing zeros folded into the exponent). */
export function toText(d: Decimal): string {
  let { mantissa, exponent } = round(d);
  if (mantissa === 0n) return "0";
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  return exponent === 0 ? mantissa.toString() : `${mantissa}E${exponent}`;
}

/** Serialisable form for state that travels as JSON. */
export const toJson = (d: Decimal): string => `${d.mantissa}E${d.exponent}`;
