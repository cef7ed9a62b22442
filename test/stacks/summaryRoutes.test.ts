import { expect } from "chai";
import { StackRun, runStack, stackFindings } from "../../scripts/harness/runStack";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";
import { actionsOf, resourcesOf, roleGrants } from "../support/iam";
import { eventDrivenMicroservices } from "../../stacks/event-driven-microservices";
import { threeTierLambdaS3 } from "../../stacks/three-tier-lambda-s3";
import { NAMESPACE as NS } from "../../stacks/config";
import { T } from "../support/resourceTypes";
import { runFlowBefore } from "../support/flowRun";

/** The routes of a function: route keys, auth, and the permission's source ARN. */
function routeOf(r: StackRun, name: string, routeKey: string) {
  const route = r.recorder.byType(T.route).find((x) => x.inputs.routeKey === routeKey);
  expect(route, routeKey).to.not.equal(undefined);
  const integration = r.recorder.get(T.integration, name);
  expect(integration.inputs.integrationUri).to.equal(r.recorder.get(T.fn, name).state.invokeArn);
  expect(route!.inputs.target).to.match(/^integrations\/.+/);
  return route!;
}

describe("aggregation routes (GET .../{id}/summary)", () => {
  describe("event-driven-microservices: order + invoice + shipment", () => {
    const flow = runFlowBefore(
      eventDrivenMicroservices,
      // Outside dev the load balancer hop needs TLS (issue 14 item 7).
      {
        loadBalancerTls: {
          certificateArn:
            "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
          serverName: "api.example.com",
        },
      },
      { [`${NS}:environment`]: "prod", [`${NS}:alarmEmail`]: "ops@example.com" },
    );

    it("routes GET /orders/{id}/summary to the aggregator, behind the cluster's JWT authorizer", () => {
      const route = routeOf(flow.run, "order-summary", "GET /orders/{id}/summary");
      const orders = flow.run.recorder
        .byType(T.route)
        .find((x) => x.inputs.routeKey === "ANY /orders/{proxy+}")!;
      expect(route.inputs).to.include({
        authorizationType: "JWT",
        authorizerId: orders.inputs.authorizerId,
        apiId: orders.inputs.apiId,
      });
      expect(route.inputs.authorizerId).to.be.a("string");
      const perm = flow.run.recorder.get(T.permission, "order-summary-0");
      expect(String(perm.inputs.sourceArn)).to.match(/\/\*\/GET\/orders\/\*\/summary$/);
    });

    it("runs the aggregator in the private subnets, reading the three tables by key only", () => {
      const fn = flow.run.recorder.get(T.fn, "order-summary");
      expect((fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds).to.have.length(2);
      const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      const names = ["orders", "invoices", "shipments"].map(
        (t) => flow.run.recorder.get(T.table, t).state.name,
      );
      expect([env.ORDERS_TABLE, env.INVOICES_TABLE, env.SHIPMENTS_TABLE]).to.deep.equal(names);
      const grants = roleGrants(flow.run.recorder, "order-summary");
      const dynamo = grants.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
      expect(dynamo.flatMap(actionsOf)).to.deep.equal(["dynamodb:GetItem"]);
      expect(dynamo.flatMap(resourcesOf).sort()).to.deep.equal(
        ["orders", "invoices", "shipments"]
          .map((t) => flow.run.recorder.get(T.table, t).state.arn)
          .sort(),
      );
    });

    it("alarms on the aggregator's errors and reports no policy finding", () => {
      const alarms = flow.run.recorder
        .byType(T.alarm)
        .filter((a) => a.name.startsWith("order-summary"));
      expect(alarms.length).to.be.at.least(1);
      expect(
        withoutKnownGrantFindings(stackFindings(flow.run)).filter((v) =>
          v.urn.includes("order-summary"),
        ),
      ).to.deep.equal([]);
      expect(
        (flow.run.outputs.eventDrivenMicroservices as Record<string, string>)
          .orderSummaryUrlTemplate,
      ).to.match(/\/orders\/\{id\}\/summary$/);
    });
  });

  describe("three-tier-lambda-s3: an item with its files", () => {
    let r: StackRun;
    before(async () => {
      r = await runStack({
        stack: "test",
        config: {
          [`${NS}:flows`]: '["three-tier-lambda-s3"]',
          [`${NS}:environment`]: "prod",
        },
        flows: [threeTierLambdaS3],
      });
    });

    it("routes GET /items/{id}/summary on the items API with the items routes' authorizer", () => {
      const route = routeOf(r, "three-tier-lambda-s3-item-summary", "GET /items/{id}/summary");
      const items = r.recorder
        .byType(T.route)
        .find((x) => x.inputs.routeKey === "GET /items/{id}")!;
      expect(route.inputs.authorizationType).to.equal(items.inputs.authorizationType);
      expect(route.inputs.authorizerId).to.equal(items.inputs.authorizerId);
    });

    it("grants GetItem on the items table and ListBucket under the item files prefix only", () => {
      const grants = roleGrants(r.recorder, "three-tier-lambda-s3-item-summary");
      const list = grants.find((s) => actionsOf(s).includes("s3:ListBucket"))!;
      expect(list.Condition).to.deep.equal({ StringLike: { "s3:prefix": ["uploads/items/*"] } });
      expect(resourcesOf(list)).to.deep.equal([
        r.recorder.get(T.bucket, "three-tier-lambda-s3-files").state.arn,
      ]);
      const actions = grants.flatMap(actionsOf).filter((a) => /^(dynamodb|s3):/.test(a));
      expect(actions.sort()).to.deep.equal(["dynamodb:GetItem", "s3:ListBucket"]);
      const fn = r.recorder.get(T.fn, "three-tier-lambda-s3-item-summary");
      expect(fn.inputs.vpcConfig).to.not.equal(undefined);
      expect(
        withoutKnownGrantFindings(stackFindings(r)).filter((v) => v.urn.includes("item-summary")),
      ).to.deep.equal([]);
    });
  });
});
