import {
  GetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { makeHandler } from "../../functions/notify-subscriptions/handler";
import {
  notifySubscriptionsEnvironment,
  readNotifySubscriptionsEnv,
} from "../../functions/notify-subscriptions/env";
import { ownsSubscription } from "../../functions/notify-subscriptions/subscriptions";
import { formatNotification } from "../../functions/stream-notifier/notify";
import { httpApiEvent, withJwtSubject } from "./support/httpApi";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:realtime-notify";
const SUB = "7d0b2a4e-1f3c-4b5a-9c8d-2e6f1a3b4c5d";
const OTHER = "11111111-2222-4333-8444-555555555555";
const SUBSCRIPTION = `${TOPIC}:0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a`;

function event(
  method: string,
  options: { body?: unknown; arn?: string; sub?: string | null } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const base = httpApiEvent(method, "/subscriptions", {
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    headers: { "content-type": "application/json" },
  });
  return withJwtSubject(
    {
      ...base,
      pathParameters:
        options.arn === undefined ? undefined : { arn: encodeURIComponent(options.arn) },
    },
    options.sub === undefined ? SUB : options.sub,
  );
}

describe("functions/notify-subscriptions", () => {
  // A mock of this instance only: a class-wide mock would reach every other test file's clients.
  const client = new SNSClient({ region: "us-east-1" });
  const sns = mockClient(client);
  const handler = makeHandler({
    sns: client,
    env: readNotifySubscriptionsEnv(notifySubscriptionsEnvironment({ topicArn: TOPIC })),
  });
  const call = async (e: APIGatewayProxyEventV2WithJWTAuthorizer) => {
    const res = await handler(e);
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body as string) : undefined };
  };
  const attributes = (over: Record<string, string> = {}) => ({
    Attributes: {
      TopicArn: TOPIC,
      Protocol: "email",
      Endpoint: "ana@example.com",
      PendingConfirmation: "false",
      FilterPolicy: JSON.stringify({ key: [SUB, { prefix: `${SUB}/` }] }),
      ...over,
    },
  });
  beforeEach(() => sns.reset());
  after(() => sns.restore());

  it("subscribes an email pending confirmation, filtered on the caller's keys by message attributes", async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: SUBSCRIPTION });
    const { status, body } = await call(
      event("POST", { body: { protocol: "email", endpoint: "ana@example.com" } }),
    );
    expect(status).to.equal(202);
    expect(body).to.include({ status: "pending-confirmation", subscriptionArn: SUBSCRIPTION });
    expect(body.endpoint).to.equal("a***@example.com");
    const input = sns.commandCalls(SubscribeCommand)[0].args[0].input;
    expect(input).to.deep.include({
      TopicArn: TOPIC,
      Protocol: "email",
      Endpoint: "ana@example.com",
      ReturnSubscriptionArn: true,
    });
    expect(input.Attributes!.FilterPolicyScope).to.equal("MessageAttributes");
    expect(JSON.parse(input.Attributes!.FilterPolicy)).to.deep.equal({
      key: [SUB, { prefix: `${SUB}/` }],
    });
  });

  it("subscribes an E.164 number by SMS at once, with chosen keys and severities", async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: SUBSCRIPTION });
    const { status, body } = await call(
      event("POST", {
        body: {
          protocol: "sms",
          endpoint: "+4915123456789",
          keys: [`${SUB}/meter-1`],
          severities: ["critical"],
        },
      }),
    );
    expect(status).to.equal(201);
    expect(body.status).to.equal("confirmed");
    const policy = JSON.parse(
      sns.commandCalls(SubscribeCommand)[0].args[0].input.Attributes!.FilterPolicy,
    );
    expect(policy).to.deep.equal({ key: [`${SUB}/meter-1`], severity: ["critical"] });
  });

  it("refuses bad input with 400 and subscribes nothing", async () => {
    const bad = [
      { protocol: "email", endpoint: "not-an-email" },
      { protocol: "sms", endpoint: "015123456789" },
      { protocol: "sms", endpoint: "+0123" },
      { protocol: "http", endpoint: "http://evil.example.com" },
      { protocol: "email", endpoint: "a@example.com", keys: [`${OTHER}/x`] },
      { protocol: "email", endpoint: "a@example.com", keys: [`${SUB}x`] },
      { protocol: "email", endpoint: "a@example.com", severities: ["urgent"] },
      { protocol: "email", endpoint: "a@example.com", extra: 1 },
    ];
    for (const body of bad) {
      const res = await call(event("POST", { body }));
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.message).to.be.a("string");
    }
    expect((await call(event("POST", { body: {}, sub: null }))).status).to.equal(401);
    expect(sns.commandCalls(SubscribeCommand)).to.have.length(0);
  });

  it("unsubscribes the caller's confirmed subscription by ARN", async () => {
    sns.on(GetSubscriptionAttributesCommand).resolves(attributes());
    sns.on(UnsubscribeCommand).resolves({});
    expect((await call(event("DELETE", { arn: SUBSCRIPTION }))).status).to.equal(204);
    expect(sns.commandCalls(UnsubscribeCommand)[0].args[0].input).to.deep.equal({
      SubscriptionArn: SUBSCRIPTION,
    });
  });

  it("answers 404 for another client's subscription, another topic's, or one without a key filter", async () => {
    const overrides: Record<string, string>[] = [
      { FilterPolicy: JSON.stringify({ key: [OTHER] }) },
      { FilterPolicy: JSON.stringify({ key: [SUB, `${OTHER}/a`] }) },
      { FilterPolicy: JSON.stringify({ severity: ["high"] }) },
      { FilterPolicy: "" },
      { TopicArn: "arn:aws:sns:us-east-1:123456789012:other" },
    ];
    for (const over of overrides) {
      sns.on(GetSubscriptionAttributesCommand).resolves(attributes(over));
      expect((await call(event("DELETE", { arn: SUBSCRIPTION }))).status).to.equal(404);
    }
    expect((await call(event("DELETE", { arn: "arn:aws:sns:us-east-1:1:x:y" }))).status).to.equal(
      404,
    );
    expect(sns.commandCalls(UnsubscribeCommand)).to.have.length(0);
  });

  it("reports pending confirmation, and answers 409 to deleting it (SNS cannot)", async () => {
    sns.on(GetSubscriptionAttributesCommand).resolves(attributes({ PendingConfirmation: "true" }));
    const got = await call(event("GET", { arn: SUBSCRIPTION }));
    expect(got.status).to.equal(200);
    expect(got.body).to.include({ status: "pending-confirmation", protocol: "email" });
    expect((await call(event("DELETE", { arn: SUBSCRIPTION }))).status).to.equal(409);
    expect(sns.commandCalls(UnsubscribeCommand)).to.have.length(0);
  });

  it("answers 503 when SNS throttles, without its text", async () => {
    sns
      .on(SubscribeCommand)
      .rejects(
        Object.assign(new Error("Rate exceeded arn:aws:sns"), { name: "ThrottledException" }),
      );
    const res = await call(event("POST", { body: { protocol: "email", endpoint: "a@b.example" } }));
    expect(res.status).to.equal(503);
    expect(JSON.stringify(res.body)).not.to.contain("arn:aws");
  });

  it("publishes the record key the filter policies match (and no key attribute without one)", () => {
    const rec = (key?: string) =>
      formatNotification({
        eventName: "INSERT",
        dynamodb: {
          SequenceNumber: "1",
          NewImage: {
            eventId: { S: "e" },
            severity: { S: "high" },
            type: { S: "t" },
            ...(key ? { key: { S: key } } : {}),
          },
        },
      });
    expect(rec(`${SUB}/meter-1`).attributes.key).to.deep.equal({
      DataType: "String",
      StringValue: `${SUB}/meter-1`,
    });
    expect(rec().attributes).not.to.have.property("key");
    expect(ownsSubscription(SUB, JSON.stringify({ key: [{ prefix: `${SUB}/` }] }))).to.equal(true);
    expect(ownsSubscription(SUB, JSON.stringify({ key: [{ prefix: SUB }] }))).to.equal(false);
  });
});
