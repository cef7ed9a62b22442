import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BundledFunction, BundledFunctionArgs } from "../compute/lambdaFunction";
import type { Network } from "../network/network";
import type { DashboardRow } from "../observability/flowDashboard";
import type { Statement } from "../security/iam";
import { applyTransform, Nested, Transforms } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import { API_AUTH_MODES, ApiAuth, routeArnPath } from "./apiBackedLambda";

export interface LambdaRouteArgs {
  /** The HTTP API the routes join (e.g. a Fargate cluster's API). Required. */
  api: Pick<aws.apigatewayv2.Api, "id" | "executionArn">;
  /** Route keys, e.g. `["GET /orders/{id}/summary"]`. Required (1+). */
  routes: string[];
  /** How callers authenticate; use the API's own mode so the route is guarded like the others. Required. */
  auth: ApiAuth;
  /** JWT authorizer of the API (required with `auth: "cognito"`). Default: none. */
  authorizerId?: pulumi.Input<string>;
  /** OAuth scopes the JWT must carry. Default: none. */
  authorizationScopes?: string[];
  /** Folder under `functions/`. Required. */
  code: string;
  /** Least-privilege grants of the function. Default: none. */
  statements?: pulumi.Input<Statement>[];
  /** Environment (set through the function's `env.ts` serializer). Default: none. */
  environment?: Record<string, pulumi.Input<string>>;
  /** Seconds. Default: 10. */
  timeout?: number;
  /** MB. Default: 256. */
  memorySize?: number;
  /** Run the function in these private subnets, HTTPS egress only. Default: no VPC. */
  network?: Pick<Network, "privateSubnetIds" | "egressOnlySecurityGroup">;
  /** Log retention, days. Default: 14. */
  logRetentionDays?: number;
  /** KMS key of the log group. Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Topic of the function's errors and throttles alarms. Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Console description. Default: derived from the code folder. */
  description?: string;
  /** Override hooks, one per child. Default: none. */
  transform?: Transforms<{
    securityGroup: aws.ec2.SecurityGroupArgs;
    integration: aws.apigatewayv2.IntegrationArgs;
    route: aws.apigatewayv2.RouteArgs;
    permission: aws.lambda.PermissionArgs;
    function: Nested<BundledFunctionArgs["transform"]>;
  }>;
}

/**
 * A bundled Lambda function serving routes of an HTTP API that something else owns (a Fargate
 * cluster's API, for instance): the integration, one route and one invoke permission per route
 * key, authorised like the API's other routes, the function optionally in private subnets.
 */
export class LambdaRoute extends pulumi.ComponentResource {
  readonly function: BundledFunction;
  readonly integration: aws.apigatewayv2.Integration;
  readonly routes: Record<string, aws.apigatewayv2.Route> = {};
  readonly securityGroup?: aws.ec2.SecurityGroup;

  constructor(name: string, args: LambdaRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:api:LambdaRoute", name, {}, opts);
    new ArgumentErrors("LambdaRoute", name)
      .check(args.routes.length > 0, "routes", "is empty", "list at least one route key")
      .check(
        (API_AUTH_MODES as readonly string[]).includes(args.auth),
        "auth",
        `"${args.auth}" is not one of ${API_AUTH_MODES.join(", ")}`,
        "use the API's auth mode",
      )
      .check(
        args.auth !== "cognito" || args.authorizerId !== undefined,
        "authorizerId",
        'is missing with auth "cognito"',
        "pass the API's JWT authorizer id",
      )
      .throwIfAny();
    const parent = { parent: this };
    const t = args.transform ?? {};
    if (args.network) {
      this.securityGroup = args.network.egressOnlySecurityGroup(
        name,
        `Function ${name}: no ingress, HTTPS egress only`,
        { parent: this, transform: { securityGroup: t.securityGroup } },
      );
    }
    this.function = new BundledFunction(
      name,
      {
        code: args.code,
        description: args.description,
        statements: args.statements,
        environment: args.environment,
        timeout: args.timeout,
        memorySize: args.memorySize,
        vpc:
          args.network && this.securityGroup
            ? {
                subnetIds: args.network.privateSubnetIds,
                securityGroupIds: [this.securityGroup.id],
              }
            : undefined,
        logRetentionDays: args.logRetentionDays,
        logKmsKeyArn: args.logKmsKeyArn,
        alarmTopicArn: args.alarmTopicArn,
        transform: t.function,
      },
      parent,
    );
    this.integration = new aws.apigatewayv2.Integration(
      name,
      applyTransform<aws.apigatewayv2.IntegrationArgs>(
        {
          apiId: args.api.id,
          integrationType: "AWS_PROXY",
          integrationUri: this.function.function.invokeArn,
          integrationMethod: "POST",
          payloadFormatVersion: "2.0",
          timeoutMilliseconds: 30000,
        },
        t.integration,
        name,
      ),
      parent,
    );
    args.routes.forEach((routeKey, i) => {
      const routeName = `${name}-${i}`;
      this.routes[routeKey] = new aws.apigatewayv2.Route(
        routeName,
        applyTransform<aws.apigatewayv2.RouteArgs>(
          {
            apiId: args.api.id,
            routeKey,
            target: pulumi.interpolate`integrations/${this.integration.id}`,
            authorizationType:
              args.auth === "cognito" ? "JWT" : args.auth === "iam" ? "AWS_IAM" : "NONE",
            ...(args.auth === "cognito"
              ? { authorizerId: args.authorizerId, authorizationScopes: args.authorizationScopes }
              : {}),
          },
          t.route,
          routeName,
        ),
        parent,
      );
      new aws.lambda.Permission(
        routeName,
        applyTransform<aws.lambda.PermissionArgs>(
          {
            function: this.function.function.name,
            action: "lambda:InvokeFunction",
            principal: "apigateway.amazonaws.com",
            sourceArn: pulumi.interpolate`${args.api.executionArn}/${routeArnPath(routeKey)}`,
          },
          t.permission,
          routeName,
        ),
        parent,
      );
    });
    this.registerOutputs({ functionName: this.function.name });
  }

  /** Dashboard rows: the function's invocations, errors, duration. */
  widgets(): DashboardRow[] {
    return this.function.widgets();
  }
}
