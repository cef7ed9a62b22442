import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedComponent } from "../core/component";
import { cognitoJwtAuthorizer, jwtAuthFields } from "./cognitoAuth";
import { httpApi, httpApiWidgets, routeAuthorizationType, serverErrorRateAlarm } from "./httpApi";
import type { DashboardRow } from "../observability/flowDashboard";
import { Statement, allow } from "../security/iam";
import { BundledFunction } from "../compute/lambdaFunction";
import { SecureTable, TableRef, tableGrants } from "../data/secureTable";
import { transform } from "../core/transform";
import { operationsOf } from "../core/operations";
import type { ApiBackedLambdaArgs, ApiHandler, HandlerEnvironment } from "./apiBackedLambdaArgs";
import {
  ApiBackedLambdaPlan,
  corsMethodsFor,
  planApiBackedLambda,
  routeArnPath,
} from "./apiBackedLambdaPlan";

// Moved beside the code that uses them; re-exported so importers of this module keep working.
export { ACCESS_LOG_FORMAT, API_AUTH_MODES, httpApiWidgets } from "./httpApi";
export type { ApiAuth, ApiCors } from "./httpApi";
export type { CognitoOptions } from "./cognitoAuth";
export type {
  ApiBackedLambdaArgs,
  ApiHandler,
  ExistingTable,
  TableAccess,
} from "./apiBackedLambdaArgs";
export { planApiBackedLambda, routeArnPath } from "./apiBackedLambdaPlan";

type TableInUse = TableRef & { name: pulumi.Input<string> };

/**
 * An HTTP API (API Gateway v2) whose routes invoke bundled Lambda functions that use a DynamoDB
 * table: JSON access logs, stage throttling, auth (Cognito JWT by default, IAM or none), CORS
 * only for named origins, functions optionally in private subnets, least-privilege table grants
 * per handler, and alarms on the API's 5xx rate and each function's errors and throttles.
 */
export class ApiBackedLambda extends PlannedComponent<ApiBackedLambdaArgs, ApiBackedLambdaPlan> {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** One function per handler, by handler name. */
  readonly functions: Record<string, BundledFunction>;
  /** One proxy integration per handler, by handler name. */
  readonly integrations: Record<string, aws.apigatewayv2.Integration>;
  /** Routes by route key. */
  readonly routes: Record<string, aws.apigatewayv2.Route>;
  /** The table the component created; undefined when given one or none. */
  readonly table?: SecureTable;
  /** Name and ARN of the table in use (created or given). */
  readonly tableName?: pulumi.Output<string>;
  readonly tableArn?: pulumi.Output<string>;
  /** Present when a route uses Cognito. */
  readonly authorizer?: aws.apigatewayv2.Authorizer;
  readonly userPool?: aws.cognito.UserPool;
  readonly userPoolClient?: aws.cognito.UserPoolClient;
  readonly userPoolId?: pulumi.Output<string>;
  /** The JWT audience (app client ids) the authorizer accepts. */
  readonly userPoolClientIds?: pulumi.Output<string[]>;
  /** The functions' security group, when in a VPC. */
  readonly securityGroup?: aws.ec2.SecurityGroup;
  readonly serverErrorAlarm?: aws.cloudwatch.MetricAlarm;
  /** Base URL of the API (`https://<id>.execute-api.<region>.amazonaws.com`). */
  readonly url: pulumi.Output<string>;
  readonly executionArn: pulumi.Output<string>;
  private readonly logicalName: string;

