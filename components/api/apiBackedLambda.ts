import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cognitoJwtAuthorizer, CognitoOptions } from "./cognitoAuth";
import {
  API_5XX_RATE_THRESHOLD,
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import { ACCESS_LOG_FORMAT, ApiCors, httpApi, serverErrorRateAlarm } from "./httpApi";
import { DashboardRow, MetricWidget, metric } from "../observability/flowDashboard";
import { Statement, allow } from "../security/iam";
import { BundledFunction, BundledFunctionArgs } from "../compute/lambdaFunction";
import type { Network } from "../network/network";
import {
  SecureTable,
  SecureTableArgs,
  TableAction,
  TableRef,
  tableGrants,
} from "../data/secureTable";
import { Transform, applyTransform } from "../core/transform";
import { operationsOf } from "../core/operations";
import { ArgumentErrors } from "../core/validate";

/** Re-exported: the format predates `httpApi.ts`. */
// Moved beside the code that uses them; re-exported so importers of this module keep working.
export { ACCESS_LOG_FORMAT };
export type { ApiCors, CognitoOptions };

/** How callers authenticate: no auth, SigV4 (IAM) or a Cognito user pool's JWTs. */
export const API_AUTH_MODES = ["none", "iam", "cognito"] as const;
export type ApiAuth = (typeof API_AUTH_MODES)[number];

/**
 * What a handler may do with the table: `read` (get/query/scan, on the table and its indexes),
 * `write` (read plus put/update/delete) or `none`.
 */
/** The item actions a handler's code calls on the component's table, or `"none"`. */
export type TableAccess = "none" | readonly TableAction[];

const METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
/** `METHOD /path` with `{param}` / `{proxy+}` segments, or API Gateway's catch-all `$default`. */
const ROUTE_KEY = new RegExp(
  `^(${METHODS.join("|")}) (/|(/([A-Za-z0-9._~-]+|\\{[A-Za-z0-9_]+\\+?\\}))+)$`,
);
const HANDLER_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

type HandlerEnvironment = Record<string, pulumi.Input<string>>;

/** One Lambda function and the routes it serves (one route, or a group of related ones). */
export interface ApiHandler {
  /** Folder under `functions/` whose `handler.ts` exports `handler`. Required. */
  code: string;
  /** Route keys this function serves, e.g. `["GET /items", "GET /items/{id}"]`. Required (1+). */
  routes: string[];
  /**
   * The item actions the handler's code calls on the component's table (granted exactly); the
   * table name is passed in `TABLE_NAME` (see `tableEnvironmentVariable`) unless `"none"`.
   * Default: `"none"`.
   */
  tableAccess?: TableAccess;
  /** Auth for this handler's routes, overriding the API's `auth`. Default: the API's `auth`. */
  auth?: ApiAuth;
  /** Extra least-privilege grants (explicit actions on explicit ARNs). Default: none. */
  statements?: pulumi.Input<Statement>[];
  /**
   * Environment variables: a map (merged over the table variable), or a function of the table
   * giving them all (the function's env.ts writer; no table variable is added). Default: none.
   */
  environment?:
    HandlerEnvironment | ((table: { name: pulumi.Input<string> }) => HandlerEnvironment);
  /** Seconds (API Gateway waits at most 30). Default: 10 (`LAMBDA_TIMEOUT_SECONDS`). */
  timeout?: number;
  /** MB. Default: 256 (`LAMBDA_MEMORY_MB`). */
  memorySize?: number;
  /** Reserved concurrency (caps what this API can take from the account). Default: unreserved. */
  reservedConcurrency?: number;
  /** Folder holding the function folders. Default: the repository's `functions/`. */
  functionsDir?: string;
  /** Console description. Default: derived from the code folder. */
  description?: string;
}

/** A table the component is given instead of creating one. */
export interface ExistingTable extends TableRef {
  name: pulumi.Input<string>;
}

export interface ApiBackedLambdaArgs {
  /** Handlers by name (`[a-z][a-z0-9-]*`, used in resource names). Required (1+). */
  handlers: Record<string, ApiHandler>;
  /** Create a `SecureTable` with these args. Default: no table (unless `existingTable`). */
  table?: SecureTableArgs;
  /** Use this table instead of creating one. Default: none. */
  existingTable?: ExistingTable;
  /** Env var carrying the table name to handlers with table access. Default: `TABLE_NAME`. */
  tableEnvironmentVariable?: string;
  /** Authentication of every route (handlers may override). Default: `"cognito"`. */
  auth?: ApiAuth;
  /** Cognito details when a route uses `cognito`. Default: a new user pool and app client. */
  cognito?: CognitoOptions;
  /** Refuse deletion of the created table and user pool. Default: true (flows pass false in dev). */
  deletionProtection?: boolean;
  /** CORS configuration. Default: none (browsers on other origins are refused). */
  cors?: ApiCors;
  /** Steady-state requests per second, for every route of the stage. Default: 50 (`API_THROTTLE_RATE`). */
  throttleRateLimit?: number;
  /** Burst bucket size, for every route of the stage. Default: 100 (`API_THROTTLE_BURST`). */
  throttleBurstLimit?: number;
  /** Run the functions in these private subnets, egress 443 only. Default: no VPC. */
  network?: Pick<Network, "privateSubnetIds" | "egressOnlySecurityGroup"> &
    Partial<Pick<Network, "callLedger">>;
  /** Retention of the access log group and function log groups. Default: 14 (`LOG_RETENTION_DAYS`). */
  logRetentionDays?: number;
  /** KMS key for every log group. Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Topic for the 5xx-rate alarm and each function's errors/throttles alarms. Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Share of 5xx responses in a minute that raises the alarm (0-1). Default: 0.05. */
  serverErrorRateThreshold?: number;
  /** API description. Default: derived from the name. */
  description?: string;
  /** Override hooks, one per child kind. Default: none. */
  transform?: {
    api?: Transform<aws.apigatewayv2.ApiArgs>;
    stage?: Transform<aws.apigatewayv2.StageArgs>;
    accessLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    integration?: Transform<aws.apigatewayv2.IntegrationArgs>;
    route?: Transform<aws.apigatewayv2.RouteArgs>;
    permission?: Transform<aws.lambda.PermissionArgs>;
    authorizer?: Transform<aws.apigatewayv2.AuthorizerArgs>;
    userPool?: Transform<aws.cognito.UserPoolArgs>;
    userPoolClient?: Transform<aws.cognito.UserPoolClientArgs>;
    serverErrorAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    function?: BundledFunctionArgs["transform"];
    table?: SecureTableArgs["transform"];
  };
}

/** The execute-api ARN path (`<stage>/<METHOD>/<path>`) a route key maps to, params as `*`. */
export function routeArnPath(routeKey: string, stage = "*"): string {
  if (routeKey === "$default") return `${stage}/$default`;
  const [method, path] = routeKey.split(" ");
  const arnPath = path.replace(/\{[^}]+\}/g, "*");
  return `${stage}/${method === "ANY" ? "*" : method}${arnPath}`;
}

