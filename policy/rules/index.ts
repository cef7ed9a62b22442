/**
 * The secure-defaults rules as plain @pulumi/policy policy objects. Importing this module starts
 * nothing: only policy/index.ts wraps the rules in a PolicyPack (which starts the analyzer's gRPC
 * server), so the offline plan and the tests evaluate the same rules in-process.
 */
import { ENCRYPTION_RULES } from "./encryption";
import { IAM_RULES } from "./iam";
import { LAMBDA_RULES } from "./lambda";
import { OPERATIONS_RULES } from "./operations";
import type { Rule } from "./util";

export * from "./encryption";
export * from "./iam";
export * from "./lambda";
export * from "./operations";
export type { Level, Rule } from "./util";

/** Every rule of the pack, in the order the plan reports them. */
export const ALL_RULES: Rule[] = [
  ...ENCRYPTION_RULES,
  ...IAM_RULES,
  ...LAMBDA_RULES,
  ...OPERATIONS_RULES,
];
