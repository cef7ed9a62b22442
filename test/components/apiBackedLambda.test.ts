import { expect } from "chai";
import {
  ACCESS_LOG_FORMAT,
  ApiBackedLambda,
  ApiBackedLambdaArgs,
  routeArnPath,
} from "../../components/api/apiBackedLambda";
import { API_THROTTLE_BURST, API_THROTTLE_RATE } from "../../components/core/defaults";
import { Network } from "../../components/network/network";
import { RecordedResource, Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";
import { ITEMS_ROUTE_KEYS } from "../support/routes";
import {
  FUNCTIONS_DIR as functionsDir,
  ALARMS_TOPIC_ARN as TOPIC,
} from "../support/componentFixtures";

/** What the function component adds for Powertools: the function's service, the stack's namespace. */
const powertools = (service: string) => ({
  POWERTOOLS_SERVICE_NAME: service,
  POWERTOOLS_METRICS_NAMESPACE: "aws-serverless-flows/api-test",
});
const LOG_KEY = "arn:aws:kms:us-east-1:123456789012:key/logs";
const GIVEN_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/given";

type Doc = {
  Statement: { Effect: string; Action: string | string[]; Resource: string | string[] }[];
};
const asArray = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

const READ = ["dynamodb:GetItem", "dynamodb:Scan"];
const WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

/** Minimal valid args with the echo fixture as every handler's code. */
function args(extra: Partial<ApiBackedLambdaArgs> = {}): ApiBackedLambdaArgs {
  return {
    handlers: {
      reader: {
        code: "echo",
        functionsDir,
        routes: ["GET /items", "GET /items/{id}"],
        tableAccess: ["GetItem", "Scan"],
      },
      writer: {
        code: "echo",
        functionsDir,
        routes: ["POST /items", "PUT /items/{id}", "DELETE /items/{id}"],
        tableAccess: ["PutItem", "UpdateItem", "DeleteItem"],
      },
    },
    table: { hashKey: { name: "id", type: "S" } },
    ...extra,
  };
}

describe("ApiBackedLambda", () => {
  describe("defaults (cognito, created table, alarms)", () => {
    let rec: Recorder;
    let api: ApiBackedLambda;
    before(async () => {
      rec = installMocks({ stack: "api-test" });
      api = new ApiBackedLambda(
        "shop",
        args({ alarmTopicArn: TOPIC, logKmsKeyArn: LOG_KEY, logRetentionDays: 30 }),
      );
      await rec.settle();
    });

    const under = (type: string) =>
      rec
        .descendants(rec.get("serverless:api:ApiBackedLambda", "shop").urn)
        .filter((r) => r.type === type);
    const policyOf = (fn: string): Doc =>
      JSON.parse(rec.get("aws:iam/rolePolicy:RolePolicy", `shop-${fn}`).inputs.policy as string);

    it("creates an HTTP API with a $default stage, JSON access logs and throttling", () => {
      const apiRes = rec.get("aws:apigatewayv2/api:Api", "shop");
      expect(apiRes.inputs).to.include({ protocolType: "HTTP" });
      expect(apiRes.inputs).not.to.have.property("corsConfiguration");
      const stage = rec.get("aws:apigatewayv2/stage:Stage", "shop").inputs;
      expect(stage).to.include({ name: "$default", autoDeploy: true });
      const logs = rec.get("aws:cloudwatch/logGroup:LogGroup", "shop-access");
      expect(logs.inputs).to.include({ retentionInDays: 30, kmsKeyId: LOG_KEY });
      const accessLogs = stage.accessLogSettings as { destinationArn: string; format: string };
      expect(accessLogs.destinationArn).to.equal(logs.state.arn);
      expect(JSON.parse(accessLogs.format)).to.deep.equal(ACCESS_LOG_FORMAT);
      expect(stage.defaultRouteSettings).to.deep.include({
        throttlingRateLimit: API_THROTTLE_RATE,
        throttlingBurstLimit: API_THROTTLE_BURST,
      });
    });

    it("protects every route with a Cognito JWT authorizer it creates", async () => {
      const pool = rec.get("aws:cognito/userPool:UserPool", "shop");
      expect(pool.inputs).to.include({
        deletionProtection: "ACTIVE",
        mfaConfiguration: "OPTIONAL",
      });
      const poolId = await valueOf(api.userPool!.id);
      const clientId = await valueOf(api.userPoolClient!.id);
      const client = rec.get("aws:cognito/userPoolClient:UserPoolClient", "shop");
      expect(client.inputs).to.include({ generateSecret: false, userPoolId: poolId });
      const authorizer = rec.get("aws:apigatewayv2/authorizer:Authorizer", "shop").inputs;
      expect(authorizer).to.deep.include({
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: {
          audiences: [clientId],
          issuer: `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`,
        },
      });
      const routes = under("aws:apigatewayv2/route:Route");
      expect(routes.map((r) => r.inputs.routeKey).sort()).to.deep.equal(ITEMS_ROUTE_KEYS);
      const authorizerId = await valueOf(api.authorizer!.id);
      for (const r of routes) {
        expect(r.inputs).to.include({ authorizationType: "JWT", authorizerId });
      }
      expect(await valueOf(api.userPoolClientIds!)).to.deep.equal([clientId]);
    });

    it("routes each group to its own function through a 2.0 proxy integration", async () => {
      const fnArn = (n: string) => rec.get("aws:lambda/function:Function", `shop-${n}`).state;
      for (const n of ["reader", "writer"]) {
        const integration = rec.get("aws:apigatewayv2/integration:Integration", `shop-${n}`);
        expect(integration.inputs).to.include({
          integrationType: "AWS_PROXY",
          payloadFormatVersion: "2.0",
          integrationUri: fnArn(n).invokeArn,
        });
      }
      const getItem = under("aws:apigatewayv2/route:Route").find(
        (r) => r.inputs.routeKey === "GET /items/{id}",
      )!;
      const readerIntegration = await valueOf(api.integrations.reader.id);
      expect(getItem.inputs.target).to.equal(`integrations/${readerIntegration}`);
    });

    it("lets API Gateway invoke each function for its own routes only", () => {
      const apiState = rec.get("aws:apigatewayv2/api:Api", "shop").state;
      const perms = under("aws:lambda/permission:Permission");
      expect(perms).to.have.length(5);
      const readerName = rec.get("aws:lambda/function:Function", "shop-reader").state.name;
      const readerPerms = perms.filter((p) => p.inputs.function === readerName);
      expect(readerPerms.map((p) => p.inputs.sourceArn).sort()).to.deep.equal([
        `${apiState.executionArn}/*/GET/items`,
        `${apiState.executionArn}/*/GET/items/*`,
      ]);
      for (const p of perms) expect(p.inputs.principal).to.equal("apigateway.amazonaws.com");
    });

    it("creates an on-demand, encrypted, recoverable, protected table", () => {
      const table = rec.get("aws:dynamodb/table:Table", "shop").inputs;
      expect(table).to.deep.include({
        billingMode: "PAY_PER_REQUEST",
        hashKey: "id",
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
      });
      expect(table.serverSideEncryption).to.deep.include({ enabled: true });
    });

    it("grants each handler exactly the table actions it names, on the table ARN only", () => {
      const tableArn = rec.get("aws:dynamodb/table:Table", "shop").state.arn as string;
      const actionsOn = (doc: Doc, resource: string) =>
        doc.Statement.filter((s) => asArray(s.Resource).includes(resource)).flatMap((s) =>
          asArray(s.Action),
        );
      const reader = policyOf("reader");
      expect(actionsOn(reader, tableArn)).to.have.members(READ);
      expect(actionsOn(reader, `${tableArn}/index/*`)).to.deep.equal([]);
      const allReaderActions = reader.Statement.flatMap((s) => asArray(s.Action));
      for (const w of WRITE) expect(allReaderActions).not.to.include(w);

      const writer = policyOf("writer");
      expect(actionsOn(writer, tableArn)).to.have.members(WRITE);
      for (const doc of [reader, writer]) {
        for (const s of doc.Statement) {
          for (const a of asArray(s.Action))
            expect(a === "*" || a.endsWith(":*"), a).to.equal(false);
          if (asArray(s.Action).some((a) => a.startsWith("dynamodb:"))) {
            expect(asArray(s.Resource)).not.to.include("*");
          }
        }
      }
      const env = (n: string) =>
        (
          rec.get("aws:lambda/function:Function", `shop-${n}`).inputs.environment as {
            variables: Record<string, string>;
          }
        ).variables;
      const tableName = rec.get("aws:dynamodb/table:Table", "shop").state.name;
      expect(env("reader")).to.deep.equal({ TABLE_NAME: tableName, ...powertools("shop-reader") });
      expect(env("writer")).to.deep.equal({ TABLE_NAME: tableName, ...powertools("shop-writer") });
    });

    it("alarms on the 5xx rate and on each function's errors and throttles", async () => {
      const apiId = await valueOf(api.api.id);
      const fiveXx = rec.get("aws:cloudwatch/metricAlarm:MetricAlarm", "shop-5xx-rate").inputs;
      expect(fiveXx).to.deep.include({
        namespace: "AWS/ApiGateway",
        metricName: "5xx",
        statistic: "Average",
        threshold: 0.05,
        comparisonOperator: "GreaterThanThreshold",
        dimensions: { ApiId: apiId, Stage: "$default" },
        alarmActions: [TOPIC],
      });
      const names = under("aws:cloudwatch/metricAlarm:MetricAlarm")
        .map((a) => a.name)
        .sort();
      expect(names).to.deep.equal([
        "shop-5xx-rate",
        "shop-reader-errors",
        "shop-reader-throttles",
        "shop-writer-errors",
        "shop-writer-throttles",
      ]);
    });

    it("exposes url, functions, table and the IAM statement for callers", async () => {
      const apiState = rec.get("aws:apigatewayv2/api:Api", "shop").state;
      expect(await valueOf(api.url)).to.equal(apiState.apiEndpoint);
      expect(Object.keys(api.functions).sort()).to.deep.equal(["reader", "writer"]);
      expect(await valueOf(api.tableName!)).to.equal(
        rec.get("aws:dynamodb/table:Table", "shop").state.name,
      );
      expect(routeArnPath("GET /items/{id}")).to.equal("*/GET/items/*");
      expect(routeArnPath("ANY /{proxy+}", "$default")).to.equal("$default/*/*");
      const statement = api.invokeStatement(["GET /items"]);
      expect(await valueOf(asArray(statement.Resource!)[0])).to.equal(
        `${apiState.executionArn}/$default/GET/items`,
      );
    });
  });

  describe("no auth, CORS, private subnets, a given table, transforms", () => {
    let rec: Recorder;
    let network: Network;
    let open: ApiBackedLambda;
    before(async () => {
      rec = installMocks({ stack: "api-test-2" });
      network = new Network("net", { natGateways: "none" });
      open = new ApiBackedLambda("open", {
        ...args({
          auth: "none",
          cors: { origins: ["https://app.example.com", "http://localhost:3000"] },
          network,
          existingTable: { name: "given", arn: GIVEN_TABLE },
          deletionProtection: false,
          transform: {
            stage: (a) => ({ ...a, description: "patched by transform" }),
            api: { description: "from transform" },
          },
        }),
        table: undefined,
      });
      await rec.settle();
    });

    it("opens routes without an authorizer or user pool", () => {
      expect(rec.byType("aws:cognito/userPool:UserPool")).to.have.length(0);
      expect(rec.byType("aws:apigatewayv2/authorizer:Authorizer")).to.have.length(0);
      for (const r of rec.byType("aws:apigatewayv2/route:Route")) {
        expect(r.inputs.authorizationType).to.equal("NONE");
        expect(r.inputs).not.to.have.property("authorizerId");
      }
    });

    it("allows exactly the configured origins and the methods of its routes", () => {
      const api = rec.get("aws:apigatewayv2/api:Api", "open").inputs;
      expect(api.description).to.equal("from transform");
      expect(api.corsConfiguration).to.deep.include({
        allowOrigins: ["https://app.example.com", "http://localhost:3000"],
        allowMethods: ["DELETE", "GET", "POST", "PUT"],
        allowCredentials: false,
        // Browsers may send the idempotency and concurrency headers the APIs honour.
        allowHeaders: ["authorization", "content-type", "if-match", "idempotency-key"],
        exposeHeaders: ["etag", "location", "idempotent-replayed"],
      });
      expect(rec.get("aws:apigatewayv2/stage:Stage", "open").inputs.description).to.equal(
        "patched by transform",
      );
    });

    it("runs the functions in the private subnets with an egress-only HTTPS group", async () => {
      const privateIds = await valueOf(network.privateSubnetIds);
      const sgId = await valueOf(open.securityGroup!.id);
      for (const n of ["reader", "writer"]) {
        const vpc = rec.get("aws:lambda/function:Function", `open-${n}`).inputs.vpcConfig as {
          subnetIds: string[];
          securityGroupIds: string[];
        };
        expect(vpc.subnetIds).to.deep.equal(privateIds);
        expect(vpc.securityGroupIds).to.deep.equal([sgId]);
      }
      const rules = rec
        .byType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        .filter((r) => r.inputs.securityGroupId === sgId);
      expect(rules.length).to.be.greaterThan(0);
      for (const r of rules) expect(r.inputs).to.include({ fromPort: 443, toPort: 443 });
      expect(
        rec
          .byType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
          .filter((r) => r.inputs.securityGroupId === sgId),
      ).to.have.length(0);
    });

    it("uses the given table instead of creating one", () => {
      expect(rec.byType("aws:dynamodb/table:Table")).to.have.length(0);
      const doc = JSON.parse(
        rec.get("aws:iam/rolePolicy:RolePolicy", "open-writer").inputs.policy as string,
      ) as Doc;
      const resources = doc.Statement.filter((s) =>
        asArray(s.Action).some((a) => a.startsWith("dynamodb:")),
      ).flatMap((s) => asArray(s.Resource));
      expect(resources).to.include(GIVEN_TABLE);
    });
  });

  describe("IAM auth, given Cognito pool, handler overrides", () => {
    let rec: Recorder;
    before(async () => {
      rec = installMocks({ stack: "api-test-3" });
      new ApiBackedLambda("signed", {
        auth: "iam",
        handlers: {
          public: { code: "echo", functionsDir, routes: ["GET /health"], auth: "none" },
          private: { code: "echo", functionsDir, routes: ["POST /jobs"] },
        },
      });
      new ApiBackedLambda("pooled", {
        handlers: { only: { code: "echo", functionsDir, routes: ["GET /me"] } },
        cognito: {
          userPoolId: "us-east-1_Given123",
          clientIds: ["client-a"],
          scopes: ["api/read"],
        },
      });
      await rec.settle();
    });

    const route = (key: string) =>
      rec.byType("aws:apigatewayv2/route:Route").find((r) => r.inputs.routeKey === key)!;

    it("signs routes with IAM and lets a handler open its own routes", () => {
      expect(route("POST /jobs").inputs.authorizationType).to.equal("AWS_IAM");
      expect(route("GET /health").inputs.authorizationType).to.equal("NONE");
    });

    it("reuses a given user pool and app clients, requiring the scopes", () => {
      expect(rec.byType("aws:cognito/userPool:UserPool")).to.have.length(0);
      expect(rec.byType("aws:cognito/userPoolClient:UserPoolClient")).to.have.length(0);
      const authorizer = rec.get("aws:apigatewayv2/authorizer:Authorizer", "pooled").inputs;
      expect(authorizer.jwtConfiguration).to.deep.equal({
        audiences: ["client-a"],
        issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Given123",
      });
      expect(route("GET /me").inputs).to.deep.include({
        authorizationType: "JWT",
        authorizationScopes: ["api/read"],
      });
    });

    it("gives functions without table access no table and no DynamoDB action", () => {
      const fn = rec.get("aws:lambda/function:Function", "signed-private").inputs;
      // Only Powertools' two variables: no TABLE_NAME.
      const vars = (fn.environment as { variables: Record<string, string> }).variables;
      expect(Object.keys(vars).sort()).to.deep.equal(Object.keys(powertools("")).sort());
      const doc = JSON.parse(
        rec.get("aws:iam/rolePolicy:RolePolicy", "signed-private").inputs.policy as string,
      ) as Doc;
      expect(
        doc.Statement.flatMap((s) => asArray(s.Action)).some((a) => a.startsWith("dynamodb:")),
      ).to.equal(false);
    });
  });

  describe("argument validation", () => {
    let rec: Recorder;
    before(() => {
      rec = installMocks({ stack: "api-test-4" });
    });

    it("lists every problem in one error before creating any child", async () => {
      let error: Error | undefined;
      try {
        new ApiBackedLambda("bad", {
          handlers: {
            Bad_Name: { code: "echo", functionsDir, routes: ["FETCH /x", "GET items"] },
            other: { code: "echo", functionsDir, routes: ["GET /a"], tableAccess: ["PutItem"] },
            dup: { code: "echo", functionsDir, routes: ["GET /a"], timeout: 60 },
          },
          table: { hashKey: { name: "id", type: "S" } },
          existingTable: { name: "t", arn: GIVEN_TABLE },
          cors: { origins: ["*"] },
          throttleRateLimit: 0,
          logRetentionDays: 8,
          auth: "iam",
          cognito: { userPoolId: "p" },
        });
      } catch (e) {
        error = e as Error;
      }
      await rec.settle();
      expect(error?.message).to.match(/^ApiBackedLambda "bad" has invalid arguments/);
      for (const part of [
        /handlers: names "Bad_Name"/,
        /"FETCH \/x", "GET items" not route keys/,
        /GET \/a served by more than one handler/,
        /table\/existingTable: both given/,
        /cors\.origins: "\*" not exact origins/,
        /throttleRateLimit/,
        /logRetentionDays: 8/,
        /cognito: given but no route uses cognito/,
        /handlers\.timeout/,
      ]) {
        expect(error?.message).to.match(part);
      }
      const children = rec.resources.filter((r: RecordedResource) => r.custom);
      expect(children).to.have.length(0);
    });

    it("refuses table access without a table", () => {
      expect(
        () =>
          new ApiBackedLambda("no-table", {
            handlers: {
              a: { code: "echo", functionsDir, routes: ["GET /a"], tableAccess: ["GetItem"] },
            },
          }),
      ).to.throw(/tableAccess: table access requested but there is no table/);
    });
  });
});
