import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_SERVICE_SID, type CallerKind, type RecordedCaller } from "../security/callLedger";
import type { Statement } from "../security/iam";

/**
 * Interface endpoint service short names (after `com.amazonaws.<region>.`) that serve the
 * actions of an IAM service prefix. A prefix missing here has no endpoint this program knows of:
 * a caller granted one of its actions cannot work in subnets without NAT.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
 */
export const ENDPOINT_SERVICES: Readonly<Record<string, readonly string[]>> = {
  sqs: ["sqs"],
  sns: ["sns"],
  kinesis: ["kinesis-streams"],
  firehose: ["kinesis-firehose"],
  logs: ["logs"],
  cloudwatch: ["monitoring"],
  xray: ["xray"],
  // The image manifest and auth token come from ecr.api, the layers' URLs from ecr.dkr (the
  // layers themselves from S3, through its gateway endpoint).
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
  ecr: ["ecr.api", "ecr.dkr"],
  sts: ["sts"],
  secretsmanager: ["secretsmanager"],
  ssm: ["ssm"],
  states: ["states"],
  events: ["events"],
  lambda: ["lambda"],
  athena: ["athena"],
  glue: ["glue"],
  "cognito-idp": ["cognito-idp"],
};

/**
 * Actions served by another endpoint than their prefix's: synchronous Express executions go to
 * `sync-states`, not `states`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/vpc-endpoints.html
 */
export const ACTION_ENDPOINTS: Readonly<Record<string, readonly string[]>> = {
  "states:StartSyncExecution": ["sync-states"],
};

/** Services the free gateway endpoints on every private route table serve. */
export const GATEWAY_SERVICES: readonly string[] = ["s3", "dynamodb"];

/**
 * Actions that the AWS service calls on the caller's behalf, from its own network: KMS for
 * SQS/SNS/Kinesis/DynamoDB/S3 encryption (kms:ViaService) and EC2 ENI management for VPC
 * functions.
 */
const SERVICE_SIDE_PREFIXES: readonly string[] = ["kms", "ec2"];

/**
 * For Lambda functions, the calls the Lambda service makes outside the customer's VPC: event
 * source mapping pollers (SQS, Kinesis, DynamoDB streams), log delivery and X-Ray traces.
 * "A Lambda function always runs in a VPC owned by the Lambda service"; only the handler's own
 * SDK calls leave through the function's ENIs.
 * https://docs.aws.amazon.com/lambda/latest/dg/foundation-networking.html
 */
const LAMBDA_SERVICE_ACTIONS: ReadonlySet<string> = new Set([
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
  "kinesis:DescribeStream",
  "kinesis:DescribeStreamSummary",
  "kinesis:GetRecords",
  "kinesis:GetShardIterator",
  "kinesis:ListShards",
  "kinesis:ListStreams",
  "kinesis:SubscribeToShard",
  "kinesis:DescribeStreamConsumer",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
]);

/** One interface endpoint to create, with the grants its policy admits. */
export interface PlannedEndpoint {
  /** Short name, e.g. "ecr.dkr". */
  service: string;
  /** The grants of the callers that use this endpoint, limited to the endpoint's service. */
  statements: Statement[];
  /** Names of the callers that use it, sorted. */
  callers: string[];
}

/** A caller action that no endpoint of this VPC can serve. */
export interface UnreachableCall {
  caller: string;
  action: string;
}

