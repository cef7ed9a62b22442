import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedComponent } from "../core/component";
import { metricAlarm } from "../observability/alarms";
import { cognitoJwtAuthorizer, jwtAuthFields } from "../api/cognitoAuth";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { ApiAuth, httpApi, httpApiWidgets, serverErrorRateAlarm } from "../api/httpApi";
import { securityGroupLink } from "../network/securityGroupLink";
import { transform } from "../core/transform";
import {
  Claim,
  FargateClusterArgs,
  FargateClusterPlan,
  NetworkRef,
  TLS_POLICY,
  planFargateCluster,
  planRouteClaim,
} from "./fargateClusterPlan";

// The args and the pure planning live in fargateClusterPlan.ts; one import for users.
export {
  MAX_LB_NAME,
  MAX_PATHS,
  defaultPriority,
  isRoutePath,
  planFargateCluster,
  planRouteClaim,
} from "./fargateClusterPlan";
export type { FargateClusterArgs, NetworkRef } from "./fargateClusterPlan";

/**
 * What several Fargate services share: one ECS cluster and one ingress path, public HTTP API ->
 * VPC link (in the private subnets) -> internal Application Load Balancer -> services. Each
 * `FargateService` attached to it adds its API routes and a path-based listener rule. Security
 * groups admit only the previous hop: the load balancer only the VPC link, tasks only the load
 * balancer. Requests that match no service get a JSON 404 from the load balancer.
 */
export class FargateCluster extends PlannedComponent<FargateClusterArgs, FargateClusterPlan> {
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
    super("serverless:containers:FargateCluster", name, args, planFargateCluster, opts);
    this.network = args.network;
    this.auth = this.plan.auth;
    this.clusterName = name;
    this.listenerPort = this.plan.listenerPort;
    this.alarmTopicArn = args.alarmTopicArn;
    this.logKmsKeyArn = args.logKmsKeyArn;
    this.logRetentionDays = this.plan.retention;
    this.containerInsights = this.plan.containerInsights;

    this.cluster = this.createCluster();
    // Rules are separate resources (never inline) so services can add theirs without conflicts.
    this.vpcLinkSecurityGroup = this.createSecurityGroup(
      "vpclink",
      `API Gateway VPC link of ${name}: may only reach its load balancer`,
    );
    this.loadBalancerSecurityGroup = this.createSecurityGroup(
      "alb",
      `Internal load balancer of ${name}: admits only the VPC link, reaches only service tasks`,
    );
    this.createVpcLinkToLoadBalancerRules();
    this.loadBalancer = this.createLoadBalancer();
    this.listener = this.createListener();
    const http = this.createApi();
    this.apiLogGroup = http.accessLogGroup;
    this.api = http.api;
    this.stage = http.stage;
    this.url = this.api.apiEndpoint;
    this.vpcLink = this.createVpcLink();
    this.integration = this.createIntegration();
    if (this.auth === "cognito") {
      // Sets the readonly authorizer, userPool, userPoolClient, userPoolId and userPoolClientIds.
      Object.assign(this, jwtAuthFields(this.createAuthorizer()));
      this.authorizationScopes = args.cognito?.scopes;
    }
    if (args.alarmTopicArn) this.createAlarms(args.alarmTopicArn);

