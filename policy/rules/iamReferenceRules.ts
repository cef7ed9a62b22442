/**
 * Every IAM policy document of the stack checked against AWS's Service Authorization Reference
 * (./iamReference): the actions exist, each Resource can match a resource type the action
 * supports, and each condition key exists for the action or globally. A statement that fails
 * these is accepted by IAM and then never matches a request: the grant silently does nothing.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
import * as aws from "@pulumi/aws";
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { type PolicyStatement, statementsOf } from "./documents";
import { type FoundDocument, identityDocuments } from "./iam";
import {
  type ReferenceAction,
  actionSupportsConditionKey,
  actionsOf,
  closest,
  expandAction,
  resourceFitsAction,
  serviceExists,
  serviceNames,
  splitAction,
} from "./iamReference";
import { type Rule, UNKNOWN, asArray, known } from "./util";

/** A document with what kind it is: trust policies name no Resource. */
interface KindedDocument extends FoundDocument {
  kind: "identity" | "resource" | "trust";
}

/** Resource policies (queue, topic, bucket, key, log, repository) of a resource, if any. */
function resourceDocuments(args: ResourceValidationArgs): FoundDocument[] {
  const one =
    args.asType(aws.sqs.QueuePolicy) ??
    args.asType(aws.sns.TopicPolicy) ??
    args.asType(aws.s3.BucketPolicy) ??
    args.asType(aws.kms.KeyPolicy) ??
    args.asType(aws.ecr.RepositoryPolicy) ??
    args.asType(aws.sqs.Queue) ??
    args.asType(aws.sns.Topic) ??
    args.asType(aws.kms.Key);
  if (one) return [{ label: "policy", document: known(() => one.policy) }];
  const logs = args.asType(aws.cloudwatch.LogResourcePolicy);
  if (logs) return [{ label: "policy", document: known(() => logs.policyDocument) }];
  return [];
}

function documentsOf(args: ResourceValidationArgs): KindedDocument[] {
  const role = args.asType(aws.iam.Role);
  const trust: KindedDocument[] = role
    ? [{ label: "trust policy", document: known(() => role.assumeRolePolicy), kind: "trust" }]
    : [];
  return [
    ...identityDocuments(args).map((d) => ({ ...d, kind: "identity" as const })),
    ...resourceDocuments(args).map((d) => ({ ...d, kind: "resource" as const })),
    ...trust,
  ];
}

/** Where a statement is, for messages: `policy statement 2 (Sid)`. */
export interface StatementAt {
  statement: PolicyStatement;
  where: string;
  kind: KindedDocument["kind"];
}

/**
 * Runs `check` on every statement of every policy document of the resource. Documents and values
 * not known yet (preview; null in the offline plan) are skipped: `pulumi up` sees them. Unreadable
 * documents are left to iam-no-wildcard-action, which reports them.
 */
export function eachStatement(args: ResourceValidationArgs, check: (s: StatementAt) => void): void {
  for (const { label, document, kind } of documentsOf(args)) {
    if (document === UNKNOWN || document === undefined || document === null) continue;
    const statements = known(() => statementsOf(document));
    if (statements === UNKNOWN || !statements) continue;
    statements.forEach((statement, i) => {
      if (!statement || typeof statement !== "object") return;
      check({
        statement,
        where: `${label} statement ${i}${statement.Sid ? ` (${statement.Sid})` : ""}`,
        kind,
      });
    });
  }
}

/** Known string entries of a field that takes one value or a list (unknowns are null offline). */
export function entries(v: unknown): string[] {
  return asArray(v as string | string[] | undefined).filter(
    (x): x is string => typeof x === "string",
  );
}

const didYouMean = (name: string | undefined) =>
  name ? ` (did you mean ${JSON.stringify(name)}?)` : "";

const quote = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(", ");

/** Action and NotAction entries name actions of the reference (a wildcard matches at least one). */
export const iamActionExists: Rule = {
  name: "iam-action-exists",
  description:
    "Every Action and NotAction of every IAM policy document names an action of AWS's Service Authorization Reference.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    eachStatement(args, ({ statement, where }) => {
      for (const entry of [...entries(statement.Action), ...entries(statement.NotAction)]) {
        if (entry === "*") continue;
        const parts = splitAction(entry);
        if (!parts) {
          report(
            `${where} names ${JSON.stringify(entry)}, which is not of the form "service:Action".`,
          );
        } else if (!serviceExists(parts.service)) {
          report(
            `${where} names ${JSON.stringify(entry)}: AWS has no service prefix ${JSON.stringify(parts.service)}` +
              `${didYouMean(closest(parts.service, serviceNames()))}.`,
          );
        } else if ((expandAction(entry) as ReferenceAction[]).length === 0) {
          const names = actionsOf(parts.service).map((a) => a.id);
          report(
            `${where} names ${JSON.stringify(entry)}, which matches no action of ${parts.service} in AWS's ` +
              `Service Authorization Reference${didYouMean(closest(entry, names))}.`,
          );
        }
      }
    }),
};

