import { expect } from "chai";
import { StackRun, runStack, stackFindings } from "../../scripts/harness/runStack";
import { actionsOf, resourcesOf, statementsOf } from "../support/iam";
import { ConfigError } from "../../stacks/config";
import { threeTierLambda } from "../../stacks/three-tier-lambda";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";
import { ITEMS_ROUTE_KEYS } from "../support/routes";

const NS = "aws-serverless-flows";
const FUNCTION = "aws:lambda/function:Function";
const ROUTE = "aws:apigatewayv2/route:Route";

function config(settings?: object, environment = "prod"): Record<string, string> {
  return {
    [`${NS}:flows`]: '["three-tier-lambda"]',
    [`${NS}:environment`]: environment,
    ...(settings ? { [`${NS}:three-tier-lambda`]: JSON.stringify(settings) } : {}),
  };
}

describe("flow three-tier-lambda", () => {
  describe("defaults (prod)", () => {
    let run: StackRun;
    before(async () => {
      run = await runStack({ stack: "prod", config: config(), flows: [threeTierLambda] });
    });
    const get = (type: string, name: string) => run.recorder.get(type, name);

    it("puts the items function in the shared VPC's private subnets, HTTPS egress only", () => {
      const fn = get(FUNCTION, "three-tier-lambda-api-items").inputs;
      // The private subnets, identified by their route table associations (ids are not in state).
      const privateSubnets = run.resources
        .filter(
          (r) =>
            r.type === "aws:ec2/routeTableAssociation:RouteTableAssociation" &&
            r.name.includes("-private-"),
        )
        .map((r) => r.inputs.subnetId);
      const vpc = fn.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
      expect(privateSubnets).to.have.length(2);
      expect(vpc.subnetIds).to.deep.equal(privateSubnets);
      expect(vpc.securityGroupIds).to.have.length(1);
      const egress = run.resources.filter(
        (r) =>
          r.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule" &&
          r.name.startsWith("three-tier-lambda-api-functions"),
      );
      expect(egress.length).to.be.greaterThan(0);
      for (const r of egress) expect(r.inputs).to.include({ fromPort: 443, toPort: 443 });
      // DynamoDB is reached through the network's gateway endpoint.
      expect(
        run.resources.some(
          (r) =>
            r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" &&
            String(r.inputs.serviceName).endsWith(".dynamodb") &&
            r.inputs.vpcEndpointType === "Gateway",
        ),
      ).to.equal(true);
    });

    it("serves the five items routes behind Cognito from the real items-api bundle", () => {
      const routes = run.resources.filter((r) => r.type === ROUTE);
      expect(routes.map((r) => r.inputs.routeKey).sort()).to.deep.equal(ITEMS_ROUTE_KEYS);
      for (const r of routes) expect(r.inputs.authorizationType).to.equal("JWT");
      const fn = get(FUNCTION, "three-tier-lambda-api-items").inputs;
      expect(fn).to.include({ runtime: "nodejs24.x", handler: "index.handler" });
      expect(fn.description).to.contain("items-api");
      expect(fn.sourceCodeHash).to.match(/^[0-9a-f]{64}$/);
    });

    it("keeps the table and user pool protected outside dev", () => {
      expect(get("aws:dynamodb/table:Table", "three-tier-lambda-api").inputs).to.deep.include({
        deletionProtectionEnabled: true,
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: { enabled: true },
      });
      expect(
        get("aws:cognito/userPool:UserPool", "three-tier-lambda-api").inputs.deletionProtection,
      ).to.equal("ACTIVE");
    });

    it("grants the items function exactly its calls, on its table only (no index)", () => {
      const tableArn = get("aws:dynamodb/table:Table", "three-tier-lambda-api").state.arn;
      const statements = statementsOf(
        get("aws:iam/rolePolicy:RolePolicy", "three-tier-lambda-api-items"),
      );
      const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
      expect(dynamo.flatMap(resourcesOf).sort()).to.deep.equal([tableArn]);
    });

    it("sends the API and function alarms to the stack's alarm topic", () => {
      const alarms = run.resources.filter(
        (r) =>
          r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
          r.name.startsWith("three-tier-lambda"),
      );
      expect(alarms.map((a) => a.name).sort()).to.deep.equal([
        "three-tier-lambda-api-5xx-rate",
        "three-tier-lambda-api-items-errors",
        "three-tier-lambda-api-items-throttles",
      ]);
      for (const a of alarms)
        expect(a.inputs.alarmActions).to.deep.equal([run.outputs.alarmTopicArn]);
    });

    it("encrypts its log groups with the stack's log key", () => {
      const logKey = run.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "logs")!
        .state.arn;
      for (const name of ["three-tier-lambda-api-access", "three-tier-lambda-api-items"]) {
        expect(get("aws:cloudwatch/logGroup:LogGroup", name).inputs.kmsKeyId).to.equal(logKey);
      }
    });

    it("outputs the API URL, table name and Cognito ids", () => {
      const out = run.outputs.threeTierLambda as Record<string, string>;
      const api = get("aws:apigatewayv2/api:Api", "three-tier-lambda-api").state;
      expect(out.apiUrl).to.equal(api.apiEndpoint);
      expect(out.itemsUrl).to.equal(`${api.apiEndpoint}/items`);
      expect(out.tableName).to.equal(
        get("aws:dynamodb/table:Table", "three-tier-lambda-api").state.name,
      );
      expect(out.userPoolId).to.match(/^us-east-1_/);
      expect(out.userPoolClientId).to.be.a("string").and.not.equal("");
    });

    it("has no policy findings", () => {
      expect(
        withoutKnownGrantFindings(stackFindings(run)).map((v) => `${v.policy}: ${v.message}`),
      ).to.deep.equal([]);
    });
  });

  describe("dev with auth none and no VPC", () => {
    let run: StackRun;
    before(async () => {
      run = await runStack({
        stack: "dev",
        config: config(
          { auth: "none", privateSubnets: false, corsOrigins: ["https://app.test"] },
          "dev",
        ),
        flows: [threeTierLambda],
      });
    });

    it("opens the routes, creates no user pool and no network", () => {
      for (const r of run.resources.filter((x) => x.type === ROUTE)) {
        expect(r.inputs.authorizationType).to.equal("NONE");
      }
      expect(run.resources.some((r) => r.type === "aws:cognito/userPool:UserPool")).to.equal(false);
      expect(run.resources.some((r) => r.type === "aws:ec2/vpc:Vpc")).to.equal(false);
      expect(run.recorder.get(FUNCTION, "three-tier-lambda-api-items").inputs.vpcConfig).to.equal(
        undefined,
      );
      expect(run.outputs.threeTierLambda).not.to.have.property("userPoolId");
    });

    it("drops deletion protection and allows the configured origin", () => {
      expect(
        run.recorder.get("aws:dynamodb/table:Table", "three-tier-lambda-api").inputs
          .deletionProtectionEnabled,
      ).to.equal(false);
      const cors = run.recorder.get("aws:apigatewayv2/api:Api", "three-tier-lambda-api").inputs
        .corsConfiguration as { allowOrigins: string[] };
      expect(cors.allowOrigins).to.deep.equal(["https://app.test"]);
    });
  });

  it("refuses auth none outside dev", async () => {
    let error: Error | undefined;
    try {
      await runStack({ stack: "prod", config: config({ auth: "none" }), flows: [threeTierLambda] });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/auth "none" .* only allowed in dev/);
  });

  it("rejects bad settings with one message listing each problem", async () => {
    let error: unknown;
    try {
      await runStack({
        stack: "prod",
        config: config({ auth: "basic", timeout: 60, corsOrigins: ["*"], colour: "red" }),
        flows: [threeTierLambda],
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const p of [
      /three-tier-lambda\.auth/,
      /three-tier-lambda\.timeout/,
      /corsOrigins\.0/,
      /colour/,
    ]) {
      expect(problems).to.match(p);
    }
  });
});