    this.registerOutputs({
      url: this.url,
      userPoolId: this.userPoolId,
      userPoolClientIds: this.userPoolClientIds,
      clusterArn: this.cluster.arn,
      loadBalancerArn: this.loadBalancer.arn,
      listenerArn: this.listener.arn,
    });
  }

  private createCluster(): aws.ecs.Cluster {
    const value = this.containerInsights ? "enabled" : "disabled";
    return new aws.ecs.Cluster(
      ...transform(
        this.t.cluster,
        this.clusterName,
        { settings: [{ name: "containerInsights", value }] },
        { parent: this },
      ),
    );
  }

  private createSecurityGroup(suffix: string, description: string): aws.ec2.SecurityGroup {
    const n = `${this.clusterName}-${suffix}`;
    return new aws.ec2.SecurityGroup(
      ...transform(
        this.t.securityGroup,
        n,
        { vpcId: this.network.vpcId, description, tags: { Name: n } },
        { parent: this },
      ),
    );
  }

  /** The VPC link may reach the listener, and the load balancer admits only the VPC link. */
  private createVpcLinkToLoadBalancerRules(): void {
    securityGroupLink(
      {
        securityGroupId: this.vpcLinkSecurityGroup.id,
        ruleName: `${this.clusterName}-vpclink-to-alb`,
        description: "To the load balancer listener",
      },
      {
        securityGroupId: this.loadBalancerSecurityGroup.id,
        ruleName: `${this.clusterName}-alb-from-vpclink`,
        description: "From the API Gateway VPC link only",
      },
      this.listenerPort,
      this,
      this.t,
    );
  }

  /** Internal, in the private subnets, dropping invalid headers, strictest desync mitigation. */
  private createLoadBalancer(): aws.lb.LoadBalancer {
    return new aws.lb.LoadBalancer(
      ...transform(
        this.t.loadBalancer,
        this.clusterName,
        {
          loadBalancerType: "application",
          internal: true,
          subnets: this.network.privateSubnetIds,
          securityGroups: [this.loadBalancerSecurityGroup.id],
          dropInvalidHeaderFields: true,
          desyncMitigationMode: "strictest",
          enableDeletionProtection: this.plan.deletionProtection,
        },
        { parent: this },
      ),
    );
  }

  /** HTTP 80, or HTTPS 443 with a TLS 1.3 policy; a JSON 404 for paths no service claims. */
  private createListener(): aws.lb.Listener {
    const tls = this.args.tls;
    const notFound = JSON.stringify({ error: { status: 404, message: "no route for this path" } });
    return new aws.lb.Listener(
      ...transform(
        this.t.listener,
        this.clusterName,
        {
          loadBalancerArn: this.loadBalancer.arn,
          port: this.listenerPort,
          protocol: tls ? "HTTPS" : "HTTP",
          ...(tls ? { certificateArn: tls.certificateArn, sslPolicy: TLS_POLICY } : {}),
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
        { parent: this },
      ),
    );
  }

  private createApi() {
    const name = this.clusterName;
    return httpApi(
      {
        name,
        description: `Public entry point of the Fargate services of ${name}`,
        cors: this.args.cors,
        corsMethods: ["DELETE", "GET", "PATCH", "POST", "PUT"],
        accessLog: {
          resourceName: `${name}-api`,
          path: name,
          retentionDays: this.plan.retention,
          kmsKeyArn: this.args.logKmsKeyArn,
        },
        throttleRateLimit: this.plan.rate,
        throttleBurstLimit: this.plan.burst,
        detailedMetricsEnabled: true,
        transform: { api: this.t.api, stage: this.t.stage, accessLogGroup: this.t.apiLogGroup },
      },
      this,
    );
  }

  private createVpcLink(): aws.apigatewayv2.VpcLink {
    return new aws.apigatewayv2.VpcLink(
      ...transform(
        this.t.vpcLink,
        this.clusterName,
        {
          name: `${pulumi.getProject()}-${pulumi.getStack()}-${this.clusterName}`,
          subnetIds: this.network.privateSubnetIds,
          securityGroupIds: [this.vpcLinkSecurityGroup.id],
        },
        { parent: this },
      ),
    );
  }

  /** The one private integration (HTTP_PROXY over the VPC link to the listener) every route uses. */
  private createIntegration(): aws.apigatewayv2.Integration {
    const tls = this.args.tls;
    return new aws.apigatewayv2.Integration(
      ...transform(
        this.t.integration,
        this.clusterName,
        {
          apiId: this.api.id,
          description: `Private integration with the load balancer of ${this.clusterName}`,
          integrationType: "HTTP_PROXY",
          integrationMethod: "ANY",
          connectionType: "VPC_LINK",
          connectionId: this.vpcLink.id,
          // A private integration targets the listener; the request path is passed through.
          integrationUri: this.listener.arn,
          payloadFormatVersion: "1.0",
          ...(tls ? { tlsConfig: { serverNameToVerify: tls.serverName } } : {}),
        },
        { parent: this },
      ),
    );
  }

  private createAuthorizer() {
    return cognitoJwtAuthorizer(
      this.clusterName,
      {
        apiId: this.api.id,
        cognito: this.args.cognito,
        deletionProtection: this.plan.deletionProtection,
        // Picks its userPool, userPoolClient and authorizer hooks.
        transform: this.t,
      },
      this,
    );
  }

  /** The API's 5xx rate and the load balancer's own 5xx (no healthy target, timeouts). */
  private createAlarms(topicArn: pulumi.Input<string>): void {
    const name = this.clusterName;
    const errorRate = this.plan.errorRate;
    serverErrorRateAlarm(
      `${name}-api-5xx-rate`,
      {
        apiId: this.api.id,
        threshold: errorRate,
        description: `API of ${name}: over ${errorRate * 100}% of requests failed with 5xx (see its access log and the services' logs)`,
      },
      topicArn,
      this,
      this.t.alarm,
    );
    metricAlarm(
      `${name}-alb-5xx`,
      {
        description: `Load balancer of ${name} answered 5xx itself (no healthy target, timeouts)`,
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_ELB_5XX_Count",
        dimensions: { LoadBalancer: this.loadBalancer.arnSuffix },
      },
      topicArn,
      this,
      this.t.alarm,
    );
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
    const claim = planRouteClaim(this.claims, this.clusterName, service, paths, priority);
    this.claims.push(claim);
    return claim.priorities;
  }
}
