/**
 * Following references between the resources a stack rule sees: a queue policy's `queueUrl` to its
 * queue, a subscription's `endpoint` to a queue or function, a security group id to its group.
 * Stack rules see outputs, so references compare by value (ARN, URL, name, id); during preview a
 * value may be unknown, and a rule then skips what it cannot decide (it runs again on `up`).
 */
import type { PolicyResource } from "@pulumi/policy";
import { UNKNOWN, known } from "./util";

/** A resource class as `isType` takes it (e.g. `aws.sqs.Queue`). */
export type ResourceClass = Parameters<PolicyResource["isType"]>[0];

/** Every resource of the stack of one of `types`. */
export function ofType(
  resources: readonly PolicyResource[],
  ...types: ResourceClass[]
): PolicyResource[] {
  return resources.filter((r) => types.some((t) => r.isType(t)));
}

/**
 * A property as plain data: UNKNOWN when it (or anything inside it) is unknown during preview, or
 * null (how the offline plan writes unknowns); undefined when not set.
 */
export function prop(r: PolicyResource, key: string): unknown {
  const v = known(() => {
    const raw = r.props[key] as unknown;
    // A deep copy reads every nested field, so a nested unknown surfaces here.
    return raw === undefined ? undefined : (JSON.parse(JSON.stringify(raw)) as unknown);
  });
  return v === null ? UNKNOWN : v;
}

/** A string property; UNKNOWN when unknown, undefined when unset or not a string. */
export function str(r: PolicyResource, key: string): string | typeof UNKNOWN | undefined {
  const v = prop(r, key);
  if (v === UNKNOWN) return UNKNOWN;
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** A JSON document given as a string or an object (redrive policies, filter policies). */
export function jsonObject(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === "string") {
    try {
      const parsed = JSON.parse(v) as unknown;
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
}

/** Output fields AWS identifies a resource by: a reference to it holds one of these. */
const IDENTIFYING = ["id", "arn", "url", "name", "bucket", "keyId"] as const;

/** Every known identifier of a resource (a security group's id is also the end of its ARN). */
export function identifiers(r: PolicyResource): string[] {
  const out: string[] = [];
  for (const key of IDENTIFYING) {
    const v = str(r, key);
    if (typeof v === "string") out.push(v);
  }
  const arn = str(r, "arn");
  if (typeof arn === "string" && arn.startsWith("arn:") && arn.includes(":security-group/")) {
    out.push(arn.slice(arn.lastIndexOf("/") + 1));
  }
  return out;
}

/** Resources of the given types whose identifiers include `value`. */
export function resolve(
  resources: readonly PolicyResource[],
  value: unknown,
  ...types: ResourceClass[]
): PolicyResource[] {
  if (typeof value !== "string" || value.length === 0) return [];
  return resources.filter((r) => types.some((t) => r.isType(t)) && identifiers(r).includes(value));
}

/**
 * Does `from.<key>` point at `to`? true/false when decidable; undefined while the value is unknown
 * and no property dependency tells. Property dependencies are exact even in preview.
 */
export function pointsAt(
  from: PolicyResource,
  key: string,
  to: PolicyResource,
): boolean | undefined {
  const deps = from.propertyDependencies?.[key] ?? [];
  if (deps.some((d) => d.urn === to.urn)) return true;
  const v = str(from, key);
  if (v === UNKNOWN) return deps.length > 0 ? false : undefined;
  if (v === undefined) return false;
  return identifiers(to).includes(v);
}

/** The ARN's fields: `arn:partition:service:region:account:resource`. */
export function arnParts(
  arn: string,
):
  | { partition: string; service: string; region: string; account: string; resource: string }
  | undefined {
  const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] };
}

/** A Lambda function named by name, ARN, partial ARN or qualified ARN, among the stack's functions. */
export function findFunction(
  functions: readonly PolicyResource[],
  ref: unknown,
): PolicyResource | undefined {
  if (typeof ref !== "string" || ref.length === 0) return undefined;
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] or <account>:function:<name>
  const m = /(?:^|:)function:([^:]+)(?::[^:]+)?$/.exec(ref);
  const name = m ? m[1] : ref;
  return functions.find((f) => {
    const ids = identifiers(f);
    return ids.includes(ref) || ids.includes(name);
  });
}

/**
 * The resources of `types` whose `key` points at `target` (e.g. the BucketVersioning of a bucket).
 * UNKNOWN while one of them has a target not known yet: it may be this one's, so decide on `up`.
 */
export function targeting(
  resources: readonly PolicyResource[],
  target: PolicyResource,
  key: string,
  ...types: ResourceClass[]
): PolicyResource[] | typeof UNKNOWN {
  const out: PolicyResource[] = [];
  for (const r of ofType(resources, ...types)) {
    const hit = pointsAt(r, key, target);
    if (hit === undefined) return UNKNOWN;
    if (hit) out.push(r);
  }
  return out;
}

/**
 * The policy a queue, topic or bucket reports as its own (`policy` output), or undefined when
 * there is none. SNS gives every topic a default policy (Id `__default_policy_ID`: the account's
 * principals may publish) that reads back as the topic's own: it is the absence of one.
 */
export function ownPolicy(r: PolicyResource): unknown {
  const policy = prop(r, "policy");
  if (policy === UNKNOWN) return UNKNOWN;
  if (policy === undefined || policy === "") return undefined;
  return jsonObject(policy)?.Id === "__default_policy_ID" ? undefined : policy;
}