  constructor(name: string, args: ApiBackedLambdaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:api:ApiBackedLambda", name, args, planApiBackedLambda, opts);
    this.logicalName = name;

    // Table: created (secure defaults) or given.
    if (args.table) this.table = this.createTable(args.table);
    const tableRef: TableInUse | undefined = this.table
      ? {
          name: this.table.name,
          arn: this.table.arn,
          streamArn: this.table.streamArn,
          kmsKeyArn: this.table.kmsKeyArn,
        }
      : args.existingTable;
    this.tableName = tableRef ? pulumi.output(tableRef.name) : undefined;
    this.tableArn = tableRef ? pulumi.output(tableRef.arn) : undefined;

    const http = this.createApi();
    this.api = http.api;
    this.accessLogGroup = http.accessLogGroup;
    this.stage = http.stage;
    this.url = this.api.apiEndpoint;
    this.executionArn = this.api.executionArn;

    // Cognito: only when some route uses it.
    // Sets the readonly authorizer, userPool, userPoolClient, userPoolId and userPoolClientIds.
    if (this.plan.usesCognito) Object.assign(this, jwtAuthFields(this.createAuthorizer()));
    if (args.network) {
      this.securityGroup = args.network.egressOnlySecurityGroup(
        `${name}-functions`,
        `Functions of API ${name}: no ingress, HTTPS egress only`,
        {
          parent: this,
          transform: { securityGroup: this.t.securityGroup, rule: this.t.egressRule },
        },
      );
    }

    this.functions = {};
    this.integrations = {};
    this.routes = {};
    for (const [handlerName, h] of this.plan.handlers) {
      const fn = this.createFunction(handlerName, h, tableRef);
      this.functions[handlerName] = fn;
      const integration = this.createIntegration(handlerName, fn);
      this.integrations[handlerName] = integration;
      h.routes.forEach((routeKey, i) => {
        this.routes[routeKey] = this.createRoute(handlerName, h, routeKey, i, integration, fn);
      });
    }
    if (args.alarmTopicArn) this.serverErrorAlarm = this.createAlarm(args.alarmTopicArn);

    this.registerOutputs({
      url: this.url,
      apiId: this.api.id,
      tableName: this.tableName,
      userPoolId: this.userPoolId,
      userPoolClientIds: this.userPoolClientIds,
    });
  }

  private createTable(table: NonNullable<ApiBackedLambdaArgs["table"]>): SecureTable {
    return new SecureTable(
      this.logicalName,
      {
        ...table,
        deletionProtection: table.deletionProtection ?? this.args.deletionProtection ?? true,
        transform: table.transform ? { ...this.t.table, ...table.transform } : this.t.table,
      },
      { parent: this },
    );
  }

  private createApi() {
    const name = this.logicalName;
    const t = this.t;
    return httpApi(
      {
        name,
        description: this.args.description ?? `HTTP API ${name}`,
        cors: this.args.cors,
        corsMethods: corsMethodsFor(this.plan.allRoutes),
        accessLog: {
          resourceName: `${name}-access`,
          path: `${name}/access`,
          retentionDays: this.plan.retention,
          kmsKeyArn: this.args.logKmsKeyArn,
        },
        throttleRateLimit: this.plan.rate,
        throttleBurstLimit: this.plan.burst,
        // Per-route metrics are billed as custom metrics; the API-wide ones drive the alarm.
        detailedMetricsEnabled: false,
        transform: { api: t.api, stage: t.stage, accessLogGroup: t.accessLogGroup },
      },
      this,
    );
  }

  private createAuthorizer() {
    return cognitoJwtAuthorizer(
      this.logicalName,
      {
        apiId: this.api.id,
        cognito: this.args.cognito,
        deletionProtection: this.args.deletionProtection,
        // Picks its userPool, userPoolClient and authorizer hooks.
        transform: this.t,
      },
      this,
    );
  }

