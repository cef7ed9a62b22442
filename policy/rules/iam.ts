import * as aws from "@pulumi/aws";
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { type PolicyStatement, statementsOf } from "./documents";
import { type ReferenceAction, expandAction } from "./iamReference";
import { type Rule, UNKNOWN, asArray, known } from "./util";

/** An identity-policy document found on a resource, with where it came from for messages. */
export interface FoundDocument {
  label: string;
  document: unknown;
}

/**
 * The identity policies a resource carries: role/user/group inline policies, managed policies, and
 * a role's `inlinePolicies`. Trust policies (`assumeRolePolicy`) and resource policies (KMS key,
 * queue, topic, bucket) are not identity policies: `kms:*` for the account root on `Resource: "*"`
 * is how a key policy must read.
 */
export function identityDocuments(args: ResourceValidationArgs): FoundDocument[] {
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
 * Actions whose only resource type in AWS's reference is optional and absent from the requests
 * this program makes: CloudWatch's `dataset` type is for OTLP datasets, while classic metrics have
 * no ARN, so only "*" authorises reading or publishing them. Honoured only while every resource
 * type the reference lists for the action stays optional (test/policy/iamReference.test.ts).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/permissions-reference-cw.html
 */
export const RESOURCELESS_REQUESTS: readonly string[] = [
  "cloudwatch:GetMetricData",
  "cloudwatch:PutMetricData",
  "cloudwatch:ListMetrics",
];

/** Does the reference make the action need a resource (so it must not be granted on "*")? */
export function needsResource(a: ReferenceAction): boolean {
  if (a.resourceTypes.length === 0) return false;
  const resourceless = RESOURCELESS_REQUESTS.some((r) => r.toLowerCase() === a.id.toLowerCase());
  return !(resourceless && a.resourceTypes.every((rt) => !rt.required));
}

/** Entries of an Action list that AWS authorises on some resource type (so not on "*" alone). */
function scopableActions(actions: readonly string[]): string[] {
  return actions.filter((entry) => {
    const found = expandAction(entry);
    // "*" and names AWS does not know are other rules' findings (no-wildcard-action, action-exists).
    return found !== "all" && found.some(needsResource);
  });
}

/**
 * Allow statements name their resources. `Resource: "*"` is accepted only for actions AWS lists
 * no resource type for (AWS's Service Authorization Reference, see ./iamReference), and alone in
 * its statement, so no ARN-scoped action shares it.
 */
export const iamNoWildcardResource: Rule = {
  name: "iam-no-wildcard-resource",
  description:
    'IAM identity policies Allow on Resource "*" only actions that support no resource type (AWS\'s Service Authorization Reference), with "*" alone in the statement (and never NotResource).',
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    eachAllow(args, report, (s, where) => {
      if (s.NotResource !== undefined) {
        report(
          `${where} uses Allow with NotResource, which grants on every resource not listed; list the ARNs.`,
        );
        return;
      }
      const resources = asArray(s.Resource);
      if (!resources.includes("*")) return;
      const actions = asArray(s.Action).filter((a): a is string => typeof a === "string");
      const scopable = scopableActions(actions);
      if (actions.length === 0 || scopable.length > 0) {
        report(
          `${where} allows ${scopable.map((a) => JSON.stringify(a)).join(", ") || "its actions"} on Resource "*"; ` +
            "scope them to the ARNs they touch.",
        );
      }
      if (resources.length > 1) {
        report(
          `${where} lists "*" with other Resources; put the actions that need "*" in a statement whose only Resource is "*".`,
        );
      }
    }),
};

export const IAM_RULES: Rule[] = [iamNoWildcardAction, iamNoWildcardResource];
