import { expect } from "chai";
import type { StackRun } from "../../scripts/harness/runStack";
import { readStackConfig } from "../../scripts/harness/stackFile";
import { accountLogsRoleSteps } from "../../scripts/plan/accountRole";
import { renderNextSteps } from "../../scripts/plan/guide";
import { ConfigError, NAMESPACE, loadConfig } from "../../stacks/config";
import { flowConfigSpecs } from "../../stacks/registry";
import { stackFileRun } from "./stackFiles";

const STAGE = "aws:apigatewayv2/stage:Stage";
const ACCOUNT = "aws:apigateway/account:Account";

/** Steady rate of the HTTP API stage named `api`. */
const rateOf = (run: StackRun, api: string) =>
  (run.recorder.get(STAGE, api).inputs.defaultRouteSettings as { throttlingRateLimit: number })
    .throttlingRateLimit;

describe("one vocabulary across flows and stacks", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await stackFileRun("dev");
    prod = await stackFileRun("prod");
  });

  it("prod throttles: 50 rps on the two S3-event APIs, 500 on the item and order APIs", () => {
    expect(rateOf(prod, "fanout-api")).to.equal(50);
    expect(rateOf(prod, "objects-api")).to.equal(50);
    for (const api of [
      "three-tier-lambda-api",
      "three-tier-lambda-s3-api",
      "three-tier",
      "microservices",
    ])
      expect(rateOf(prod, api), api).to.equal(500);
  });

  it("names the Cognito outputs userPoolId / userPoolClientId (singular) in every flow", () => {
    for (const run of [dev, prod]) {
      for (const [flow, out] of Object.entries(run.outputs)) {
        if (!out || typeof out !== "object") continue;
        const keys = Object.keys(out);
        expect(keys, flow).not.to.include("userPoolClientIds");
        if (keys.includes("userPoolId")) expect(keys, flow).to.include("userPoolClientId");
        expect(typeof (out as Record<string, unknown>).userPoolClientId, flow).to.be.oneOf([
          "string",
          "undefined",
        ]);
      }
    }
  });

  it("spells auth the same in every flow: realtime-analytics takes iam/none and names the old spelling", () => {
    const raw = readStackConfig("dev");
    expect(JSON.parse(raw[`${NAMESPACE}:realtime-analytics`]).auth).to.equal("none");
    expect(JSON.parse(readStackConfig("prod")[`${NAMESPACE}:realtime-analytics`]).auth).to.equal(
      "iam",
    );
    let error: unknown;
    try {
      loadConfig(
        { ...raw, [`${NAMESPACE}:realtime-analytics`]: JSON.stringify({ auth: "AWS_IAM" }) },
        flowConfigSpecs(),
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems.join("\n")).to.match(
      /AWS_IAM and NONE are now iam and none/,
    );
  });
});

describe("API Gateway's account-wide CloudWatch Logs role", () => {
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await stackFileRun("dev");
    prod = await stackFileRun("prod");
  });

  it("is left alone by both shipped stacks (one setting per account and region)", () => {
    expect(dev.recorder.byType(ACCOUNT)).to.have.length(0);
    expect(prod.recorder.byType(ACCOUNT)).to.have.length(0);
  });

  it("the plan's next steps tell the user to check the role exists when REST API logs need it", () => {
    const steps = renderNextSteps("dev", { requiredKeys: [] }, accountLogsRoleSteps(dev));
    expect(steps).to.match(/aws apigateway get-account --query cloudwatchRoleArn/);
    expect(steps).to.match(/manageApiGatewayAccountRole: true/);
    // Managed (opted in): nothing to check.
    const managed = {
      resources: [
        ...dev.resources,
        { ...dev.resources[0], type: ACCOUNT, urn: "urn:x", name: "account" },
      ],
    };
    expect(accountLogsRoleSteps(managed)).to.deep.equal([]);
  });
});
