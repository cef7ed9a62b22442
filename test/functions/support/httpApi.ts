import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";

export { httpApiEvent } from "../../../scripts/harness/awsEvents";
export type { HttpApiRequest } from "../../../scripts/harness/awsEvents";

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
