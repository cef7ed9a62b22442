import * as pulumi from "@pulumi/pulumi";
import { statementsProblems } from "./iamReference";

/** A principal in IAM JSON form. */
export type Principal =
  | "*"
  | {
      Service?: pulumi.Input<string> | pulumi.Input<string>[];
      AWS?: pulumi.Input<string> | pulumi.Input<string>[];
    };

/** Condition block in IAM JSON form: operator -> key -> value(s). */
export type Conditions = Record<string, Record<string, pulumi.Input<string | boolean | string[]>>>;

/** One IAM policy statement in the JSON form AWS documents (values may be Pulumi Inputs). */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: pulumi.Input<string> | pulumi.Input<string>[] | pulumi.Output<string[]>;
  Principal?: Principal;
  Condition?: Conditions;
}

/**
 * Serialises statements into a policy document, resolving any Outputs inside them. With `owner`
 * (e.g. `BundledFunction "items" role`), first refuses every known statement AWS's Service
 * Authorization Reference says could never authorise (see iamReference.ts): the plan's rendered
 * documents, Outputs resolved, are checked the same way by test/iam.
 */
export function policyDocument(
  statements: pulumi.Input<Statement>[],
  owner?: string,
): pulumi.Output<string> {
  if (owner) assertAuthorisable(owner, statements);
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** The statements whose value is known at construction (not an Output or a Promise). */
export function knownStatements(statements: readonly pulumi.Input<Statement>[]): Statement[] {
  return statements.filter(
    (s): s is Statement => !pulumi.Output.isInstance(s) && !(s instanceof Promise),
  );
}

/** Throws one Error listing every statement AWS could never authorise, naming owner and fix. */
export function assertAuthorisable(owner: string, statements: readonly pulumi.Input<Statement>[]) {
  const problems = statementsProblems(knownStatements(statements));
  if (problems.length > 0) {
    throw new Error(
      `${owner}: IAM statements AWS's Service Authorization Reference says cannot authorise:\n  - ${problems.join("\n  - ")}`,
    );
  }
}

/** Allow `actions` on `resources`: the only shape a grant passed to a component should take. */
export function allow(
  actions: string[],
  resources: pulumi.Input<string>[] | pulumi.Output<string[]>,
  condition?: Conditions,
): Statement {
  return {
    Effect: "Allow",
    Action: actions,
    Resource: resources,
    ...(condition ? { Condition: condition } : {}),
  };
}

/** Trust policy letting one AWS service assume a role, limited to this account when known. */
export function assumeRolePolicy(
  service: string,
  sourceAccount?: pulumi.Input<string>,
): pulumi.Output<string> {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      ...(sourceAccount
        ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }
        : {}),
    },
  ]);
}

/**
 * Resource-policy statement that denies any request not sent over TLS (README: "Secure defaults").
 * `actions` is the service's wildcard (e.g. "sqs:*"): a Deny may use it, an Allow never does.
 */
export function denyInsecureTransport(
  actions: string,
  resources: pulumi.Input<string>[],
): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: actions,
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * Problems with a least-privilege grant: Allow with a wildcard action, no resources, or anything
 * AWS's Service Authorization Reference says cannot authorise (unknown action or condition key,
 * a Resource no supported resource type can match, `"*"` where the action supports one).
 */
export function leastPrivilegeProblems(statements: Statement[]): string[] {
  const problems: string[] = [];
  statements.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    for (const a of actions) {
      if (a === "*" || a.endsWith(":*"))
        problems.push(`statement ${i} allows wildcard action "${a}"`);
    }
    const resources =
      s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    if (resources.length === 0) problems.push(`statement ${i} names no resource`);
  });
  return [...problems, ...statementsProblems(statements)];
}

/**
 * Conditions limiting a service principal to one source resource (and account): the guard
 * against the confused-deputy problem. S3 bucket ARNs name no account, so pass `sourceAccount`
 * for S3.
 */
export function fromSource(
  sourceArn: pulumi.Input<string>,
  sourceAccount?: pulumi.Input<string>,
): Conditions {
  return {
    ArnEquals: { "aws:SourceArn": sourceArn },
    ...(sourceAccount ? { StringEquals: { "aws:SourceAccount": sourceAccount } } : {}),
  };
}

/**
 * Queue-policy statement: `service` (e.g. `sns.amazonaws.com`, `s3.amazonaws.com`) may send to
 * `queueArn`, only on behalf of `sourceArn` (and `sourceAccount` when given).
 */
export function allowServiceToSend(
  service: string,
  queueArn: pulumi.Input<string>,
  sourceArn: pulumi.Input<string>,
  sourceAccount?: pulumi.Input<string>,
): Statement {
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: fromSource(sourceArn, sourceAccount),
  };
}
