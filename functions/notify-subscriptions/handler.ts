/**
 * Client subscriptions to the realtime notification topic (JWT-authenticated HTTP API):
 * - `POST /subscriptions` `{ protocol: "email"|"sms", endpoint, keys?, severities? }`: subscribes
 *   with a filter policy on the caller's own keys (see `subscriptions.ts`). Email answers 202
 *   `pending-confirmation` (SNS mails a confirmation link; unconfirmed subscriptions expire after
 *   48 hours); SMS needs no confirmation and answers 201 `confirmed`.
 * - `GET /subscriptions/{arn}`: the status of one of the caller's subscriptions.
 * - `DELETE /subscriptions/{arn}`: unsubscribes it (204). SNS cannot delete a subscription that is
 *   pending confirmation (https://docs.aws.amazon.com/sns/latest/dg/sns-delete-subscription-topic.html):
 *   409, it lapses by itself.
 * A subscription the caller does not own, or that is not on this topic, is a 404.
 */
import {
  GetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import {
  HttpError,
  classifyFault,
  decodePathSegment,
  errorBody,
  errorResponse,
  json,
  parseJsonBody,
} from "../lib/http";
import { describeIssues } from "../lib/items/service";
import { createLogger, withLambdaContext } from "../lib/logger";
import { lazy } from "../lib/runtime";
import { NotifySubscriptionsEnv, readNotifySubscriptionsEnv } from "./env";
import {
  filterPolicyFor,
  foreignKeys,
  maskEndpoint,
  ownsSubscription,
  subscribeRequestSchema,
  subscriptionArnOf,
} from "./subscriptions";

export interface Deps {
  sns: SNSClient;
  env: NotifySubscriptionsEnv;
  logger?: { error(message: string, extra: Record<string, unknown>): void };
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

function subjectOf(event: Event): string {
  const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (typeof sub !== "string" || sub === "")
    throw new HttpError(401, "a signed-in user is required");
  return sub;
}

export function makeHandler(deps: Deps) {
  const { sns, env } = deps;

  async function owned(sub: string, rawArn: string) {
    const arn = subscriptionArnOf(env.topicArn, decodePathSegment(rawArn, "subscription"));
    if (!arn) throw new HttpError(404, "no such subscription");
    let attributes: Record<string, string>;
    try {
      attributes =
        (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })))
          .Attributes ?? {};
    } catch (e) {
      if ((e as Error).name === "NotFoundException" || (e as Error).name === "NotFound")
        throw new HttpError(404, "no such subscription");
      throw e;
    }
    if (attributes.TopicArn !== env.topicArn || !ownsSubscription(sub, attributes.FilterPolicy))
      throw new HttpError(404, "no such subscription");
    return { arn, attributes, pending: attributes.PendingConfirmation === "true" };
  }

  async function subscribe(sub: string, event: Event) {
    const parsed = subscribeRequestSchema.safeParse(parseJsonBody(event));
    if (!parsed.success) {
      const details = describeIssues(parsed.error);
      throw new HttpError(
        400,
        `subscription request is invalid: ${details.map((d) => `${d.path} ${d.message}`).join("; ")}`,
        details,
      );
    }
    const request = parsed.data;
    const foreign = foreignKeys(sub, request);
    if (foreign.length)
      throw new HttpError(
        400,
        `keys ${foreign.join(", ")} are not yours (yours: ${sub}, ${sub}/...)`,
      );
    const out = await sns.send(
      new SubscribeCommand({
        TopicArn: env.topicArn,
        Protocol: request.protocol,
        Endpoint: request.endpoint,
        // The ARN even while the email is unconfirmed, so the client can poll its status.
        ReturnSubscriptionArn: true,
        Attributes: {
          FilterPolicy: JSON.stringify(filterPolicyFor(sub, request)),
          FilterPolicyScope: "MessageAttributes",
        },
      }),
    );
    const pending = request.protocol === "email";
    return json(pending ? 202 : 201, {
      subscriptionArn: out.SubscriptionArn,
      protocol: request.protocol,
      endpoint: maskEndpoint(request.endpoint),
      status: pending ? "pending-confirmation" : "confirmed",
      ...(pending ? { next: "open the link in the confirmation email within 48 hours" } : {}),
    });
  }

  return async (event: Event): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const sub = subjectOf(event);
      const method = event.requestContext?.http?.method;
      const arnParam = event.pathParameters?.arn;
      if (arnParam === undefined) {
        if (method !== "POST")
          throw new HttpError(405, `${method} is not allowed on /subscriptions`);
        return await subscribe(sub, event);
      }
      const s = await owned(sub, arnParam);
      if (method === "GET") {
        return json(200, {
          subscriptionArn: s.arn,
          protocol: s.attributes.Protocol,
          endpoint: maskEndpoint(s.attributes.Endpoint ?? ""),
          status: s.pending ? "pending-confirmation" : "confirmed",
        });
      }
      if (method === "DELETE") {
        if (s.pending)
          throw new HttpError(
            409,
            "the subscription is pending confirmation: SNS cannot delete it, it lapses after 48 hours unconfirmed",
          );
        await sns.send(new UnsubscribeCommand({ SubscriptionArn: s.arn }));
        return { statusCode: 204, headers: {}, body: "" };
      }
      throw new HttpError(405, `${method} is not allowed on a subscription`);
    } catch (e) {
      if (e instanceof HttpError) return errorResponse(e.status, e.message, e.details);
      const name = (e as Error)?.name;
      // SNS's own refusals of the endpoint (e.g. an opted-out phone number) are the client's.
      if (name === "InvalidParameterException" || name === "InvalidParameter")
        return errorResponse(400, "SNS refused this endpoint");
      if (
        name === "FilterPolicyLimitExceededException" ||
        name === "SubscriptionLimitExceededException"
      )
        return errorResponse(409, "subscription limit reached; remove a subscription first");
      deps.logger?.error("subscription request failed", { error: e });
      const fault = classifyFault(e);
      return json(fault.status, errorBody(fault.status, fault.message), fault.headers);
    }
  };
}

const logger = createLogger("notify-subscriptions");
const handlerOnce = lazy(() =>
  makeHandler({
    sns: new SNSClient({}),
    env: readNotifySubscriptionsEnv(),
    logger,
  }),
);
export const handler = withLambdaContext(logger, (event: Event) => handlerOnce()(event));
