import type {
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { UnknownValueError, validateResourceOfType } from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";

/** The two levels this pack uses: mandatory blocks `pulumi up`, advisory only warns. */
export type Level = "mandatory" | "advisory";

/** A rule of this pack: a plain @pulumi/policy policy object whose level is always explicit. */
export type Rule = (ResourceValidationPolicy | StackValidationPolicy) & { enforcementLevel: Level };

/** What a rule of one resource type says about itself and how it decides. */
export interface RequirementRule<P> {
  name: string;
  description: string;
  enforcementLevel: Level;
  /** True when the resource's inputs meet the rule (unknown values count as met where unsure). */
  ok: (props: P, args: ResourceValidationArgs) => boolean;
  /** The violation's message: what to set, given the inputs. */
  fix: string | ((props: P) => string);
}

/**
 * A rule on every resource of `resourceClass` that reports `fix` once per resource that fails
 * `ok`: the common "this input must be set" rule without its validation boilerplate.
 */
export function requireOn<TResource extends Resource, TArgs>(
  resourceClass: Parameters<typeof validateResourceOfType<TResource, TArgs>>[0],
  rule: RequirementRule<Unwrap<NonNullable<TArgs>>>,
): Rule {
  const { ok, fix, ...policy } = rule;
  return {
    ...policy,
    validateResource: validateResourceOfType(resourceClass, (props, args, report) => {
      if (ok(props, args)) return;
      report(typeof fix === "string" ? fix : fix(props));
    }),
  };
}

/** `v` as an array: IAM and AWS inputs accept one value or a list. */
export function asArray<T>(v: T | readonly T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

/** What `known` returns for a value Pulumi does not know yet. */
export const UNKNOWN: unique symbol = Symbol("unknown");

/**
 * Reads a value that may be unknown during `pulumi preview` (the engine's props proxy throws
 * UnknownValueError on access). Returns UNKNOWN then, so a rule can skip what it cannot decide
 * yet instead of failing as a whole; `pulumi up` sees the value. The offline plan writes unknowns
 * as null, which rules treat the same way where null is not a meaningful setting.
 */
export function known<T>(read: () => T): T | typeof UNKNOWN {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return UNKNOWN;
    throw e;
  }
}

/** True for a non-empty string. */
export function isSet(v: unknown): boolean {
  return typeof v === "string" && v.length > 0;
}

/**
 * True when a key (or other reference) is given: a non-empty string, or a value still unknown in
 * preview, which can only come from another resource's output (e.g. a new key's ARN).
 */
export function isGiven(read: () => unknown): boolean {
  const v = known(read);
  return v === UNKNOWN || isSet(v);
}

/** The stack name inside a URN (`urn:pulumi:<stack>::<project>::...`); undefined when not a URN. */
export function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : undefined;
}

/** Per-rule config of the environment-aware rules (`evaluatePolicies(..., { config })`, `--policy-pack-config`). */
export interface EnvironmentConfig {
  /**
   * The stack's environment (`aws-serverless-flows:environment`). Default: the stack tag
   * `environment`, else the stack name in the URN.
   */
  environment?: string;
}

/** JSON schema of EnvironmentConfig, so the CLI validates `--policy-pack-config`. */
export const ENVIRONMENT_CONFIG_SCHEMA = {
  properties: {
    environment: {
      type: "string" as const,
      description:
        "The stack's environment (dev relaxes the rule). Default: the stack tag `environment`, else the stack name.",
    },
  },
};

/** The only environment in which the environment-aware rules relax (as `stacks/config.ts` defines it). */
export const RELAXED_ENVIRONMENT = "dev";

/**
 * The environment a resource is deployed to: the rule's `environment` config when given (the plan
 * passes the stack's validated `environment`), else the stack tag `environment`
 * (`pulumi stack tag set environment prod`), else the stack name from the URN, so that
 * `pulumi preview --policy-pack policy` on stack `dev` relaxes without extra flags.
 */
export function environmentOf(
  config: EnvironmentConfig,
  urn: string,
  stackTags?: ReadonlyMap<string, string>,
): string | undefined {
  for (const candidate of [config.environment, stackTags?.get("environment")]) {
    if (typeof candidate === "string" && candidate.length > 0) return candidate;
  }
  return stackOfUrn(urn);
}
