import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";

export interface HttpApiRequest {
  body?: string;
  query?: Record<string, string>;
  /** Default: none. */
  headers?: Record<string, string>;
  /** Default: false. */
  base64?: boolean;
}

/** An API Gateway HTTP API (payload 2.0) event as the $default stage delivers it. */
export function httpApiEvent(
  method: string,
  path: string,
  options: HttpApiRequest = {},
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    queryStringParameters: options.query,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.1", userAgent: "test" },
      requestId: "req",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "01/Jan/2026:00:00:00 +0000",
      timeEpoch: 0,
    },
    body: options.body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** `event` as an HTTP API JWT authorizer passes it on: `sub` in the claims (none when null). */
export function withJwtSubject<E extends APIGatewayProxyEventV2>(
  event: E,
  sub: string | null,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      authorizer: {
        principalId: "",
        integrationLatency: 0,
        jwt: { claims: sub === null ? {} : { sub }, scopes: [] },
      },
    },
  };
}
