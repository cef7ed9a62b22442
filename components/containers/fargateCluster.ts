import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { metricAlarm } from "../observability/alarms";
import {
  API_AUTH_MODES,
  ApiAuth,
  ApiCors,
  CognitoOptions,
  httpApiWidgets,
} from "../api/apiBackedLambda";
import { cognitoJwtAuthorizer } from "../api/cognitoAuth";
import {
  API_5XX_RATE_THRESHOLD,
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { httpApi, serverErrorRateAlarm } from "../api/httpApi";
import type { Network } from "../network/network";
import { Transform, applyTransform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

/** What the containers components need from a network (a `Network` fits). */
export type NetworkRef = Pick<
  Network,
  "vpcId" | "privateSubnetIds" | "cidrBlock" | "egressOnlySecurityGroup"
> &
  Partial<Pick<Network, "callLedger">>;

/** Security policy of an HTTPS listener: TLS 1.3 and 1.2 with forward secrecy only. */
const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
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

export interface FargateClusterArgs {
  /** The VPC whose private subnets hold the VPC link, the load balancer and the tasks. Required. */
  network: NetworkRef;
  /**
   * How callers authenticate at the API. "cognito": a JWT authorizer on every route (a user pool
   * and app client are created unless `cognito` names existing ones); "iam": SigV4-signed
   * requests; "none": open to anyone (dev only). Default: "cognito".
   */
  auth?: ApiAuth;
  /** With `auth: "cognito"`: existing user pool / app clients, required scopes. Default: create both. */
  cognito?: CognitoOptions;
  /** Stage throttling: steady requests per second. Default: 50 (`API_THROTTLE_RATE`). */
  throttleRateLimit?: number;
  /** Stage throttling: burst bucket size. Default: 100 (`API_THROTTLE_BURST`). */
  throttleBurstLimit?: number;
  /** CORS for browsers on known origins (exact origins, no "*"). Default: no CORS. */
  cors?: ApiCors;
  /** Share of API requests in a minute ending in 5xx that raises the alarm (0-1). Default: 0.05. */
  serverErrorRateThreshold?: number;
  /**
   * HTTPS between API Gateway and the load balancer: an ACM certificate for `serverName`, which
   * API Gateway verifies. Default: HTTP on port 80 (the hop never leaves the VPC).
   */
  tls?: { certificateArn: pulumi.Input<string>; serverName: string };
  /** ECS Container Insights (per-task CPU, memory, network metrics). Default: true. */
  containerInsights?: boolean;
  /** Refuse to delete the load balancer (and the user pool) until turned off. Default: true. */
  deletionProtection?: boolean;
  /** Retention of the API access log group, in days. Default: 14. */
  logRetentionDays?: number;
  /** KMS key for the access log group (and the default for services). Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Topic for the API and load balancer alarms (and the default for services). Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Override hooks, one per child. Default: none. */
  transform?: {
    cluster?: Transform<aws.ecs.ClusterArgs>;
    api?: Transform<aws.apigatewayv2.ApiArgs>;
    stage?: Transform<aws.apigatewayv2.StageArgs>;
    apiLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    vpcLink?: Transform<aws.apigatewayv2.VpcLinkArgs>;
    /** Both groups; names end in `-vpclink` or `-alb`. */
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    listener?: Transform<aws.lb.ListenerArgs>;
    integration?: Transform<aws.apigatewayv2.IntegrationArgs>;
    authorizer?: Transform<aws.apigatewayv2.AuthorizerArgs>;
    userPool?: Transform<aws.cognito.UserPoolArgs>;
    userPoolClient?: Transform<aws.cognito.UserPoolClientArgs>;
  };
}

/** A route claim: which service owns which paths and listener-rule priorities. */
interface Claim {
  service: string;
  paths: string[];
  priorities: number[];
}

/**
 * What several Fargate services share: one ECS cluster and one ingress path, public HTTP API ->
 * VPC link (in the private subnets) -> internal Application Load Balancer -> services. Each
 * `FargateService` attached to it adds its API routes and a path-based listener rule. Security
 * groups admit only the previous hop: the load balancer only the VPC link, tasks only the load
 * balancer. Requests that match no service get a JSON 404 from the load balancer.
 */
export class FargateCluster extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly apiLogGroup: aws.cloudwatch.LogGroup;
  readonly vpcLink: aws.apigatewayv2.VpcLink;
  readonly vpcLinkSecurityGroup: aws.ec2.SecurityGroup;
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly loadBalancerSecurityGroup: aws.ec2.SecurityGroup;
  readonly listener: aws.lb.Listener;
  /** The one private integration every service route targets (the listener). */
  readonly integration: aws.apigatewayv2.Integration;
  readonly authorizer?: aws.apigatewayv2.Authorizer;
  readonly userPool?: aws.cognito.UserPool;
  readonly userPoolClient?: aws.cognito.UserPoolClient;
  /** With cognito auth: the user pool (created or given) and the accepted app client ids. */
  readonly userPoolId?: pulumi.Output<string>;
  readonly userPoolClientIds?: pulumi.Output<string[]>;
  /** OAuth scopes every JWT route requires (`cognito.scopes`). */
  readonly authorizationScopes?: string[];
  /** The API's base URL (no trailing slash). */
  readonly url: pulumi.Output<string>;
  readonly network: NetworkRef;
  readonly auth: ApiAuth;
  /** The listener's port (80, or 443 with `tls`). */
  readonly listenerPort: number;
  /** Defaults services inherit. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  readonly logKmsKeyArn?: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** Container Insights is on (services then chart running tasks from it). */
  readonly containerInsights: boolean;
  private readonly claims: Claim[] = [];
  private readonly clusterName: string;

  constructor(name: string, args: FargateClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:containers:FargateCluster", name, {}, opts);
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

    const t = args.transform ?? {};
    const parent = { parent: this };
    const network = args.network;
    const deletionProtection = args.deletionProtection ?? true;
    this.network = network;
    this.auth = auth;
    this.clusterName = name;
    this.listenerPort = args.tls ? 443 : 80;
    this.alarmTopicArn = args.alarmTopicArn;
    this.logKmsKeyArn = args.logKmsKeyArn;
    this.logRetentionDays = retention;
    this.containerInsights = args.containerInsights !== false;

    this.cluster = new aws.ecs.Cluster(
      name,
      applyTransform<aws.ecs.ClusterArgs>(
        {
          settings: [
            {
              name: "containerInsights",
              value: this.containerInsights ? "enabled" : "disabled",
            },
          ],
        },
        t.cluster,
        name,
      ),
      parent,
    );

    const securityGroup = (n: string, description: string) =>
      new aws.ec2.SecurityGroup(
        n,
        applyTransform<aws.ec2.SecurityGroupArgs>(
          { vpcId: network.vpcId, description, tags: { Name: n } },
          t.securityGroup,
          n,
        ),
        parent,
      );
    // Rules are separate resources (never inline) so services can add theirs without conflicts.
    this.vpcLinkSecurityGroup = securityGroup(
      `${name}-vpclink`,
      `API Gateway VPC link of ${name}: may only reach its load balancer`,
    );
    this.loadBalancerSecurityGroup = securityGroup(
      `${name}-alb`,
      `Internal load balancer of ${name}: admits only the VPC link, reaches only service tasks`,
    );
    const port = this.listenerPort;
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-vpclink-to-alb`,
      {
        securityGroupId: this.vpcLinkSecurityGroup.id,
        description: "To the load balancer listener",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: this.loadBalancerSecurityGroup.id,
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-alb-from-vpclink`,
      {
        securityGroupId: this.loadBalancerSecurityGroup.id,
        description: "From the API Gateway VPC link only",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: this.vpcLinkSecurityGroup.id,
      },
      parent,
    );

    this.loadBalancer = new aws.lb.LoadBalancer(
      name,
      applyTransform<aws.lb.LoadBalancerArgs>(
        {
          loadBalancerType: "application",
          internal: true,
          subnets: network.privateSubnetIds,
          securityGroups: [this.loadBalancerSecurityGroup.id],
          dropInvalidHeaderFields: true,
          desyncMitigationMode: "strictest",
          enableDeletionProtection: deletionProtection,
        },
        t.loadBalancer,
        name,
      ),
      parent,
    );

    const notFound = JSON.stringify({ error: { status: 404, message: "no route for this path" } });
    this.listener = new aws.lb.Listener(
      name,
      applyTransform<aws.lb.ListenerArgs>(
        {
          loadBalancerArn: this.loadBalancer.arn,
          port,
          protocol: args.tls ? "HTTPS" : "HTTP",
          ...(args.tls ? { certificateArn: args.tls.certificateArn, sslPolicy: TLS_POLICY } : {}),
          defaultActions: [
            {
              type: "fixed-response",
              fixedResponse: {
                contentType: "application/json",
                statusCode: "404",
                messageBody: notFound,
              },
            },
          ],
        },
        t.listener,
        name,
      ),
      parent,
    );

    const http = httpApi(
      {
        name,
        description: `Public entry point of the Fargate services of ${name}`,
        cors: args.cors,
        corsMethods: ["DELETE", "GET", "PATCH", "POST", "PUT"],
        accessLog: {
          resourceName: `${name}-api`,
          logGroupName: `/aws/apigateway/${pulumi.getProject()}-${pulumi.getStack()}/${name}`,
          retentionDays: retention,
          kmsKeyArn: args.logKmsKeyArn,
        },
        throttleRateLimit: rate,
        throttleBurstLimit: burst,
        detailedMetricsEnabled: true,
        transform: { api: t.api, stage: t.stage, accessLogGroup: t.apiLogGroup },
      },
      this,
    );
    this.apiLogGroup = http.accessLogGroup;
    this.api = http.api;
    this.stage = http.stage;
    this.url = this.api.apiEndpoint;

    this.vpcLink = new aws.apigatewayv2.VpcLink(
      name,
      applyTransform<aws.apigatewayv2.VpcLinkArgs>(
        {
          name: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
          subnetIds: network.privateSubnetIds,
          securityGroupIds: [this.vpcLinkSecurityGroup.id],
        },
        t.vpcLink,
        name,
      ),
      parent,
    );

    this.integration = new aws.apigatewayv2.Integration(
      name,
      applyTransform<aws.apigatewayv2.IntegrationArgs>(
        {
          apiId: this.api.id,
          description: `Private integration with the load balancer of ${name}`,
          integrationType: "HTTP_PROXY",
          integrationMethod: "ANY",
          connectionType: "VPC_LINK",
          connectionId: this.vpcLink.id,
          // A private integration targets the listener; the request path is passed through.
          integrationUri: this.listener.arn,
          payloadFormatVersion: "1.0",
          ...(args.tls ? { tlsConfig: { serverNameToVerify: args.tls.serverName } } : {}),
        },
        t.integration,
        name,
      ),
      parent,
    );

    if (auth === "cognito") {
      const jwt = cognitoJwtAuthorizer(
        name,
        {
          apiId: this.api.id,
          cognito: args.cognito,
          deletionProtection,
          // Picks its userPool, userPoolClient and authorizer hooks.
          transform: t,
        },
        this,
      );
      this.authorizer = jwt.authorizer;
      this.userPool = jwt.userPool;
      this.userPoolClient = jwt.userPoolClient;
      this.userPoolId = jwt.userPoolId;
      this.userPoolClientIds = jwt.clientIds;
      this.authorizationScopes = args.cognito?.scopes;
    }

    if (args.alarmTopicArn) {
      serverErrorRateAlarm(
        `${name}-api-5xx-rate`,
        {
          apiId: this.api.id,
          threshold: errorRate,
          description: `API of ${name}: over ${errorRate * 100}% of requests failed with 5xx (see its access log and the services' logs)`,
        },
        args.alarmTopicArn,
        this,
      );
      metricAlarm(
        `${name}-alb-5xx`,
        {
          description: `Load balancer of ${name} answered 5xx itself (no healthy target, timeouts)`,
          namespace: "AWS/ApplicationELB",
          metricName: "HTTPCode_ELB_5XX_Count",
          dimensions: { LoadBalancer: this.loadBalancer.arnSuffix },
        },
        args.alarmTopicArn,
        this,
      );
    }

    this.registerOutputs({
      url: this.url,
      userPoolId: this.userPoolId,
      userPoolClientIds: this.userPoolClientIds,
      clusterArn: this.cluster.arn,
      loadBalancerArn: this.loadBalancer.arn,
      listenerArn: this.listener.arn,
    });
  }

  /**
   * Dashboard row of the shared ingress: the API (requests, 4xx/5xx, latency) and the load
   * balancer (requests, its own 5xx, rejected connections). Each service adds its own row.
   */
  widgets(): DashboardRow[] {
    const lb = (metricName: string, label: string) =>
      metric(
        "AWS/ApplicationELB",
        metricName,
        { LoadBalancer: this.loadBalancer.arnSuffix },
        { label },
      );
    return [
      {
        title: `API and load balancer ${this.clusterName}`,
        widgets: [
          ...httpApiWidgets(this.api.id),
          {
            title: "Load balancer",
            lines: [
              lb("RequestCount", "requests"),
              lb("HTTPCode_ELB_5XX_Count", "5xx from the load balancer"),
              lb("HTTPCode_ELB_4XX_Count", "4xx from the load balancer"),
              lb("RejectedConnectionCount", "rejected connections"),
            ],
          },
        ],
      },
    ];
  }

  /** Route keys of the API for a path prefix: the prefix itself and everything below it. */
  static routeKeys(p: string): string[] {
    return [`ANY ${p}`, `ANY ${p}/{proxy+}`];
  }

  /** Load balancer path patterns for a path prefix. */
  static pathPatterns(p: string): string[] {
    return [p, `${p}/*`];
  }

  /**
   * Reserves paths and listener-rule priorities for a service; throws, naming both services,
   * when another service already holds one of them. Returns one priority per path.
   */
  claimRoutes(service: string, paths: string[], priority?: number): number[] {
    const base = priority ?? defaultPriority(service);
    const priorities = paths.map((_, i) => base + i);
    const errors = new ArgumentErrors("FargateService", service);
    for (const c of this.claims) {
      const taken = paths.filter((p) => c.paths.includes(p));
      errors.check(
        taken.length === 0,
        "paths",
        `${taken.join(", ")} already routed to service "${c.service}" on cluster "${this.clusterName}"`,
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
    this.claims.push({ service, paths, priorities });
    return priorities;
  }
}
