/**
 * Offline evaluation of the pack: runs every rule over recorded resources the way the Pulumi
 * engine's analyzer would (resource rules see inputs, stack rules see outputs), with no gRPC
 * server and no CLI. Used by `npm run plan` and the tests.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import { ALL_RULES } from "./rules";

/** A resource as the mock recorder captures it (scripts/harness/recorder.ts `RecordedResource`). */
export interface EvaluatedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, or null at the top of the tree. */
  parent: string | null;
  /** Inputs as the program passed them: what resource rules see. */
  inputs: Record<string, unknown>;
  /** Outputs (inputs plus assigned identifiers): what stack rules see. */
  state: Record<string, unknown>;
  /** URNs this resource depends on (explicit `dependsOn` and inputs taken from other resources). */
  dependsOn?: string[];
  /** Property name -> URNs of the resources its value came from, when recorded. */
  propertyDependencies?: Record<string, string[]>;
}

/** One finding. `urn` is the resource's, or the stack's for a stack-wide finding. */
export interface PolicyViolation {
  policy: string;
  urn: string;
  message: string;
  enforcementLevel: "mandatory" | "advisory";
}

export interface EvaluateOptions {
  /** Rules to run. Default: ALL_RULES. */
  rules?: Policies;
  /** Per-policy configuration returned by `args.getConfig()`. Default: none (`{}`). */
  config?: Record<string, Record<string, unknown>>;
  /** Stack tags visible to the rules. Default: none. */
  stackTags?: Record<string, string>;
}

/** Thrown by `args.notApplicable()`: the rule does not apply to this resource. */
class NotApplicable extends Error {}

type ResourceClass = { __pulumiType?: unknown; isInstance?: unknown };

/** Same test @pulumi/policy's server uses: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as ResourceClass | undefined;
  if (typeof cls?.__pulumiType === "string" && cls.__pulumiType.length > 0)
    return cls.__pulumiType === type;
  return typeof cls?.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

/** The level a finding is reported at; undefined when the rule is disabled. */
function levelOf(
  level: EnforcementLevel | undefined,
): PolicyViolation["enforcementLevel"] | undefined {
  if (level === "disabled") return undefined;
  // As the engine does: remediation levels report as mandatory, and a pack's default is advisory.
  if (level === "mandatory" || level === "remediate") return "mandatory";
  return "advisory";
}

function options(parent: string | null): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(parent ? { parent } : {}),
  };
}

/** Builds the stack rules' view: outputs as props, parent and dependencies linked by object. */
function policyResources(resources: readonly EvaluatedResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out = resources.map((r) => {
    const props = (r.state ?? r.inputs ?? {}) as Record<string, unknown>;
    const pr: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: options(r.parent),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: ((cls: unknown) =>
        isTypeOf(r.type, cls) ? props : undefined) as PolicyResource["asType"],
    };
    byUrn.set(r.urn, pr);
    return pr;
  });
  const resolve = (urns: readonly string[] | undefined) =>
    (urns ?? []).map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
  resources.forEach((r, i) => {
    const pr = out[i];
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) pr.parent = parent;
    pr.dependencies = resolve(r.dependsOn);
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
      pr.propertyDependencies[key] = resolve(urns);
    }
  });
  return out;
}

/**
 * Runs every rule on `resources` and returns the violations, sorted by rule order, URN and
 * message so the same resources always give the same list (whatever order they were recorded in).
 * Synchronous, as every rule of this pack is; a rule that returns a Promise needs
 * `evaluatePoliciesAsync`.
 */
export function evaluatePolicies(
  resources: readonly EvaluatedResource[],
  opts: EvaluateOptions = {},
): PolicyViolation[] {
  const run = evaluation(resources, opts);
  if (run.pending.length > 0) {
    throw new Error(
      `policies ${[...new Set(run.pending.map((p) => p.policy))].join(", ")} are asynchronous; use evaluatePoliciesAsync`,
    );
  }
  return run.result();
}

/** `evaluatePolicies` for rule sets with asynchronous validations. */
export async function evaluatePoliciesAsync(
  resources: readonly EvaluatedResource[],
  opts: EvaluateOptions = {},
): Promise<PolicyViolation[]> {
  const run = evaluation(resources, opts);
  await Promise.all(run.pending.map((p) => p.done));
  return run.result();
}