/**
 * An HTTP API (API Gateway v2) whose routes invoke bundled Lambda functions that use a DynamoDB
 * table: JSON access logs, stage throttling, auth (Cognito JWT by default, IAM or none), CORS
 * only for named origins, functions optionally in private subnets, least-privilege table grants
 * per handler, and alarms on the API's 5xx rate and each function's errors and throttles.
 */
export class ApiBackedLambda extends pulumi.ComponentResource {
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
    super("serverless:api:ApiBackedLambda", name, {}, opts);
    const handlers = Object.entries(args.handlers ?? {});
    const auth = args.auth ?? "cognito";
    const hasTable = args.table !== undefined || args.existingTable !== undefined;
    const retention = args.logRetentionDays ?? LOG_RETENTION_DAYS;
    const rate = args.throttleRateLimit ?? API_THROTTLE_RATE;
    const burst = args.throttleBurstLimit ?? API_THROTTLE_BURST;
    const errorRate = args.serverErrorRateThreshold ?? API_5XX_RATE_THRESHOLD;
    const allRoutes = handlers.flatMap(([, h]) => h.routes ?? []);
    const badRoutes = allRoutes.filter((r) => r !== "$default" && !ROUTE_KEY.test(r));
    const duplicateRoutes = [...new Set(allRoutes.filter((r, i) => allRoutes.indexOf(r) !== i))];
    const authOf = (h: ApiHandler) => h.auth ?? auth;
    const accessOf = (h: ApiHandler): TableAccess => h.tableAccess ?? "none";
    const origins = args.cors?.origins ?? [];

