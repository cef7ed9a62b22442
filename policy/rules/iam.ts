import * as aws from "@pulumi/aws";
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { acceptsWildcardResource } from "../../components/iamReference";
import { type PolicyStatement, statementsOf } from "./documents";
import { type Rule, UNKNOWN, asArray, known } from "./util";

/** An identity-policy document found on a resource, with where it came from for messages. */
interface FoundDocument {
  label: string;
  document: unknown;
}

/**
 * The identity policies a resource carries: role/user/group inline policies, managed policies, and
 * a role's `inlinePolicies`. Trust policies (`assumeRolePolicy`) and resource policies (KMS key,
 * queue, topic, bucket) are not identity policies: `kms:*` for the account root on `Resource: "*"`
 * is how a key policy must read.
 */
function identityDocuments(args: ResourceValidationArgs): FoundDocument[] {
  const single =
    args.asType(aws.iam.RolePolicy) ??
    args.asType(aws.iam.Policy) ??
    args.asType(aws.iam.UserPolicy) ??
    args.asType(aws.iam.GroupPolicy);
  if (single) return [{ label: "policy", document: known(() => single.policy) }];
  const role = args.asType(aws.iam.Role);
  if (!role) return [];
  // Read inside known(): in preview the list or an entry may be unknown.
  const inline = known(() =>
    asArray(role.inlinePolicies).map((p, i) => {
      const name = known(() => p.name);
      return {
        label: `inline policy ${JSON.stringify(typeof name === "string" ? name : String(i))}`,
        document: known(() => p.policy),
      };
    }),
  );
  return inline === UNKNOWN ? [] : inline;
}

/** Runs `check` on every Allow statement of every identity policy of the resource. */
function eachAllow(
  args: ResourceValidationArgs,
  report: ReportViolation,
  check: (s: PolicyStatement, where: string) => void,
): void {
  for (const { label, document } of identityDocuments(args)) {
    // Unknown during preview (built from ARNs not yet assigned): checked again on `up`.
    if (document === UNKNOWN || document === undefined || document === null) continue;
    const statements = known(() => statementsOf(document));
    if (statements === UNKNOWN) continue;
    if (!statements) {
      report(`The ${label} is not a readable IAM policy document (JSON with a Statement).`);
      continue;
    }
    statements.forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      check(s, `${label} statement ${i}${s.Sid ? ` (${s.Sid})` : ""}`);
    });
  }
}

/** "*" or "service:*": every action of everything, or of one service. */
export function isWildcardAction(action: string): boolean {
  return action === "*" || /^[A-Za-z0-9-]+:\*$/.test(action);
}

/** Allow statements in identity policies never grant `*` or `service:*` actions. */
export const iamNoWildcardAction: Rule = {
  name: "iam-no-wildcard-action",
  description:
    'IAM identity policies never Allow "*" or "service:*" actions (nor use Allow with NotAction).',
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    eachAllow(args, report, (s, where) => {
      if (s.NotAction !== undefined) {
        report(
          `${where} uses Allow with NotAction, which grants every action not listed; list the actions.`,
        );
      }
      const wild = asArray(s.Action).filter(isWildcardAction);
      if (wild.length > 0) {
        report(
          `${where} allows wildcard action ${wild.map((a) => JSON.stringify(a)).join(", ")}; list the actions used.`,
        );
      }
    }),
};

/**
 * Allow statements name their resources. `Resource: "*"` is accepted only when every action is one
 * AWS's Service Authorization Reference authorises on "*" (no required resource type).
 */
export const iamNoWildcardResource: Rule = {
  name: "iam-no-wildcard-resource",
  description:
    'IAM identity policies never Allow on Resource "*" (nor NotResource) unless every action requires it.',
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    eachAllow(args, report, (s, where) => {
      if (s.NotResource !== undefined) {
        report(
          `${where} uses Allow with NotResource, which grants on every resource not listed; list the ARNs.`,
        );
        return;
      }
      if (!asArray(s.Resource).includes("*")) return;
      const actions = asArray(s.Action);
      const unscoped = actions.filter((a) => !acceptsWildcardResource(a));
      if (actions.length > 0 && unscoped.length === 0) return;
      report(
        `${where} allows ${unscoped.map((a) => JSON.stringify(a)).join(", ") || "its actions"} on Resource "*"; ` +
          "scope them to the ARNs they touch.",
      );
    }),
};

export const IAM_RULES: Rule[] = [iamNoWildcardAction, iamNoWildcardResource];
