import * as aws from "@pulumi/aws";
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { ofType, prop, str } from "./graph";
import {
  ENVIRONMENT_CONFIG_SCHEMA,
  type EnvironmentConfig,
  RELAXED_ENVIRONMENT,
  type Rule,
  UNKNOWN,
  environmentOf,
  isGiven,
  known,
} from "./util";

/** Checks a stage's accessLogSettings (same shape for HTTP/WebSocket and REST stages). */
function checkAccessLogs(
  settings: { destinationArn?: unknown; format?: unknown } | undefined,
  report: ReportViolation,
): void {
  if (isGiven(() => settings?.destinationArn) && isGiven(() => settings?.format)) return;
  report(
    "Set accessLogSettings { destinationArn: <log group ARN>, format: <JSON with $context.requestId, status, ...> }; " +
      "without access logs nobody can tell who called what.",
  );
}

/** Access logs on every API stage: who called what, with which result, for audits and debugging. */
export const apiAccessLogs: Rule = {
  name: "api-access-logs",
  description:
    "Every API Gateway stage (HTTP/WebSocket and REST) writes access logs (accessLogSettings destinationArn and format).",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.apigatewayv2.Stage, (stage, _args, report) =>
      checkAccessLogs(stage.accessLogSettings, report),
    ),
    validateResourceOfType(aws.apigateway.Stage, (stage, _args, report) =>
      checkAccessLogs(stage.accessLogSettings, report),
    ),
  ],
};

const positive = (v: unknown) => typeof v === "number" && v > 0;

/** Does a REST stage have stage-wide throttling (method settings on `*\/*`, or a usage plan)? */
function restStageThrottled(
  stage: PolicyResource,
  resources: readonly PolicyResource[],
): boolean | undefined {
  const [api, name] = [str(stage, "restApi"), str(stage, "stageName")];
  if (api === UNKNOWN || name === UNKNOWN) return undefined;
  let undecided = false;
  for (const ms of ofType(resources, aws.apigateway.MethodSettings)) {
    const [msApi, msStage, path, settings] = [
      str(ms, "restApi"),
      str(ms, "stageName"),
      str(ms, "methodPath"),
      prop(ms, "settings"),
    ];
    if ([msApi, msStage, path, settings].includes(UNKNOWN)) {
      undecided = true;
      continue;
    }
    if (msApi !== api || msStage !== name || path !== "*/*") continue;
    const s = (settings ?? {}) as { throttlingRateLimit?: unknown; throttlingBurstLimit?: unknown };
    if (positive(s.throttlingRateLimit) && positive(s.throttlingBurstLimit)) return true;
  }
  for (const plan of ofType(resources, aws.apigateway.UsagePlan)) {
    const [stages, throttle] = [prop(plan, "apiStages"), prop(plan, "throttleSettings")];
    if (stages === UNKNOWN || throttle === UNKNOWN) {
      undecided = true;
      continue;
    }
    const covers = ((stages ?? []) as { apiId?: unknown; stage?: unknown }[]).some(
      (s) => s.apiId === api && s.stage === name,
    );
    const t = (throttle ?? {}) as { rateLimit?: unknown; burstLimit?: unknown };
    if (covers && positive(t.rateLimit) && positive(t.burstLimit)) return true;
  }
  return undecided ? undefined : false;
}

/**
 * Stage throttling caps what one API can take from the account-wide quota (10,000 rps shared by
 * every API of the region) and bounds the bill and the backend load of a flood.
 */
export const apiThrottling: Rule = {
  name: "api-throttling",
  description:
    "Every API Gateway stage is throttled: HTTP/WebSocket stages by defaultRouteSettings rate and burst limits, REST stages by `*/*` method settings or a usage plan.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const stage of ofType(args.resources, aws.apigatewayv2.Stage)) {
      const settings = prop(stage, "defaultRouteSettings");
      if (settings === UNKNOWN) continue;
      const s = (settings ?? {}) as {
        throttlingRateLimit?: unknown;
        throttlingBurstLimit?: unknown;
      };
      if (positive(s.throttlingRateLimit) && positive(s.throttlingBurstLimit)) continue;
      report(
        `Stage ${stage.name} has no throttling; set defaultRouteSettings { throttlingRateLimit, throttlingBurstLimit } ` +
          "(API_THROTTLE_RATE and API_THROTTLE_BURST in components/core/defaults.ts).",
        stage.urn,
      );
    }
    for (const stage of ofType(args.resources, aws.apigateway.Stage)) {
      if (restStageThrottled(stage, args.resources) !== false) continue;
      report(
        `REST stage ${stage.name} has no throttling; add an aws.apigateway.MethodSettings for this stage with ` +
          'methodPath "*/*" and settings { throttlingRateLimit, throttlingBurstLimit }, or a usage plan with throttleSettings.',
        stage.urn,
      );
    }
  },
};

/** CORS preflights carry no credentials, and WebSocket APIs authorise on $connect only. */
function exemptRoute(routeKey: unknown): boolean {
  return typeof routeKey === "string" && (/^OPTIONS /.test(routeKey) || routeKey === "$disconnect");
}

/**
 * Outside dev every route authenticates its caller (JWT/Cognito, IAM, or a Lambda authorizer). An
 * API key alone is not authentication: keys identify clients for usage plans.
 */
export const apiAuthOutsideDev: Rule = {
  name: "api-auth-outside-dev",
  description: `Outside the ${RELAXED_ENVIRONMENT} environment every API Gateway route and REST method (but CORS preflights) requires an authorizer (config: environment, default the stack name).`,
  enforcementLevel: "mandatory",
  configSchema: ENVIRONMENT_CONFIG_SCHEMA,
  validateResource: [
    validateResourceOfType(aws.apigatewayv2.Route, (route, args, report) => {
      const environment = environmentOf(
        args.getConfig<EnvironmentConfig>(),
        args.urn,
        args.stackTags,
      );
      if (environment === RELAXED_ENVIRONMENT) return;
      const key = known(() => route.routeKey as unknown);
      if (key === UNKNOWN || exemptRoute(key)) return;
      const type = known(() => route.authorizationType as unknown);
      if (type === UNKNOWN || (typeof type === "string" && type !== "NONE")) return;
      report(
        `Route ${JSON.stringify(key)} is open (authorizationType NONE) in environment ${JSON.stringify(environment ?? "unknown")}; ` +
          "set authorizationType JWT (Cognito), AWS_IAM or CUSTOM with an authorizerId.",
      );
    }),
    validateResourceOfType(aws.apigateway.Method, (method, args, report) => {
      const environment = environmentOf(
        args.getConfig<EnvironmentConfig>(),
        args.urn,
        args.stackTags,
      );
      if (environment === RELAXED_ENVIRONMENT) return;
      const verb = known(() => method.httpMethod as unknown);
      if (verb === UNKNOWN || verb === "OPTIONS") return;
      const type = known(() => method.authorization as unknown);
      if (type === UNKNOWN || (typeof type === "string" && type !== "NONE")) return;
      report(
        `Method ${String(verb)} is open (authorization NONE) in environment ${JSON.stringify(environment ?? "unknown")}; ` +
          "an API key is not authentication. Set authorization AWS_IAM, COGNITO_USER_POOLS or CUSTOM.",
      );
    }),
  ],
};

export const API_RULES: Rule[] = [apiAccessLogs, apiThrottling, apiAuthOutsideDev];