    const errors = new ArgumentErrors("ApiBackedLambda", name);
    errors
      .check(handlers.length > 0, "handlers", "no handler given", "add at least one handler")
      .check(
        handlers.every(([n]) => HANDLER_NAME.test(n)),
        "handlers",
        `names ${handlers
          .map(([n]) => n)
          .filter((n) => !HANDLER_NAME.test(n))
          .map((n) => `"${n}"`)
          .join(", ")} are not lowercase words with dashes (max 40)`,
        'name handlers like "items" or "presign-upload"',
      )
      .check(
        handlers.every(([, h]) => (h.routes ?? []).length > 0),
        "handlers.routes",
        `handler(s) ${handlers
          .filter(([, h]) => (h.routes ?? []).length === 0)
          .map(([n]) => n)
          .join(", ")} serve no route`,
        'list route keys such as "GET /items"',
      )
      .check(
        badRoutes.length === 0,
        "handlers.routes",
        `${badRoutes.map((r) => `"${r}"`).join(", ")} not route keys`,
        `write "METHOD /path" with METHOD in ${METHODS.join(", ")} and {param} segments, or "$default"`,
      )
      .check(
        duplicateRoutes.length === 0,
        "handlers.routes",
        `${duplicateRoutes.join(", ")} served by more than one handler`,
        "give each route key to one handler",
      )
      .check(
        !(args.table && args.existingTable),
        "table/existingTable",
        "both given",
        "pass table to create one, or existingTable to use one, not both",
      )
      .check(
        hasTable || handlers.every(([, h]) => accessOf(h) === "none"),
        "handlers.tableAccess",
        "table access requested but there is no table",
        "pass table or existingTable, or set tableAccess: none",
      )
      .check(
        [auth, ...handlers.map(([, h]) => authOf(h))].every((a) =>
          (API_AUTH_MODES as readonly string[]).includes(a),
        ),
        "auth",
        `unknown mode among ${[auth, ...handlers.map(([, h]) => h.auth)].filter(Boolean).join(", ")}`,
        `use one of ${API_AUTH_MODES.join(", ")}`,
      )
      .check(
        args.cognito === undefined || handlers.some(([, h]) => authOf(h) === "cognito"),
        "cognito",
        "given but no route uses cognito auth",
        'drop cognito or set auth: "cognito"',
      )
      .check(
        args.cognito?.clientIds === undefined || args.cognito.clientIds.length > 0,
        "cognito.clientIds",
        "is empty, so no token could ever be accepted",
        "list at least one app client id, or omit it to create one",
      )
      .check(
        rate > 0 && Number.isFinite(rate),
        "throttleRateLimit",
        `${rate} is not a positive rate`,
        "use requests per second above 0",
      )
      .check(
        Number.isInteger(burst) && burst >= 1,
        "throttleBurstLimit",
        `${burst} is not a positive integer`,
        "use 1 or more",
      )
      .checkLogRetention(retention)
      .check(
        errorRate > 0 && errorRate < 1,
        "serverErrorRateThreshold",
        `${errorRate} is not a share between 0 and 1`,
        "use e.g. 0.05 for 5%",
      )
      .check(
        handlers.every(([, h]) => h.timeout === undefined || h.timeout <= 30),
        "handlers.timeout",
        "above 30 s, API Gateway's integration timeout, so callers get 503 while the function runs on",
        "use at most 30 s, or move slow work to a queue",
      );
    if (args.cors) {
      errors
        .check(
          origins.length > 0,
          "cors.origins",
          "is empty",
          "list the origins allowed, or omit cors",
        )
        .check(
          origins.every((o) => ORIGIN.test(o)),
          "cors.origins",
          `${origins
            .filter((o) => !ORIGIN.test(o))
            .map((o) => `"${o}"`)
            .join(", ")} not exact origins (a wildcard lets every site call the API)`,
          'list origins like "https://app.example.com"',
        );
    }
    errors.throwIfAny();

