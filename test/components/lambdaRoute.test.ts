import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { LambdaRoute } from "../../components/api/lambdaRoute";
import { installMocks, Recorder } from "../../scripts/harness/recorder";

const api = {
  id: pulumi.output("api123"),
  executionArn: pulumi.output("arn:aws:execute-api:us-east-1:123456789012:api123"),
};

describe("LambdaRoute", () => {
  let rec: Recorder;
  before(() => {
    rec = installMocks();
  });

  it("refuses no routes, an unknown auth and cognito without an authorizer, before creating anything", () => {
    const before = rec.resources.length;
    expect(
      () => new LambdaRoute("bad", { api, routes: [], auth: "cognito", code: "order-summary" }),
    ).to.throw(/LambdaRoute.*routes.*authorizerId/s);
    expect(
      () =>
        new LambdaRoute("bad2", {
          api,
          routes: ["GET /x"],
          auth: "open" as "none",
          code: "order-summary",
        }),
    ).to.throw(/auth/);
    expect(rec.resources.length).to.equal(before);
  });

  it("routes with the given authorizer and scopes, one permission per route, and applies transform hooks", async () => {
    new LambdaRoute("summary", {
      api,
      routes: ["GET /orders/{id}/summary"],
      auth: "cognito",
      authorizerId: "auth1",
      authorizationScopes: ["orders/read"],
      code: "order-summary",
      transform: {
        integration: { timeoutMilliseconds: 5000 },
        route: (args) => ({ ...args, operationName: "OrderSummary" }),
      },
    });
    await rec.settle();
    const route = rec.get("aws:apigatewayv2/route:Route", "summary-0");
    expect(route.inputs).to.include({
      apiId: "api123",
      routeKey: "GET /orders/{id}/summary",
      authorizationType: "JWT",
      authorizerId: "auth1",
      operationName: "OrderSummary",
    });
    expect(route.inputs.authorizationScopes).to.deep.equal(["orders/read"]);
    expect(rec.get("aws:apigatewayv2/integration:Integration", "summary").inputs).to.include({
      timeoutMilliseconds: 5000,
      payloadFormatVersion: "2.0",
    });
    expect(rec.get("aws:lambda/permission:Permission", "summary-0").inputs.sourceArn).to.equal(
      "arn:aws:execute-api:us-east-1:123456789012:api123/*/GET/orders/*/summary",
    );
  });
});
