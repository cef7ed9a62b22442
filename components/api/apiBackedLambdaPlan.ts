import { API_AUTH_MODES } from "./httpApi";
import {
  API_5XX_RATE_THRESHOLD,
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import { ArgumentErrors } from "../core/validate";
import type { ApiAuth } from "./httpApi";
import type { ApiBackedLambdaArgs, ApiHandler, TableAccess } from "./apiBackedLambdaArgs";

const METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
/** `METHOD /path` with `{param}` / `{proxy+}` segments, or API Gateway's catch-all `$default`. */
const ROUTE_KEY = new RegExp(
  `^(${METHODS.join("|")}) (/|(/([A-Za-z0-9._~-]+|\\{[A-Za-z0-9_]+\\+?\\}))+)$`,
);
const HANDLER_NAME = /^[a-z][a-z0-9-]{0,39}$/;
export const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/** The execute-api ARN path (`<stage>/<METHOD>/<path>`) a route key maps to, params as `*`. */
export function routeArnPath(routeKey: string, stage = "*"): string {
  if (routeKey === "$default") return `${stage}/$default`;
  const [method, path] = routeKey.split(" ");
  const arnPath = path.replace(/\{[^}]+\}/g, "*");
  return `${stage}/${method === "ANY" ? "*" : method}${arnPath}`;
}

/** An ApiBackedLambda's args with every default resolved. */
export interface ApiBackedLambdaPlan {
  handlers: [string, ApiHandler][];
  auth: ApiAuth;
  retention: number;
  rate: number;
  burst: number;
  errorRate: number;
  /** Every route key of every handler. */
  allRoutes: string[];
  /** A handler's auth mode and table access, defaults applied. */
  authOf: (h: ApiHandler) => ApiAuth;
  accessOf: (h: ApiHandler) => TableAccess;
  /** Some route uses Cognito: the authorizer (and maybe a user pool) is needed. */
  usesCognito: boolean;
}

/** Resolves an ApiBackedLambda's defaults; throws one Error listing every problem. */
export function planApiBackedLambda(name: string, args: ApiBackedLambdaArgs): ApiBackedLambdaPlan {
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
    .checkPositiveInteger(burst, "throttleBurstLimit")
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
  return {
    handlers,
    auth,
    retention,
    rate,
    burst,
    errorRate,
    allRoutes,
    authOf,
    accessOf,
    usesCognito: handlers.some(([, h]) => authOf(h) === "cognito"),
  };
}

/** CORS `allowMethods` for the routes: their methods, ANY spelled out, sorted. */
export function corsMethodsFor(routeKeys: string[]): string[] {
  return [
    ...new Set(
      routeKeys
        .filter((r) => r !== "$default")
        .map((r) => r.split(" ")[0])
        .flatMap((m) => (m === "ANY" ? ["GET", "POST", "PUT", "PATCH", "DELETE"] : [m])),
    ),
  ].sort();
}
