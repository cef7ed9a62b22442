import type * as pulumi from "@pulumi/pulumi";
import { LambdaRoute } from "../components/api/lambdaRoute";
import type { FargateCluster } from "../components/containers/fargateCluster";
import { SecureTable, tableKeyStatements } from "../components/data/secureTable";
import { allow } from "../components/security/iam";
import { orderSummaryEnvironment } from "../functions/order-summary/env";
import type { StackContext } from "./flow";

/**
 * `GET /orders/{id}/summary` on the microservices' API: an aggregator Lambda in the private
 * subnets reads the order, its invoice and its shipment in parallel, each with a deadline, and
 * marks what is missing (`partial`, `missing`). It is more specific than the orders service's
 * `ANY /orders/{proxy+}`, so API Gateway picks it for exactly this path.
 *
 * Why a Lambda and not a synchronous Express workflow: HTTP API's `StepFunctions-StartSyncExecution`
 * integration takes StateMachineArn, Name, Input, Region and TraceHeader and returns
 * StartSyncExecution's own envelope (the result as the `output` string, HTTP 200 even for a FAILED
 * execution), and HTTP APIs cannot map a response body
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html).
 * The client would have to unwrap it, and a failure would look like a success; the Lambda answers
 * the project's own JSON and status codes, with its logic tested as plain code.
 */
export function orderSummaryRoute(
  flow: pulumi.ComponentResource,
  ctx: StackContext,
  cluster: FargateCluster,
  tables: { orders: SecureTable; invoices: SecureTable; shipments: SecureTable },
): LambdaRoute {
  const all = [tables.orders, tables.invoices, tables.shipments];
  return new LambdaRoute(
    "order-summary",
    {
      api: cluster.api,
      routes: ["GET /orders/{id}/summary"],
      auth: cluster.auth,
      authorizerId: cluster.authorizer?.id,
      authorizationScopes: cluster.authorizationScopes,
      code: "order-summary",
      description: "Order + invoice + shipment in one answer (functions/order-summary)",
      // Reads by key only: no Query, no Scan, no write.
      statements: [
        allow(
          ["dynamodb:GetItem"],
          all.map((t) => t.arn),
        ),
        ...all.flatMap((t) => tableKeyStatements(t)),
      ],
      environment: orderSummaryEnvironment<pulumi.Input<string>>({
        ordersTable: tables.orders.name,
        invoicesTable: tables.invoices.name,
        shipmentsTable: tables.shipments.name,
      }),
      network: ctx.network(),
      ...ctx.operations,
    },
    { parent: flow },
  );
}
