import { createHash } from "node:crypto";
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CognitoOptions } from "../api/cognitoAuth";
import { API_AUTH_MODES, ApiAuth, ApiCors } from "../api/httpApi";
import {
  API_5XX_RATE_THRESHOLD,
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import type { Network } from "../network/network";
import type { Transforms } from "../core/transform";
import type { OperationsContext } from "../core/operations";
import { ArgumentErrors } from "../core/validate";

/** What the containers components need from a network (a `Network` fits). */
export type NetworkRef = Pick<
  Network,
  "vpcId" | "privateSubnetIds" | "cidrBlock" | "egressOnlySecurityGroup"
> &
  Partial<Pick<Network, "callLedger">>;

/** Security policy of an HTTPS listener: TLS 1.3 and 1.2 with forward secrecy only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Load balancer and target group names are at most 32 characters; Pulumi appends 8. */
export const MAX_LB_NAME = 24;
/** Routes a service may claim: each takes one listener rule (a rule holds at most 5 values). */
export const MAX_PATHS = 10;
const PRIORITY_SLOTS = 4999;
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/** `/items` -> valid; an API path prefix with no trailing slash, wildcard or parameter. */
export function isRoutePath(p: string): boolean {
  return /^(\/[A-Za-z0-9._~-]+)+$/.test(p);
}

/** Deterministic listener-rule priority base for a service (stable across unrelated changes). */
export function defaultPriority(serviceName: string): number {
  const n = parseInt(createHash("sha256").update(serviceName).digest("hex").slice(0, 8), 16);
  return (1 + (n % PRIORITY_SLOTS)) * MAX_PATHS;
}

/**
 * The operations fields (`OperationsContext`) apply to the API access log group and the API and
 * load balancer alarms, and are the services' defaults.
 */
export interface FargateClusterArgs extends OperationsContext {
  /** The VPC whose private subnets hold the VPC link, the load balancer and the tasks. Required. */
  network: NetworkRef;
  /**
   * How callers authenticate at the API. "cognito": a JWT authorizer on every route (a user pool
   * and app client are created unless `cognito` names existing ones); "iam": SigV4-signed requests;
   * "none": open to anyone (dev only).
   * @default "cognito"
   */
  auth?: ApiAuth;
  /**
   * With `auth: "cognito"`: existing user pool / app clients, required scopes.
   * @default create both
   */
  cognito?: CognitoOptions;
  /**
   * Stage throttling: steady requests per second.
   * @default 50 (`API_THROTTLE_RATE`)
   */
  throttleRateLimit?: number;
  /**
   * Stage throttling: burst bucket size.
   * @default 100 (`API_THROTTLE_BURST`)
   */
  throttleBurstLimit?: number;
  /**
   * CORS for browsers on known origins (exact origins, no "*").
   * @default no CORS
   */
  cors?: ApiCors;
  /**
   * Share of API requests in a minute ending in 5xx that raises the alarm (0-1).
   * @default 0.05
   */
  serverErrorRateThreshold?: number;
  /**
   * HTTPS between API Gateway and the load balancer: an ACM certificate for `serverName`, which API
   * Gateway verifies.
   * @default HTTP on port 80 (the hop never leaves the VPC)
   */
  tls?: { certificateArn: pulumi.Input<string>; serverName: string };
  /**
   * ECS Container Insights (per-task CPU, memory, network metrics).
   * @default true
   */
  containerInsights?: boolean;
  /**
   * Refuse to delete the load balancer (and the user pool) until turned off.
   * @default true
   */
  deletionProtection?: boolean;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    cluster: aws.ecs.ClusterArgs;
    api: aws.apigatewayv2.ApiArgs;
    stage: aws.apigatewayv2.StageArgs;
    apiLogGroup: aws.cloudwatch.LogGroupArgs;
    vpcLink: aws.apigatewayv2.VpcLinkArgs;
    /** Both groups; names end in `-vpclink` or `-alb`. */
    securityGroup: aws.ec2.SecurityGroupArgs;
    loadBalancer: aws.lb.LoadBalancerArgs;
    listener: aws.lb.ListenerArgs;
    integration: aws.apigatewayv2.IntegrationArgs;
    authorizer: aws.apigatewayv2.AuthorizerArgs;
    userPool: aws.cognito.UserPoolArgs;
    userPoolClient: aws.cognito.UserPoolClientArgs;
    /** The load balancer's rule admitting the VPC link. */
    ingressRule: aws.vpc.SecurityGroupIngressRuleArgs;
    /** The VPC link's rule reaching the load balancer. */
    egressRule: aws.vpc.SecurityGroupEgressRuleArgs;
    /** Both alarms (API 5xx rate, load balancer 5xx). */
    alarm: aws.cloudwatch.MetricAlarmArgs;
  }>;
}

/** A route claim: which service owns which paths and listener-rule priorities. */
export interface Claim {
  service: string;
  paths: string[];
  priorities: number[];
}