    const t = args.transform ?? {};
    const parent = { parent: this };
    this.logicalName = name;

    // Table: created (secure defaults) or given.
    let tableRef: (TableRef & { name: pulumi.Input<string> }) | undefined;
    if (args.table) {
      this.table = new SecureTable(
        name,
        {
          ...args.table,
          deletionProtection: args.table.deletionProtection ?? args.deletionProtection ?? true,
          transform: { ...t.table, ...args.table.transform },
        },
        parent,
      );
      tableRef = {
        name: this.table.name,
        arn: this.table.arn,
        streamArn: this.table.streamArn,
        kmsKeyArn: this.table.kmsKeyArn,
      };
    } else if (args.existingTable) {
      tableRef = args.existingTable;
    }
    this.tableName = tableRef ? pulumi.output(tableRef.name) : undefined;
    this.tableArn = tableRef ? pulumi.output(tableRef.arn) : undefined;

    const http = httpApi(
      {
        name,
        description: args.description ?? `HTTP API ${name}`,
        cors: args.cors,
        corsMethods: [
          ...new Set(
            allRoutes
              .filter((r) => r !== "$default")
              .map((r) => r.split(" ")[0])
              .flatMap((m) => (m === "ANY" ? ["GET", "POST", "PUT", "PATCH", "DELETE"] : [m])),
          ),
        ].sort(),
        accessLog: {
          resourceName: `${name}-access`,
          logGroupName: `/aws/apigateway/${pulumi.getProject()}-${pulumi.getStack()}/${name}/access`,
          retentionDays: retention,
          kmsKeyArn: args.logKmsKeyArn,
        },
        throttleRateLimit: rate,
        throttleBurstLimit: burst,
        // Per-route metrics are billed as custom metrics; the API-wide ones drive the alarm.
        detailedMetricsEnabled: false,
        transform: { api: t.api, stage: t.stage, accessLogGroup: t.accessLogGroup },
      },
      this,
    );
    this.api = http.api;
    this.accessLogGroup = http.accessLogGroup;
    this.stage = http.stage;
    this.url = this.api.apiEndpoint;
    this.executionArn = this.api.executionArn;