type Found = PolicyViolation & { rank: number };

/** Runs every validation; synchronous ones finish here, asynchronous ones are left in `pending`. */
function evaluation(resources: readonly EvaluatedResource[], opts: EvaluateOptions) {
  const rules = opts.rules ?? ALL_RULES;
  const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(opts.stackTags ?? {}));
  const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
  const found: Found[] = [];
  const pending: { policy: string; done: Promise<void> }[] = [];
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };

  // "Not applicable" is silence; an unknown value is the engine's advisory; anything else is a bug.
  const settle = (policy: string, rank: number, urn: string, e: unknown): void => {
    if (e instanceof NotApplicable) return;
    if (e instanceof UnknownValueError) {
      found.push({
        policy,
        urn,
        rank,
        enforcementLevel: "advisory",
        message: `can't run: ${(e as Error).message}`,
      });
      return;
    }
    const reason = e instanceof Error ? e.message : String(e);
    // `cause` set by hand: the CLI compiles the pack for ES2020, whose Error takes no options.
    throw Object.assign(new Error(`policy ${policy} failed on ${urn || "the stack"}: ${reason}`), {
      cause: e,
    });
  };
  const run = (policy: string, rank: number, urn: string, validate: () => unknown): void => {
    try {
      const result = validate();
      if (result instanceof Promise) {
        const done = result.then(
          () => undefined,
          (e: unknown) => settle(policy, rank, urn, e),
        );
        pending.push({ policy, done });
      }
    } catch (e) {
      settle(policy, rank, urn, e);
    }
  };

  for (const [rank, rule] of rules.entries()) {
    const level = levelOf(rule.enforcementLevel);
    if (!level) continue;
    const getConfig = <T extends object>() => (opts.config?.[rule.name] ?? {}) as T;
    // Accepts both report styles: (message) and (message, urn); the engine also takes an object.
    const reporter =
      (defaultUrn: string): ReportViolation =>
      (message: unknown, urn?: string) => {
        const info =
          typeof message === "object" && message !== null
            ? (message as Record<string, unknown>)
            : {};
        const text =
          typeof message === "string" ? message : String(info.message ?? info.description ?? "");
        found.push({
          policy: rule.name,
          urn: (typeof info.urn === "string" ? info.urn : urn) || defaultUrn,
          message: text || rule.description,
          enforcementLevel: level,
          rank,
        });
      };

    if ("validateResource" in rule && rule.validateResource) {
      const validations = Array.isArray(rule.validateResource)
        ? rule.validateResource
        : [rule.validateResource];
      for (const r of resources) {
        const props = (r.inputs ?? {}) as Record<string, unknown>;
        const args: ResourceValidationArgs = {
          type: r.type,
          props,
          urn: r.urn,
          name: r.name,
          opts: options(r.parent),
          stackTags,
          isType: (cls) => isTypeOf(r.type, cls),
          asType: ((cls: unknown) =>
            isTypeOf(r.type, cls) ? props : undefined) as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        // A resource rule's findings always name the resource validated, as in the engine.
        const report = reporter(r.urn);
        const pinned: ReportViolation = (message) => report(message);
        for (const validate of validations) {
          run(rule.name, rank, r.urn, () => validate(args, pinned));
        }
      }
    }

    if ("validateStack" in rule && rule.validateStack) {
      const validateStack = rule.validateStack;
      const args: StackValidationArgs = {
        resources: policyResources(resources),
        stackTags,
        getConfig,
        notApplicable,
      };
      run(rule.name, rank, stackUrn, () => validateStack(args, reporter(stackUrn)));
    }
  }

  const result = (): PolicyViolation[] =>
    [...found]
      .sort((a, b) => a.rank - b.rank || cmp(a.urn, b.urn) || cmp(a.message, b.message))
      .map(({ policy, urn, message, enforcementLevel }) => ({
        policy,
        urn,
        message,
        enforcementLevel,
      }));
  return { pending, result };
}

/** Code-unit order: the same on every machine and locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
