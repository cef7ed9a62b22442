/**
 * Reading IAM policy documents (identity, resource and key policies) the way AWS evaluates the
 * parts these rules care about: wildcards in actions and ARNs, principals, and the conditions that
 * tie a service principal to one source (aws:SourceArn, aws:SourceAccount).
 */
import { asArray } from "./util";

/** One statement of a policy document as JSON (only the fields the rules read). */
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** Parses a document (a JSON string, or an object) into its statements; null when unreadable. */
export function statementsOf(document: unknown): PolicyStatement[] | null {
  let doc = document;
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch {
      return null;
    }
  }
  if (!doc || typeof doc !== "object") return null;
  // A plain copy: reading every field here surfaces an unknown one while inside known().
  doc = JSON.parse(JSON.stringify(doc));
  return asArray((doc as { Statement?: PolicyStatement | PolicyStatement[] }).Statement);
}

/**
 * IAM wildcard matching: `*` is any run of characters, `?` any one character. Actions compare
 * case-insensitively, ARNs case-sensitively.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

/** Does the statement apply to `action` (Action patterns, or not excluded by NotAction)? */
export function coversAction(s: PolicyStatement, action: string): boolean {
  if (s.NotAction !== undefined) {
    return !asArray(s.NotAction).some((p) => globMatch(String(p), action, true));
  }
  return asArray(s.Action).some((p) => globMatch(String(p), action, true));
}

/** Does the statement apply to `arn` (Resource patterns, or not excluded by NotResource)? */
export function coversResource(s: PolicyStatement, arn: string): boolean {
  if (s.NotResource !== undefined) {
    return !asArray(s.NotResource).some((p) => globMatch(String(p), arn));
  }
  return asArray(s.Resource).some((p) => globMatch(String(p), arn));
}

/** `"*"` or `{ AWS: "*" }`: every principal, service principals included. */
export function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (!principal || typeof principal !== "object") return false;
  return asArray((principal as { AWS?: unknown }).AWS).includes("*");
}

/** Does the principal name the service (e.g. `sns.amazonaws.com`), or everyone? */
export function includesService(principal: unknown, service: string): boolean {
  if (isEveryone(principal)) return true;
  if (!principal || typeof principal !== "object") return false;
  return asArray((principal as { Service?: unknown }).Service).some(
    (p) => String(p).toLowerCase() === service.toLowerCase(),
  );
}

/** The condition operators that name `key` (condition keys are case-insensitive), with their values. */
export function conditionsOn(
  s: PolicyStatement,
  key: string,
): { operator: string; values: string[] }[] {
  const out: { operator: string; values: string[] }[] = [];
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    if (!block || typeof block !== "object") continue;
    for (const [k, v] of Object.entries(block)) {
      if (k.toLowerCase() === key.toLowerCase()) {
        out.push({ operator, values: asArray(v as unknown).map(String) });
      }
    }
  }
  return out;
}

/**
 * Would the statement's conditions on `key` hold for a request whose `key` is `value`? Conditions
 * on other keys are not evaluated (taken as satisfied). `undefined` when no condition names `key`.
 */
export function conditionHolds(
  s: PolicyStatement,
  key: string,
  value: string,
): boolean | undefined {
  const blocks = conditionsOn(s, key);
  if (blocks.length === 0) return undefined;
  return blocks.every(({ operator, values }) => {
    const op = operator.replace(/^For(All|Any)Values:/, "").replace(/IfExists$/, "");
    const negated = /Not/.test(op);
    // ArnEquals and ArnLike both accept wildcards; StringEquals compares exactly.
    const wildcard = /^Arn|Like$/.test(op);
    const ignoreCase = /IgnoreCase$/.test(op);
    const hit = values.some((v) =>
      wildcard
        ? globMatch(v, value)
        : ignoreCase
          ? v.toLowerCase() === value.toLowerCase()
          : v === value,
    );
    return negated ? !hit : hit;
  });
}

/** Is the statement a TLS-only guard: Deny for everyone when `aws:SecureTransport` is false? */
export function deniesInsecureTransport(s: PolicyStatement): boolean {
  if (s.Effect !== "Deny" || !isEveryone(s.Principal)) return false;
  return conditionsOn(s, "aws:SecureTransport").some(
    ({ operator, values }) => /^Bool(IfExists)?$/.test(operator) && values.includes("false"),
  );
}