/** The actions of a statement's Action list: `explicit` per plain entry, `expanded` for wildcards. */
function actionsOfStatement(s: PolicyStatement): {
  explicit: ReferenceAction[];
  expanded: ReferenceAction[];
  everything: boolean;
} {
  const explicit: ReferenceAction[] = [];
  const expanded: ReferenceAction[] = [];
  let everything = false;
  for (const entry of entries(s.Action)) {
    const found = expandAction(entry);
    if (found === "all") everything = true;
    else if (/[*?]/.test(entry)) expanded.push(...found);
    else explicit.push(...found);
  }
  return { explicit, expanded, everything };
}

function reportScopedMismatch(s: PolicyStatement, where: string, report: ReportViolation): void {
  const resources = entries(s.Resource);
  const scoped = resources.filter((r) => r !== "*");
  if (scoped.length === 0) return;
  const { explicit, expanded, everything } = actionsOfStatement(s);
  if (everything) return;
  // Explicit actions: each must be able to match one of the statement's Resources.
  const wildcardOnly = explicit.filter((a) => a.resourceTypes.length === 0);
  // With "*" among the Resources they are authorised (iam-no-wildcard-resource asks for a split).
  if (wildcardOnly.length > 0 && !resources.includes("*")) {
    report(
      `${where} grants ${quote(wildcardOnly.map((a) => a.id))} on ${quote(scoped)}, but AWS lists no resource type for ` +
        `${wildcardOnly.length > 1 ? "them" : "it"}: only "Resource": "*" authorises ${wildcardOnly.length > 1 ? "them" : "it"}. ` +
        `Move ${wildcardOnly.length > 1 ? "them" : "it"} to a statement of its own with "Resource": "*".`,
    );
  }
  if (resources.includes("*")) return;
  for (const a of explicit.filter((x) => x.resourceTypes.length > 0)) {
    if (scoped.some((r) => resourceFitsAction(r, a))) continue;
    report(
      `${where} grants ${JSON.stringify(a.id)} on ${quote(scoped)}, which can match none of its resource types ` +
        `(${a.resourceTypes.map((rt) => `${rt.name}: ${rt.arn}`).join("; ")}).`,
    );
  }
  // Each Resource must be able to match some action of the statement (wildcards included).
  const candidates = [...explicit, ...expanded];
  if (candidates.length === 0) return;
  const dead = scoped.filter((r) => !candidates.some((a) => resourceFitsAction(r, a)));
  if (dead.length > 0) {
    report(
      `${where} names Resource ${quote(dead)}, which matches a resource type of none of its actions: it authorises nothing.`,
    );
  }
}

/**
 * Each Resource can match a resource type of the action, and an action with no resource type (only
 * `"*"` authorises it) is not scoped to an ARN.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export const iamResourceMatchesAction: Rule = {
  name: "iam-resource-matches-action",
  description:
    'Every Resource of every IAM policy statement can match a resource type its actions support (AWS\'s Service Authorization Reference); actions with no resource type are granted on "*".',
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    eachStatement(args, ({ statement, where, kind }) => {
      if (kind === "trust" || statement.NotAction !== undefined) return;
      if (statement.NotResource !== undefined) return;
      reportScopedMismatch(statement, where, report);
    }),
};

/** Condition keys of a statement (operators map key -> values). */
function conditionKeys(s: PolicyStatement): string[] {
  const keys: string[] = [];
  for (const block of Object.values(s.Condition ?? {})) {
    if (block && typeof block === "object") keys.push(...Object.keys(block));
  }
  return [...new Set(keys)];
}

/** Condition keys exist for the statement's actions (their own, their resource types', or global). */
export const iamConditionKeyExists: Rule = {
  name: "iam-condition-key-exists",
  description:
    "Every condition key of every IAM policy statement exists for its actions or globally (aws:*), per AWS's Service Authorization Reference.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) =>
    eachStatement(args, ({ statement, where }) => {
      const keys = conditionKeys(statement);
      if (keys.length === 0 || statement.NotAction !== undefined) return;
      const { explicit, expanded, everything } = actionsOfStatement(statement);
      if (everything) return;
      for (const key of keys) {
        // A key missing from the request fails its condition: the action is never allowed (or denied).
        const missing = explicit.filter((a) => !actionSupportsConditionKey(a, key));
        const noneExpanded =
          expanded.length > 0 && !expanded.some((a) => actionSupportsConditionKey(a, key));
        if (missing.length === 0 && !noneExpanded) continue;
        const names = [
          ...missing.map((a) => a.id),
          ...(noneExpanded ? ["its wildcard actions"] : []),
        ];
        report(
          `${where} conditions on ${JSON.stringify(key)}, which AWS does not define for ${names.join(", ")} nor globally: ` +
            "the condition can never hold.",
        );
      }
    }),
};

export const IAM_REFERENCE_RULES: Rule[] = [
  iamActionExists,
  iamResourceMatchesAction,
  iamConditionKeyExists,
];