  /** A handler's function: table grants and variable per its access, then its own. */
  private createFunction(handlerName: string, h: ApiHandler, table?: TableInUse): BundledFunction {
    const args = this.args;
    const access = this.plan.accessOf(h);
    const envVar = args.tableEnvironmentVariable ?? "TABLE_NAME";
    const statements: pulumi.Input<Statement>[] = [
      ...(table && access !== "none" ? tableGrants(table, access) : []),
      ...(h.statements ?? []),
    ];
    let environment: HandlerEnvironment;
    if (typeof h.environment === "function") {
      if (!table) {
        throw new Error(
          `ApiBackedLambda ${this.logicalName}: handlers.${handlerName}.environment needs the table (fix: give table or existingTable)`,
        );
      }
      environment = h.environment(table);
    } else {
      environment = {
        ...(table && access !== "none" ? { [envVar]: table.name } : {}),
        ...h.environment,
      };
    }
    return new BundledFunction(
      `${this.logicalName}-${handlerName}`,
      {
        code: h.code,
        functionsDir: h.functionsDir,
        description: h.description,
        statements,
        environment: Object.keys(environment).length ? environment : undefined,
        timeout: h.timeout,
        memorySize: h.memorySize,
        reservedConcurrency: h.reservedConcurrency,
        vpc:
          args.network && this.securityGroup
            ? {
                subnetIds: args.network.privateSubnetIds,
                securityGroupIds: [this.securityGroup.id],
                callLedger: args.network.callLedger,
              }
            : undefined,
        ...operationsOf(args),
        logRetentionDays: this.plan.retention,
        transform: this.t.function,
      },
      { parent: this },
    );
  }

  private createIntegration(
    handlerName: string,
    fn: BundledFunction,
  ): aws.apigatewayv2.Integration {
    return new aws.apigatewayv2.Integration(
      ...transform(
        this.t.integration,
        `${this.logicalName}-${handlerName}`,
        {
          apiId: this.api.id,
          integrationType: "AWS_PROXY",
          integrationUri: fn.function.invokeArn,
          integrationMethod: "POST",
          payloadFormatVersion: "2.0",
          timeoutMilliseconds: 30000,
        },
        { parent: this },
      ),
    );
  }

  /** A route and its permission: API Gateway may invoke the function for this route only. */
  private createRoute(
    handlerName: string,
    h: ApiHandler,
    routeKey: string,
    i: number,
    integration: aws.apigatewayv2.Integration,
    fn: BundledFunction,
  ): aws.apigatewayv2.Route {
    const routeName = `${this.logicalName}-${handlerName}-${i}`;
    const routeAuth = this.plan.authOf(h);
    const route = new aws.apigatewayv2.Route(
      ...transform(
        this.t.route,
        routeName,
        {
          apiId: this.api.id,
          routeKey,
          target: pulumi.interpolate`integrations/${integration.id}`,
          authorizationType: routeAuthorizationType(routeAuth),
          ...(routeAuth === "cognito" && this.authorizer
            ? { authorizerId: this.authorizer.id, authorizationScopes: this.args.cognito?.scopes }
            : {}),
        },
        { parent: this },
      ),
    );
    new aws.lambda.Permission(
      ...transform(
        this.t.permission,
        routeName,
        {
          function: fn.function.name,
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${this.api.executionArn}/${routeArnPath(routeKey)}`,
        },
        { parent: this },
      ),
    );
    return route;
  }

  private createAlarm(topicArn: pulumi.Input<string>): aws.cloudwatch.MetricAlarm {
    const name = this.logicalName;
    const errorRate = this.plan.errorRate;
    return serverErrorRateAlarm(
      `${name}-5xx-rate`,
      {
        apiId: this.api.id,
        threshold: errorRate,
        description: `API ${name}: over ${errorRate * 100}% of requests failed with 5xx (see its access log and function logs)`,
      },
      topicArn,
      this,
      this.t.serverErrorAlarm,
    );
  }

  /**
   * Dashboard rows in request order: the API (requests, 4xx/5xx, latency), each handler's
   * function, then the table when the component created it.
   */
  widgets(): DashboardRow[] {
    return [
      { title: `API ${this.logicalName}`, widgets: httpApiWidgets(this.api.id) },
      ...Object.values(this.functions).flatMap((fn) => fn.widgets()),
      ...(this.table ? this.table.widgets() : []),
    ];
  }

  /**
   * IAM statement letting a principal call routes of this API (for `auth: "iam"`).
   * @default every route; pass route keys to narrow it
   */
  invokeStatement(routeKeys?: string[]): Statement {
    const keys = routeKeys ?? Object.keys(this.routes);
    return allow(
      ["execute-api:Invoke"],
      keys.map((k) => pulumi.interpolate`${this.executionArn}/${routeArnPath(k, "$default")}`),
    );
  }
}
