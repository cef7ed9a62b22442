import * as pulumi from "@pulumi/pulumi";

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
  Resource?: pulumi.Input<string> | pulumi.Input<string>[];
  Principal?: Principal;
  Condition?: Conditions;
}

/** Serialises statements into a policy document, resolving any Outputs inside them. */
export function policyDocument(statements: pulumi.Input<Statement>[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Allow `actions` on `resources`: the only shape a grant passed to a component should take. */
export function allow(
  actions: string[],
  resources: pulumi.Input<string>[],
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
 * Resource-policy statement that denies any request not sent over TLS (DESIGN section 7).
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

/** Problems with a least-privilege grant: Allow with a wildcard action, or no resources. */
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
  return problems;
}

/**
 * Actions AWS only authorises on `Resource: "*"` (no resource-level permissions). The one list
 * both the components and the policy pack use to tell a required wildcard from a lazy one.
 */
export const ACTIONS_REQUIRING_WILDCARD_RESOURCE: readonly string[] = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "cloudwatch:GetMetricData",
  "cloudwatch:PutMetricData",
  "kinesis:ListStreams",
  "kinesis:UpdateShardCount",
  "ecr:GetAuthorizationToken",
];

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