/** A FargateCluster's args with every default resolved. */
export interface FargateClusterPlan {
  auth: ApiAuth;
  retention: number;
  rate: number;
  burst: number;
  errorRate: number;
  deletionProtection: boolean;
  containerInsights: boolean;
  /** 80, or 443 with `tls`. */
  listenerPort: number;
}

/** Resolves the defaults of a FargateCluster's args and throws one Error listing every problem. */
export function planFargateCluster(name: string, args: FargateClusterArgs): FargateClusterPlan {
  const auth = args.auth ?? "cognito";
  const retention = args.logRetentionDays ?? LOG_RETENTION_DAYS;
  const rate = args.throttleRateLimit ?? API_THROTTLE_RATE;
  const burst = args.throttleBurstLimit ?? API_THROTTLE_BURST;
  const origins = args.cors?.origins ?? [];
  const errorRate = args.serverErrorRateThreshold ?? API_5XX_RATE_THRESHOLD;
  new ArgumentErrors("FargateCluster", name)
    .check(
      name.length <= MAX_LB_NAME && /^[A-Za-z0-9-]+$/.test(name),
      "name",
      `"${name}" is longer than ${MAX_LB_NAME} characters or not alphanumeric/hyphens`,
      "use a short name: the load balancer's name is derived from it (32 characters at most)",
    )
    .check(
      API_AUTH_MODES.includes(auth),
      "auth",
      `"${String(auth)}" is not an auth mode`,
      `use one of ${API_AUTH_MODES.map((m) => `"${m}"`).join(", ")}`,
    )
    .check(
      args.cognito === undefined || auth === "cognito",
      "cognito",
      `given while auth is "${auth}"`,
      'set auth: "cognito" or drop cognito',
    )
    .check(
      args.cognito?.clientIds === undefined || args.cognito.clientIds.length > 0,
      "cognito.clientIds",
      "is empty, so no token would be accepted",
      "list the app client ids whose tokens the API accepts",
    )
    .check(
      rate > 0 && burst > 0,
      "throttleRateLimit/throttleBurstLimit",
      `${rate}/${burst} must both be positive`,
      "give positive limits",
    )
    .check(
      args.cors === undefined || (origins.length > 0 && origins.every((o) => ORIGIN.test(o))),
      "cors.origins",
      `${origins.filter((o) => !ORIGIN.test(o)).join(", ") || "(none)"} not exact origins (a wildcard lets every site call the API)`,
      'list origins like "https://app.example.com"',
    )
    .check(
      errorRate > 0 && errorRate < 1,
      "serverErrorRateThreshold",
      `${errorRate} is not a share between 0 and 1`,
      "use e.g. 0.05 for 5%",
    )
    .checkLogRetention(retention)
    .check(
      args.tls === undefined || /^[A-Za-z0-9.-]+$/.test(args.tls.serverName),
      "tls.serverName",
      `"${args.tls?.serverName}" is not a host name`,
      "give the DNS name the certificate covers",
    )
    .throwIfAny();
  return {
    auth,
    retention,
    rate,
    burst,
    errorRate,
    deletionProtection: args.deletionProtection ?? true,
    containerInsights: args.containerInsights !== false,
    listenerPort: args.tls ? 443 : 80,
  };
}

/**
 * The listener-rule priorities of a service's paths, or an Error naming both services when
 * another claim already holds one of its paths (or a prefix of one) or priorities.
 */
export function planRouteClaim(
  claims: readonly Claim[],
  cluster: string,
  service: string,
  paths: string[],
  priority?: number,
): Claim {
  const base = priority ?? defaultPriority(service);
  const priorities = paths.map((_, i) => base + i);
  const errors = new ArgumentErrors("FargateService", service);
  for (const c of claims) {
    const taken = paths.filter((p) => c.paths.includes(p));
    errors.check(
      taken.length === 0,
      "paths",
      `${taken.join(", ")} already routed to service "${c.service}" on cluster "${cluster}"`,
      "give each service its own path prefixes",
    );
    // "/a" and "/a/b" on two services: the load balancer would send /a/b by rule priority.
    const nested = paths.filter((p) =>
      c.paths.some((q) => p.startsWith(`${q}/`) || q.startsWith(`${p}/`)),
    );
    errors.check(
      nested.length === 0,
      "paths",
      `${nested.join(", ")} nest with paths of service "${c.service}" (${c.paths.join(", ")})`,
      "use prefixes that do not contain one another across services",
    );
    const clash = priorities.filter((p) => c.priorities.includes(p));
    errors.check(
      clash.length === 0,
      "priority",
      `listener-rule priorit${clash.length > 1 ? "ies" : "y"} ${clash.join(", ")} already used by service "${c.service}"`,
      `set priority explicitly (services need ${MAX_PATHS} apart)`,
    );
  }
  errors.throwIfAny();
  return { service, paths, priorities };
}
