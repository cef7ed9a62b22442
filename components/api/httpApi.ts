import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import { MetricWidget, metric } from "../observability/flowDashboard";
import { percentilesWidget } from "../observability/widgets";
import { Transform, transform, Transforms } from "../core/transform";

/** How callers authenticate: no auth, SigV4 (IAM) or a Cognito user pool's JWTs. */
export const API_AUTH_MODES = ["none", "iam", "cognito"] as const;
export type ApiAuth = (typeof API_AUTH_MODES)[number];

/** A route's `authorizationType` for an auth mode. */
export function routeAuthorizationType(auth: ApiAuth): "JWT" | "AWS_IAM" | "NONE" {
  return auth === "cognito" ? "JWT" : auth === "iam" ? "AWS_IAM" : "NONE";
}

/** The children `httpApi()` creates, by the name of their transform hook. */
export interface HttpApiChildren {
  api: aws.apigatewayv2.ApiArgs;
  stage: aws.apigatewayv2.StageArgs;
  accessLogGroup: aws.cloudwatch.LogGroupArgs;
}

/** CORS for browsers calling the API from known origins. */
export interface ApiCors {
  /** Exact origins (`https://app.example.com`); `*` is refused. Required (1+). */
  origins: string[];
  /**
   * Request headers browsers may send.
   * @default authorization, content-type, if-match, idempotency-key
   */
  allowHeaders?: string[];
  /**
   * Response headers scripts may read.
   * @default etag, location, idempotent-replayed
   */
  exposeHeaders?: string[];
  /**
   * Seconds a preflight answer is cached.
   * @default 3600
   */
  maxAgeSeconds?: number;
}

/** Access log line: one JSON object per request, fields named as in API Gateway's `$context`. */
export const ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
  errorMessage: "$context.error.message",
  userAgent: "$context.identity.userAgent",
} as const;

/** What `httpApi` builds: the API, its `$default` stage and the stage's access log group. */
export interface HttpApiParts {
  api: aws.apigatewayv2.Api;
  stage: aws.apigatewayv2.Stage;
  accessLogGroup: aws.cloudwatch.LogGroup;
}

export interface HttpApiSpec {
  /** Logical name of the API and of its stage. Required. */
  name: string;
  /** API description. Required. */
  description: pulumi.Input<string>;
  /**
   * CORS (exact origins).
   * @default no CORS
   */
  cors?: ApiCors;
  /** CORS `allowMethods`: the methods the routes serve. Required (used only with `cors`). */
  corsMethods: string[];
  /**
   * The access log group: its resource name, its CloudWatch name below
   * `/aws/apigateway/<project>-<stack>/`, retention, key (default: CloudWatch Logs' own encryption).
   * Required.
   */
  accessLog: {
    resourceName: string;
    path: string;
    retentionDays: number;
    kmsKeyArn?: pulumi.Input<string>;
  };
  /** Stage-wide throttling (requests per second, burst). Required. */
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /** Per-route metrics (billed as custom metrics). Required. */
  detailedMetricsEnabled: boolean;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<HttpApiChildren>;
}

/**
 * An HTTP API with its `$default` stage (no path prefix, auto-deployed, throttled) logging every
 * request as `ACCESS_LOG_FORMAT` JSON to an access log group. Children are parented to `parent`.
 */
export function httpApi(spec: HttpApiSpec, parent: pulumi.Resource): HttpApiParts {
  const t = spec.transform ?? {};
  const opts = { parent };
  const api = new aws.apigatewayv2.Api(
    ...transform(
      t.api,
      spec.name,
      {
        protocolType: "HTTP",
        description: spec.description,
        corsConfiguration: spec.cors
          ? {
              allowOrigins: spec.cors.origins,
              allowMethods: spec.corsMethods,
              allowHeaders: spec.cors.allowHeaders ?? [
                "authorization",
                "content-type",
                "if-match",
                "idempotency-key",
              ],
              exposeHeaders: spec.cors.exposeHeaders ?? ["etag", "location", "idempotent-replayed"],
              maxAge: spec.cors.maxAgeSeconds ?? 3600,
              allowCredentials: false,
            }
          : undefined,
      },
      opts,
    ),
  );
  const logName = spec.accessLog.resourceName;
  const accessLogGroup = new aws.cloudwatch.LogGroup(
    ...transform(
      t.accessLogGroup,
      logName,
      {
        name: `/aws/apigateway/${pulumi.getProject()}-${pulumi.getStack()}/${spec.accessLog.path}`,
        retentionInDays: spec.accessLog.retentionDays,
        kmsKeyId: spec.accessLog.kmsKeyArn,
      },
      opts,
    ),
  );
  const stage = new aws.apigatewayv2.Stage(
    ...transform(
      t.stage,
      spec.name,
      {
        apiId: api.id,
        // $default: no stage prefix in paths, deployed on every change.
        name: "$default",
        autoDeploy: true,
        accessLogSettings: {
          destinationArn: accessLogGroup.arn,
          format: JSON.stringify(ACCESS_LOG_FORMAT),
        },
        defaultRouteSettings: {
          throttlingRateLimit: spec.throttleRateLimit,
          throttlingBurstLimit: spec.throttleBurstLimit,
          detailedMetricsEnabled: spec.detailedMetricsEnabled,
        },
      },
      opts,
    ),
  );
  return { api, stage, accessLogGroup };
}

/**
 * Alarm on the share of an HTTP API's `$default`-stage requests answered 5xx in a minute, over
 * 3 of the alarm periods.
 */
export function serverErrorRateAlarm(
  name: string,
  args: { apiId: pulumi.Input<string>; threshold: number; description: string },
  topicArn: pulumi.Input<string>,
  parent: pulumi.Resource,
  transform?: Transform<aws.cloudwatch.MetricAlarmArgs>,
): aws.cloudwatch.MetricAlarm {
  return metricAlarm(
    name,
    {
      description: args.description,
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      dimensions: { ApiId: args.apiId, Stage: "$default" },
      // Each request counts 0 or 1, so the average is the 5xx rate.
      statistic: "Average",
      threshold: args.threshold,
      comparisonOperator: "GreaterThanThreshold",
      datapointsToAlarm: 3,
    },
    topicArn,
    parent,
    transform,
  );
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
    percentilesWidget("Latency (ms)", (stat, label) => m("Latency", stat, label), [
      m("IntegrationLatency", "p99", "integration p99"),
    ]),
  ];
}
