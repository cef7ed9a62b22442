/**
 * A validator for the subset of JSON Schema draft 4 that the event schema uses, so the stream
 * processor validates with the very document API Gateway's request models are generated from.
 * Semantics follow the draft-4 validation spec (https://json-schema.org/draft-04/json-schema-validation):
 * string lengths count code points, `exclusiveMinimum`/`exclusiveMaximum` are booleans, `enum`
 * compares by JSON equality. A keyword outside the subset throws, so the schema cannot grow a rule
 * this validator would silently skip. Pure: no AWS calls.
 */

/** The draft-4 keywords understood here (plus annotations that do not validate). */
export interface Draft4Schema {
  $schema?: string;
  title?: string;
  description?: string;
  type?: Draft4Type | Draft4Type[];
  properties?: Record<string, Draft4Schema>;
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: Draft4Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  anyOf?: Draft4Schema[];
  not?: Draft4Schema;
}

export type Draft4Type = "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";

const KNOWN = new Set([
  "$schema",
  "title",
  "description",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "enum",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "anyOf",
  "not",
]);

/** One violation: the JSON path of the value (`data.key`) and what is wrong with it. */
export interface SchemaIssue {
  path: string;
  message: string;
}

function typeOf(v: unknown): Draft4Type {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v as Draft4Type;
}

function matchesType(v: unknown, t: Draft4Type): boolean {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

const regexes = new Map<string, RegExp>();
/** Patterns compiled once: the schema is fixed, and validation runs per record. */
const regex = (pattern: string) => {
  let r = regexes.get(pattern);
  if (!r) regexes.set(pattern, (r = new RegExp(pattern)));
  return r;
};
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
const codePoints = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Every violation of `schema` by `value` (empty when valid). */
export function validateDraft4(schema: Draft4Schema, value: unknown, path = ""): SchemaIssue[] {
  for (const k of Object.keys(schema)) {
    if (!KNOWN.has(k)) throw new Error(`jsonSchema: keyword "${k}" is not supported`);
  }
  const issues: SchemaIssue[] = [];
  const fail = (message: string) => issues.push({ path, message });
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      fail(`must be ${types.join(" or ")}`);
      return issues;
    }
  }
  if (schema.enum && !schema.enum.some((e) => jsonEqual(e, value))) {
    fail(`must be one of ${schema.enum.join(", ")}`);
  }
  if (typeof value === "string") {
    const n = codePoints(value);
    if (schema.minLength !== undefined && n < schema.minLength)
      fail(`must have at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && n > schema.maxLength)
      fail(`must have at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value))
      fail(`must match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    const { minimum: min, maximum: max } = schema;
    if (min !== undefined && (schema.exclusiveMinimum ? value <= min : value < min))
      fail(`must be ${schema.exclusiveMinimum ? ">" : ">="} ${min}`);
    if (max !== undefined && (schema.exclusiveMaximum ? value >= max : value > max))
      fail(`must be ${schema.exclusiveMaximum ? "<" : "<="} ${max}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      fail(`must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      fail(`must have at most ${schema.maxItems} items`);
    if (schema.items) {
      value.forEach((item, i) =>
        issues.push(...validateDraft4(schema.items!, item, join(path, i))),
      );
    }
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!own(obj, r)) fail(`${r} is required`);
    const props = schema.properties ?? {};
    for (const k of Object.keys(obj)) {
      if (own(props, k)) issues.push(...validateDraft4(props[k], obj[k], join(path, k)));
      else if (schema.additionalProperties === false) fail(`${k} is not allowed`);
    }
  }
  if (schema.anyOf && !schema.anyOf.some((s) => validateDraft4(s, value, path).length === 0)) {
    fail(schema.description ?? "matches none of the allowed forms");
  }
  if (schema.not && validateDraft4(schema.not, value, path).length === 0) {
    fail(schema.not.description ?? "is a form that is not allowed");
  }
  return issues;
}
