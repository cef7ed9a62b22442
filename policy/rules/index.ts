/**
 * The secure-defaults rules as plain @pulumi/policy policy objects. Importing this module starts
 * nothing: only policy/index.ts wraps the rules in a PolicyPack (which starts the analyzer's gRPC
 * server), so the offline plan and the tests evaluate the same rules in-process.
 */
import { API_RULES } from "./api";
import { DYNAMODB_RULES } from "./dynamodb";
import { ENCRYPTION_RULES } from "./encryption";
import { EVENT_SOURCE_RULES } from "./eventSources";
import { IAM_RULES } from "./iam";
import { IAM_REFERENCE_RULES } from "./iamReferenceRules";
import { LAMBDA_RULES } from "./lambda";
import { MESSAGING_RULES } from "./messaging";
import { NETWORK_RULES } from "./network";
import { OPERATIONS_RULES } from "./operations";
import { PUBLISHER_RULES } from "./publishers";
import { S3_RULES } from "./s3";
import { TRANSPORT_RULES } from "./transport";
import { RELAXED_ENVIRONMENT, type Rule } from "./util";

export * from "./api";
export * from "./dynamodb";
export * from "./encryption";
export * from "./eventSources";
export * from "./iam";
export * from "./iamReferenceRules";
export * from "./limits";
export * from "./lambda";
export * from "./messaging";
export * from "./network";
export * from "./operations";
export * from "./publishers";
export * from "./s3";
export * from "./transport";
export type { EnvironmentConfig, Level, Rule } from "./util";
export { RELAXED_ENVIRONMENT };

/** Every rule of the pack, in the order the plan reports them. */
export const ALL_RULES: Rule[] = [
  ...ENCRYPTION_RULES,
  ...TRANSPORT_RULES,
  ...S3_RULES,
  ...IAM_RULES,
  ...IAM_REFERENCE_RULES,
  ...PUBLISHER_RULES,
  ...MESSAGING_RULES,
  ...EVENT_SOURCE_RULES,
  ...LAMBDA_RULES,
  ...DYNAMODB_RULES,
  ...API_RULES,
  ...NETWORK_RULES,
  ...OPERATIONS_RULES,
];

/**
 * Per-rule config for the rules that relax in dev (they declare `environment` in their
 * configSchema): `evaluatePolicies(resources, { config: environmentConfig("prod") })`, or the same
 * object as `--policy-pack-config` for the CLI.
 */
export function environmentConfig(environment: string): Record<string, { environment: string }> {
  return Object.fromEntries(
    ALL_RULES.filter((r) => r.configSchema?.properties?.environment !== undefined).map((r) => [
      r.name,
      { environment },
    ]),
  );
}