    // Cognito: only when some route uses it.
    if (handlers.some(([, h]) => authOf(h) === "cognito")) {
      const jwt = cognitoJwtAuthorizer(
        name,
        {
          apiId: this.api.id,
          cognito: args.cognito,
          deletionProtection: args.deletionProtection,
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
    }

    if (args.network) {
      this.securityGroup = args.network.egressOnlySecurityGroup(
        `${name}-functions`,
        `Functions of API ${name}: no ingress, HTTPS egress only`,
        { parent: this, transform: { securityGroup: t.securityGroup } },
      );
    }

    this.functions = {};
    this.integrations = {};
    this.routes = {};
    const envVar = args.tableEnvironmentVariable ?? "TABLE_NAME";
    for (const [handlerName, h] of handlers) {
      const fnName = `${name}-${handlerName}`;
      const access = accessOf(h);
      const statements: pulumi.Input<Statement>[] = [
        ...(tableRef && access !== "none" ? tableGrants(tableRef, access) : []),
        ...(h.statements ?? []),
      ];
      let environment: HandlerEnvironment;
      if (typeof h.environment === "function") {
        if (!tableRef) {
          throw new Error(
            `ApiBackedLambda ${name}: handlers.${handlerName}.environment needs the table (fix: give table or existingTable)`,
          );
        }
        environment = h.environment(tableRef);
      } else {
        environment = {
          ...(tableRef && access !== "none" ? { [envVar]: tableRef.name } : {}),
          ...h.environment,
        };
      }
      const fn = new BundledFunction(
        fnName,
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
          logRetentionDays: retention,
          transform: t.function,
        },
        parent,
      );
      this.functions[handlerName] = fn;

      const integration = new aws.apigatewayv2.Integration(
        fnName,
        applyTransform<aws.apigatewayv2.IntegrationArgs>(
          {
            apiId: this.api.id,
            integrationType: "AWS_PROXY",
            integrationUri: fn.function.invokeArn,
            integrationMethod: "POST",
            payloadFormatVersion: "2.0",
            timeoutMilliseconds: 30000,
          },
          t.integration,
          fnName,
        ),
        parent,
      );
      this.integrations[handlerName] = integration;

      const routeAuth = authOf(h);
      h.routes.forEach((routeKey, i) => {
        const routeName = `${fnName}-${i}`;
        this.routes[routeKey] = new aws.apigatewayv2.Route(
          routeName,
          applyTransform<aws.apigatewayv2.RouteArgs>(
            {
              apiId: this.api.id,
              routeKey,
              target: pulumi.interpolate`integrations/${integration.id}`,
              authorizationType:
                routeAuth === "cognito" ? "JWT" : routeAuth === "iam" ? "AWS_IAM" : "NONE",
              ...(routeAuth === "cognito" && this.authorizer
                ? {
                    authorizerId: this.authorizer.id,
                    authorizationScopes: args.cognito?.scopes,
                  }
                : {}),
            },
            t.route,
            routeName,
          ),
          parent,
        );
        // One permission per route: API Gateway may invoke the function for this route only.
        new aws.lambda.Permission(
          routeName,
          applyTransform<aws.lambda.PermissionArgs>(
            {
              function: fn.function.name,
              action: "lambda:InvokeFunction",
              principal: "apigateway.amazonaws.com",
              sourceArn: pulumi.interpolate`${this.api.executionArn}/${routeArnPath(routeKey)}`,
            },
            t.permission,
            routeName,
          ),
          parent,
        );
      });
    }

    if (args.alarmTopicArn) {
      this.serverErrorAlarm = serverErrorRateAlarm(
        `${name}-5xx-rate`,
        {
          apiId: this.api.id,
          threshold: errorRate,
          description: `API ${name}: over ${errorRate * 100}% of requests failed with 5xx (see its access log and function logs)`,
        },
        args.alarmTopicArn,
        this,
        t.serverErrorAlarm,
      );
    }

    this.registerOutputs({
      url: this.url,
      apiId: this.api.id,
      tableName: this.tableName,
      userPoolId: this.userPoolId,
      userPoolClientIds: this.userPoolClientIds,
    });
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
   * IAM statement letting a principal call routes of this API (for `auth: "iam"`). Default: every
   * route; pass route keys to narrow it.
   */
  invokeStatement(routeKeys?: string[]): Statement {
    const keys = routeKeys ?? Object.keys(this.routes);
    return allow(
      ["execute-api:Invoke"],
      keys.map((k) => pulumi.interpolate`${this.executionArn}/${routeArnPath(k, "$default")}`),
    );
  }
}

/**
 * Widgets of an HTTP API's `$default` stage: requests, 4xx/5xx (with the 5xx rate), and latency
 * (end to end and of the integration).
 */
export function httpApiWidgets(apiId: pulumi.Input<string>): MetricWidget[] {
  const m = (metricName: string, stat?: string, label?: string) =>
    metric("AWS/ApiGateway", metricName, { ApiId: apiId, Stage: "$default" }, { stat, label });
  return [
    { title: "Requests", lines: [m("Count", undefined, "requests")] },
    {
      title: "Errors",
      lines: [
        m("4xx", undefined, "4xx"),
        m("5xx", undefined, "5xx"),
        // Each request counts 0 or 1, so the average is the rate (what the 5xx alarm watches).
        { ...m("5xx", "Average", "5xx rate"), rightAxis: true },
      ],
    },
    {
      title: "Latency (ms)",
      unit: "ms",
      lines: [
        m("Latency", "p50", "p50"),
        m("Latency", "p99", "p99"),
        m("IntegrationLatency", "p99", "integration p99"),
      ],
    },
  ];
}
