import type * as pulumi from "@pulumi/pulumi";
import { ApiBackedLambda } from "../components/api/apiBackedLambda";
import { tableKeyStatements } from "../components/data/secureTable";
import { allow } from "../components/security/iam";
import { aggregatesApiEnvironment } from "../functions/aggregates-api/env";
import { notifySubscriptionsEnvironment } from "../functions/notify-subscriptions/env";
import type { StackContext } from "./flow";

/** Route keys of the client subscription API. */
export const SUBSCRIPTION_ROUTES = [
  "POST /subscriptions",
  "GET /subscriptions/{arn}",
  "DELETE /subscriptions/{arn}",
];

/**
 * The realtime flow's client API (Cognito JWT, always: what a client may see is keyed by its
 * subject; it owns the record keys `<sub>` and `<sub>/...`):
 * - "SNS used to send SMS / emails to clients": a client subscribes an email address or phone
 *   number to the notification topic, limited by a filter policy to its own keys, checks the
 *   confirmation status, and unsubscribes (functions/notify-subscriptions, SNS only);
 * - `GET /aggregates`: the analytics stage's windows for one of its keys (functions/aggregates-api,
 *   Query on the aggregates table only).
 * Both functions talk only to regional AWS APIs, so they run outside the VPC, like the notifier.
 */
export function clientApi(
  flow: pulumi.ComponentResource,
  ctx: StackContext,
  topicArn: pulumi.Output<string>,
  aggregates: {
    name: pulumi.Output<string>;
    arn: pulumi.Output<string>;
    kmsKeyArn?: pulumi.Input<string>;
  },
): ApiBackedLambda {
  return new ApiBackedLambda(
    "realtime-client-api",
    {
      description: "Client subscriptions and aggregates of the realtime flow",
      auth: "cognito",
      handlers: {
        subscriptions: {
          code: "notify-subscriptions",
          routes: SUBSCRIPTION_ROUTES,
          tableAccess: "none",
          statements: [
            // Email and SMS only: no HTTP, SQS or Lambda endpoints a client could point at.
            allow(["sns:Subscribe"], [topicArn], {
              StringEquals: { "sns:Protocol": ["email", "sms"] },
            }),
            allow(["sns:GetSubscriptionAttributes", "sns:Unsubscribe"], [topicArn]),
          ],
          environment: notifySubscriptionsEnvironment<pulumi.Input<string>>({ topicArn }),
          description: "Client email/SMS subscriptions (functions/notify-subscriptions)",
        },
        aggregates: {
          code: "aggregates-api",
          routes: ["GET /aggregates"],
          tableAccess: "none",
          statements: [
            allow(["dynamodb:Query"], [aggregates.arn]),
            ...tableKeyStatements(aggregates),
          ],
          environment: aggregatesApiEnvironment<pulumi.Input<string>>({
            aggregatesTable: aggregates.name,
          }),
          description: "Aggregates of the analytics stage (functions/aggregates-api)",
        },
      },
      deletionProtection: !ctx.isDev,
      // Subscriptions and dashboards are light traffic: the component's 50 rps stage throttle,
      // whatever the ingest API (a data path) admits.
      ...ctx.operations,
    },
    { parent: flow },
  );
}
