import type { PolicyConfig } from "../../functions/shard-autoscaler/policy";
import type { ArgumentErrors } from "../core/validate";

/** Policy settings a ShardAutoscaler also takes at the top level of its args. */
export const TOP_LEVEL_POLICY_FIELDS = [
  "minShards",
  "maxShards",
  "targetUtilisation",
  "scaleUpThreshold",
  "scaleDownThreshold",
  "scaleUpDatapoints",
  "quietMinutes",
  "reserveCalls",
] as const;
export type TopLevelPolicyField = (typeof TOP_LEVEL_POLICY_FIELDS)[number];

/** The part of a ShardAutoscaler's args where a setting can be given twice. */
export type PolicyArgs = Partial<Record<TopLevelPolicyField, number>> & {
  policy?: Partial<PolicyConfig>;
};

/** The settings given both at the top level and in `policy`, in declaration order. */
export function policyFieldsGivenTwice(args: PolicyArgs): TopLevelPolicyField[] {
  return TOP_LEVEL_POLICY_FIELDS.filter(
    (f) => args[f] !== undefined && args.policy?.[f] !== undefined,
  );
}

/**
 * Records one problem per setting given twice (the top-level value would silently win), naming
 * both fields and the fix. Call before any child exists.
 */
export function checkPolicyConflicts(errors: ArgumentErrors, args: PolicyArgs): ArgumentErrors {
  for (const f of policyFieldsGivenTwice(args)) {
    errors.check(
      false,
      `${f}/policy.${f}`,
      `both given (${args[f]} and ${args.policy?.[f]}): one would be ignored`,
      `set ${f} once, either at the top level or in policy`,
    );
  }
  return errors;
}
