import { expect } from "chai";
import { StackRun, runStack, stackFindings } from "../../scripts/harness/runStack";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";
import { actionsOf, resourcesOf, roleGrants } from "../support/iam";
import { realtimeAnalytics } from "../../stacks/realtime-analytics";

const NS = "aws-serverless-flows";
const T = {
  fn: "aws:lambda/function:Function",
  route: "aws:apigatewayv2/route:Route",
  topic: "aws:sns/topic:Topic",
  table: "aws:dynamodb/table:Table",
};

describe("realtime-analytics client API (subscriptions, aggregates)", () => {
  let r: StackRun;
  before(async () => {
    r = await runStack({
      stack: "test",
      config: { [`${NS}:flows`]: '["realtime-analytics"]', [`${NS}:environment`]: "prod" },
      flows: [realtimeAnalytics],
    });
  });
  const route = (key: string) => r.recorder.byType(T.route).find((x) => x.inputs.routeKey === key);

  it("serves subscribe, status, unsubscribe and aggregates behind a Cognito JWT authorizer", () => {
    for (const key of [
      "POST /subscriptions",
      "GET /subscriptions/{arn}",
      "DELETE /subscriptions/{arn}",
      "GET /aggregates",
    ]) {
      expect(route(key), key).to.not.equal(undefined);
      expect(route(key)!.inputs.authorizationType, key).to.equal("JWT");
      expect(route(key)!.inputs.authorizerId, key).to.be.a("string");
    }
    const out = r.outputs.realtimeAnalytics as Record<string, string>;
    expect(out.subscriptionsUrl).to.match(/\/subscriptions$/);
    expect(out.aggregatesUrl).to.match(/\/aggregates$/);
    expect(out.userPoolId).to.be.a("string");
    expect(out.userPoolClientId).to.be.a("string");
  });

  it("lets the subscriptions function subscribe only email and SMS endpoints, on the notification topic only", () => {
    const topic = r.recorder.get(T.topic, "realtime-notify").state.arn;
    const grants = roleGrants(r.recorder, "realtime-client-api-subscriptions");
    const subscribe = grants.find((s) => actionsOf(s).includes("sns:Subscribe"))!;
    expect(subscribe.Condition).to.deep.equal({
      StringEquals: { "sns:Protocol": ["email", "sms"] },
    });
    const sns = grants.filter((s) => actionsOf(s).some((a) => a.startsWith("sns:")));
    expect(sns.flatMap(actionsOf).sort()).to.deep.equal([
      "sns:GetSubscriptionAttributes",
      "sns:Subscribe",
      "sns:Unsubscribe",
    ]);
    expect([...new Set(sns.flatMap(resourcesOf))]).to.deep.equal([topic]);
    const env = (
      r.recorder.get(T.fn, "realtime-client-api-subscriptions").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env.TOPIC_ARN).to.equal(topic);
  });

  it("lets the aggregates function Query the aggregates table and nothing else in DynamoDB", () => {
    const table = r.recorder.get(T.table, "realtime-analytics-aggregates").state.arn;
    const grants = roleGrants(r.recorder, "realtime-client-api-aggregates");
    const dynamo = grants.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo.flatMap(actionsOf)).to.deep.equal(["dynamodb:Query"]);
    expect(dynamo.flatMap(resourcesOf)).to.deep.equal([table]);
    expect(
      withoutKnownGrantFindings(stackFindings(r)).filter((v) => v.urn.includes("client-api")),
    ).to.deep.equal([]);
  });
});
