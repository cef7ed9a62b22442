import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import {
  ENVIRONMENT_CONFIG_SCHEMA,
  type EnvironmentConfig,
  RELAXED_ENVIRONMENT,
  type Rule,
  environmentOf,
  requireOn,
} from "./util";

/** Point-in-time recovery: restore a table to any second of the last 35 days. */
export const dynamodbPitr = requireOn(aws.dynamodb.Table, {
  name: "dynamodb-pitr",
  description: "DynamoDB tables have point-in-time recovery enabled.",
  enforcementLevel: "mandatory",
  ok: (table) => table.pointInTimeRecovery?.enabled === true,
  fix: "Set pointInTimeRecovery: { enabled: true }; without it a bad write or delete cannot be undone.",
});

/**
 * Deletion protection outside dev: a replacement or a stray `pulumi destroy` must not delete data.
 * The environment comes from the rule's config (`environment`, which the plan passes from the
 * stack's config) or else the stack name.
 */
export const dynamodbDeletionProtection: Rule = {
  name: "dynamodb-deletion-protection",
  description: `DynamoDB tables have deletionProtectionEnabled outside the ${RELAXED_ENVIRONMENT} environment (config: environment, default the stack name).`,
  enforcementLevel: "mandatory",
  configSchema: ENVIRONMENT_CONFIG_SCHEMA,
  validateResource: validateResourceOfType(aws.dynamodb.Table, (table, args, report) => {
    const environment = environmentOf(
      args.getConfig<EnvironmentConfig>(),
      args.urn,
      args.stackTags,
    );
    if (environment === RELAXED_ENVIRONMENT || table.deletionProtectionEnabled === true) return;
    report(
      `Environment ${JSON.stringify(environment ?? "unknown")} is not ${RELAXED_ENVIRONMENT}: set deletionProtectionEnabled: true ` +
        "(and retainOnDelete) so the table survives a replacement or a destroy.",
    );
  }),
};

/** On-demand capacity: no throttling from a forgotten provisioned limit, no idle capacity billed. */
export const dynamodbOnDemand = requireOn(aws.dynamodb.Table, {
  name: "dynamodb-on-demand",
  description: "DynamoDB tables use on-demand capacity (billingMode PAY_PER_REQUEST).",
  enforcementLevel: "advisory",
  ok: (table) => table.billingMode === "PAY_PER_REQUEST",
  fix: (table) =>
    `billingMode is ${JSON.stringify(table.billingMode ?? "PROVISIONED")}; use "PAY_PER_REQUEST" unless a steady, ` +
    "forecast load makes provisioned capacity (with autoscaling) cheaper.",
});

export const DYNAMODB_RULES: Rule[] = [dynamodbPitr, dynamodbDeletionProtection, dynamodbOnDemand];
