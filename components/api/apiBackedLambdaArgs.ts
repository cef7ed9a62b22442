import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CognitoAuthChildren, CognitoOptions } from "./cognitoAuth";
import type { ApiAuth, ApiCors, HttpApiChildren } from "./httpApi";
import type { Statement } from "../security/iam";
import type { BundledFunctionArgs } from "../compute/lambdaFunction";
import type { Network } from "../network/network";
import type { SecureTableArgs, TableAction, TableRef } from "../data/secureTable";
import type { Nested, Transforms } from "../core/transform";
import type { OperationsContext } from "../core/operations";

/** Environment variables of one handler, by name. */
export type HandlerEnvironment = Record<string, pulumi.Input<string>>;
/** The item actions a handler's code calls on the component's table, or `"none"`. */
export type TableAccess = "none" | readonly TableAction[];

/** One Lambda function and the routes it serves (one route, or a group of related ones). */
export interface ApiHandler {
  /** Folder under `functions/` whose `handler.ts` exports `handler`. Required. */
  code: string;
  /** Route keys this function serves, e.g. `["GET /items", "GET /items/{id}"]`. Required (1+). */
  routes: string[];
  /**
   * The item actions the handler's code calls on the component's table (granted exactly); the
   * table name is passed in `TABLE_NAME` (see `tableEnvironmentVariable`) unless `"none"`.
   * @default "none"
   */
  tableAccess?: TableAccess;
  /**
   * Auth for this handler's routes, overriding the API's `auth`.
   * @default the API's `auth`
   */
  auth?: ApiAuth;
  /**
   * Extra least-privilege grants (explicit actions on explicit ARNs).
   * @default none
   */
  statements?: pulumi.Input<Statement>[];
  /**
   * Environment variables: a map (merged over the table variable), or a function of the table
   * giving them all (the function's env.ts writer; no table variable is added).
   * @default none
   */
  environment?:
    HandlerEnvironment | ((table: { name: pulumi.Input<string> }) => HandlerEnvironment);
  /**
   * Seconds (API Gateway waits at most 30).
   * @default 10 (`LAMBDA_TIMEOUT_SECONDS`)
   */
  timeout?: number;
  /**
   * MB.
   * @default 256 (`LAMBDA_MEMORY_MB`)
   */
  memorySize?: number;
  /**
   * Reserved concurrency (caps what this API can take from the account).
   * @default unreserved
   */
  reservedConcurrency?: number;
  /**
   * Folder holding the function folders.
   * @default the repository's `functions/`
   */
  functionsDir?: string;
  /**
   * Console description.
   * @default derived from the code folder
   */
  description?: string;
}

/**
 * The children of an ApiBackedLambda, by the name of their transform hook: the HTTP API's, the
 * Cognito authorizer's, and the routes' own.
 */
export interface ApiBackedLambdaChildren extends HttpApiChildren, CognitoAuthChildren {
  integration: aws.apigatewayv2.IntegrationArgs;
  route: aws.apigatewayv2.RouteArgs;
  permission: aws.lambda.PermissionArgs;
  serverErrorAlarm: aws.cloudwatch.MetricAlarmArgs;
  securityGroup: aws.ec2.SecurityGroupArgs;
  /** The functions' security group's HTTPS egress rules. */
  egressRule: aws.vpc.SecurityGroupEgressRuleArgs;
  function: Nested<BundledFunctionArgs["transform"]>;
  table: Nested<SecureTableArgs["transform"]>;
}

/** A table the component is given instead of creating one. */
export interface ExistingTable extends TableRef {
  name: pulumi.Input<string>;
}

/**
 * The alarm topic (`OperationsContext`) receives the 5xx-rate alarm and each function's
 * errors/throttles alarms; the log key and retention apply to the access log group and the
 * function log groups.
 */
export interface ApiBackedLambdaArgs extends OperationsContext {
  /** Handlers by name (`[a-z][a-z0-9-]*`, used in resource names). Required (1+). */
  handlers: Record<string, ApiHandler>;
  /**
   * Create a `SecureTable` with these args.
   * @default no table (unless `existingTable`)
   */
  table?: SecureTableArgs;
  /**
   * Use this table instead of creating one.
   * @default none
   */
  existingTable?: ExistingTable;
  /**
   * Env var carrying the table name to handlers with table access.
   * @default `TABLE_NAME`
   */
  tableEnvironmentVariable?: string;
  /**
   * Authentication of every route (handlers may override).
   * @default `"cognito"`
   */
  auth?: ApiAuth;
  /**
   * Cognito details when a route uses `cognito`.
   * @default a new user pool and app client
   */
  cognito?: CognitoOptions;
  /**
   * Refuse deletion of the created table and user pool.
   * @default true (flows pass false in dev)
   */
  deletionProtection?: boolean;
  /**
   * CORS configuration.
   * @default none (browsers on other origins are refused)
   */
  cors?: ApiCors;
  /**
   * Steady-state requests per second, for every route of the stage.
   * @default 50 (`API_THROTTLE_RATE`)
   */
  throttleRateLimit?: number;
  /**
   * Burst bucket size, for every route of the stage.
   * @default 100 (`API_THROTTLE_BURST`)
   */
  throttleBurstLimit?: number;
  /**
   * Run the functions in these private subnets, egress 443 only.
   * @default no VPC
   */
  network?: Pick<Network, "privateSubnetIds" | "egressOnlySecurityGroup"> &
    Partial<Pick<Network, "callLedger">>;
  /**
   * Share of 5xx responses in a minute that raises the alarm (0-1).
   * @default 0.05
   */
  serverErrorRateThreshold?: number;
  /**
   * API description.
   * @default derived from the name
   */
  description?: string;
  /**
   * Override hooks, one per child kind.
   * @default none
   */
  transform?: Transforms<ApiBackedLambdaChildren>;
}