export interface EndpointPlan {
  /** Sorted by service. */
  endpoints: PlannedEndpoint[];
  unreachable: UnreachableCall[];
  /**
   * Callers whose statements are only known at deployment (Outputs): checked then by
   * `checkDeferredStatement`.
   */
  deferred: { caller: string; kind: CallerKind; statement: pulumi.Input<Statement> }[];
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const prefixOf = (action: string) => action.split(":")[0].toLowerCase();

/** The actions of `s` the caller's own network must carry (none for service-side calls). */
export function networkActions(kind: CallerKind, s: Statement): string[] {
  return actionsOf(s).filter(
    (a) =>
      !SERVICE_SIDE_PREFIXES.includes(prefixOf(a)) &&
      !GATEWAY_SERVICES.includes(prefixOf(a)) &&
      !(kind === "function" && LAMBDA_SERVICE_ACTIONS.has(a)),
  );
}

/**
 * Which interface endpoints the recorded callers need, from their grants: each Allow action
 * their own network carries maps to the endpoint(s) of its service; actions of an unknown
 * service are reported as unreachable. Pure: the statements' resources pass through untouched.
 */
export function planInterfaceEndpoints(callers: readonly RecordedCaller[]): EndpointPlan {
  const byService = new Map<string, { statements: Statement[]; callers: Set<string> }>();
  const unreachable: UnreachableCall[] = [];
  const deferred: EndpointPlan["deferred"] = [];
  for (const { caller, kind, statements } of callers) {
    for (const s of statements) {
      if (pulumi.Output.isInstance(s) || s instanceof Promise) {
        deferred.push({ caller, kind, statement: s });
        continue;
      }
      const statement = s as Statement;
      if (statement.Effect !== "Allow") continue;
      if (kind === "function" && statement.Sid === LAMBDA_SERVICE_SID) continue;
      // Grouped by the endpoints that serve them (an action's own, else its prefix's).
      const byKey = new Map<string, string[]>();
      for (const a of networkActions(kind, statement)) {
        const key = a in ACTION_ENDPOINTS ? a : prefixOf(a);
        const list = byKey.get(key) ?? [];
        list.push(a);
        byKey.set(key, list);
      }
      for (const [key, actions] of byKey) {
        const services = ACTION_ENDPOINTS[key] ?? ENDPOINT_SERVICES[key];
        if (!services) {
          actions.forEach((action) => unreachable.push({ caller, action }));
          continue;
        }
        for (const service of services) {
          const entry = byService.get(service) ?? { statements: [], callers: new Set<string>() };
          entry.statements.push({ ...statement, Action: actions });
          entry.callers.add(caller);
          byService.set(service, entry);
        }
      }
    }
  }
  const endpoints = [...byService.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, e]) => ({ service, statements: e.statements, callers: [...e.callers].sort() }));
  return { endpoints, unreachable, deferred };
}

/** The message refusing calls that cannot leave subnets without NAT, naming each one. */
export function unreachableMessage(networkName: string, calls: readonly UnreachableCall[]): string {
  const list = calls.map((c) => `${c.caller} calls ${c.action}`).join("; ");
  return (
    `Network "${networkName}": natGateways is "none" but ${list}, and no interface endpoint ` +
    `serves it: use natGateways "single" or "perAz", or move the caller out of the VPC`
  );
}

/**
 * Checks, at deployment, a statement that was an Output at planning time: throws (failing the
 * update) when it needs an endpoint the plan did not create.
 */
export function checkDeferredStatement(
  networkName: string,
  caller: string,
  kind: CallerKind,
  statement: Statement,
  created: ReadonlySet<string>,
): void {
  const missing = networkActions(kind, statement).filter((a) => {
    const services = ACTION_ENDPOINTS[a] ?? ENDPOINT_SERVICES[prefixOf(a)];
    return !services || services.some((s) => !created.has(s));
  });
  if (missing.length > 0) {
    throw new Error(
      unreachableMessage(
        networkName,
        missing.map((action) => ({ caller, action })),
      ),
    );
  }
}

/**
 * The endpoint policy: exactly the callers' grants for this service, for principals of this
 * account only (an endpoint policy does not grant; it limits what may pass the endpoint).
 * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 */
export function endpointPolicyStatements(
  endpoint: PlannedEndpoint,
  account: pulumi.Input<string>,
): Statement[] {
  return endpoint.statements.map((s) => ({
    Effect: "Allow",
    Principal: "*",
    Action: s.Action,
    Resource: s.Resource ?? "*",
    Condition: {
      ...(s.Condition ?? {}),
      StringEquals: { ...(s.Condition?.StringEquals ?? {}), "aws:PrincipalAccount": account },
    },
  }));
}
