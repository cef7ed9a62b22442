import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { StackRun, runStack, stackFindings } from "../../scripts/harness/runStack";
import { actionsOf, resourcesOf, statementsOf } from "../support/iam";
import { ConfigError } from "../../stacks/config";
import { threeTierFargate } from "../../stacks/three-tier-fargate";

const NS = "aws-serverless-flows";
const ROOT = path.resolve(__dirname, "..", "..");
const T = {
  table: "aws:dynamodb/table:Table",
  service: "aws:ecs/service:Service",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  route: "aws:apigatewayv2/route:Route",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  image: "awsx:ecr:Image",
  repo: "aws:ecr/repository:Repository",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  vpcLink: "aws:apigatewayv2/vpcLink:VpcLink",
  subnet: "aws:ec2/subnet:Subnet",
  scalingTarget: "aws:appautoscaling/target:Target",
};

function run(environment: string, settings: object = {}): Promise<StackRun> {
  return runStack({
    stack: "test",
    config: {
      [`${NS}:flows`]: '["three-tier-fargate"]',
      [`${NS}:environment`]: environment,
      [`${NS}:three-tier-fargate`]: JSON.stringify(settings),
    },
    flows: [threeTierFargate],
  });
}

const container = (r: StackRun) =>
  (
    JSON.parse(String(r.recorder.get(T.taskDef, "items").inputs.containerDefinitions)) as {
      image: string;
      environment: { name: string; value: string }[];
    }[]
  )[0];

const TLS = {
  certificateArn:
    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
  serverName: "items-internal.example.com",
};

describe("flow three-tier-fargate (prod settings)", () => {
  let r: StackRun;
  before(async () => {
    r = await run("prod", { loadBalancerTls: TLS });
  });

  it("terminates TLS at the load balancer and has API Gateway verify its certificate", () => {
    const listener = r.recorder.get("aws:lb/listener:Listener", "three-tier").inputs;
    expect(listener).to.include({
      protocol: "HTTPS",
      port: 443,
      certificateArn: TLS.certificateArn,
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    });
    const integration = r.recorder.get("aws:apigatewayv2/integration:Integration", "three-tier");
    expect(integration.inputs.tlsConfig).to.deep.equal({ serverNameToVerify: TLS.serverName });
    const ingress = r.recorder.get(
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "three-tier-alb-from-vpclink",
    ).inputs;
    expect(ingress).to.include({ fromPort: 443, toPort: 443 });
  });

  it("serves the items API from a Fargate service behind API -> VPC link -> internal ALB", () => {
    const routes = r.recorder.byType(T.route).map((x) => x.inputs);
    expect(routes.map((x) => x.routeKey)).to.have.members(["ANY /items", "ANY /items/{proxy+}"]);
    for (const route of routes) expect(route.authorizationType).to.equal("JWT");
    expect(r.recorder.get(T.lb, "three-tier").inputs).to.include({
      internal: true,
      enableDeletionProtection: true,
    });
    const privateSubnets = r.recorder
      .byType(T.subnet)
      .filter((s) => s.name.startsWith("network-private-"));
    expect(privateSubnets).to.have.length(2);
    const svc = r.recorder.get(T.service, "items").inputs;
    expect((svc.networkConfiguration as { assignPublicIp: boolean }).assignPublicIp).to.equal(
      false,
    );
    expect(svc.desiredCount).to.equal(2);
  });

  it("builds functions/containers/items-service for arm64 and runs it with the table's name", () => {
    const image = r.recorder.get(T.image, "items").inputs;
    expect(image).to.include({
      dockerfile: "functions/containers/Dockerfile",
      platform: "linux/arm64",
      context: ".",
    });
    expect(image.args).to.deep.equal({ SERVICE: "items-service" });
    expect(fs.existsSync(path.join(ROOT, String(image.dockerfile)))).to.equal(true);
    const table = r.recorder.get(T.table, "fargate-items");
    expect(table.inputs).to.include({
      hashKey: "id",
      deletionProtectionEnabled: true,
      billingMode: "PAY_PER_REQUEST",
    });
    const c = container(r);
    expect(c.environment).to.deep.include({ name: "TABLE_NAME", value: table.state.name });
    expect(c.image).to.equal(r.recorder.get(T.image, "items").state.imageUri);
  });

  it("grants the task role read/write on its table only", () => {
    const table = r.recorder.get(T.table, "fargate-items").state.arn as string;
    const statements = statementsOf(r.recorder.get(T.rolePolicy, "items-task"));
    const resources = statements.flatMap(resourcesOf);
    expect(new Set(resources)).to.deep.equal(new Set([table]));
    const actions = statements.flatMap(actionsOf);
    // Exactly what functions/containers/items-service's code calls (test/iam proves it).
    expect(actions).to.have.members([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Scan",
    ]);
  });

  it("outputs the URLs, table, service and Cognito ids", () => {
    const out = r.outputs.threeTierFargate as Record<string, string>;
    expect(out.itemsUrl).to.equal(`${out.apiUrl}/items`);
    expect(out.apiUrl).to.match(/^https:\/\/[0-9a-f]+\.execute-api\.us-east-1\.amazonaws\.com$/);
    expect(out).to.include.keys(
      "tableName",
      "clusterName",
      "serviceName",
      "imageUri",
      "userPoolId",
      "userPoolClientId",
    );
  });

  it("has zero policy findings", () => {
    expect(stackFindings(r).map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
  });
});

describe("flow three-tier-fargate (dev sizes, given image)", () => {
  let r: StackRun;
  before(async () => {
    r = await run("dev", {
      auth: "none",
      desiredCount: 1,
      maxCount: 2,
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/items@sha256:0123",
    });
  });

  it("runs one smallest task (scaling to 2), easy to tear down, with the given image", () => {
    expect(r.recorder.get(T.service, "items").inputs.desiredCount).to.equal(1);
    expect(r.recorder.get(T.scalingTarget, "items").inputs).to.include({
      minCapacity: 1,
      maxCapacity: 2,
    });
    expect(r.recorder.get(T.taskDef, "items").inputs).to.include({ cpu: "256", memory: "512" });
    expect(r.recorder.get(T.lb, "three-tier").inputs.enableDeletionProtection).to.equal(false);
    expect(r.recorder.get(T.table, "fargate-items").inputs.deletionProtectionEnabled).to.equal(
      false,
    );
    expect(r.recorder.byType(T.image)).to.have.length(0);
    expect(r.recorder.byType(T.repo)).to.have.length(0);
    expect(container(r).image).to.equal(
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/items@sha256:0123",
    );
    for (const route of r.recorder.byType(T.route))
      expect(route.inputs.authorizationType).to.equal("NONE");
  });
});

describe("flow three-tier-fargate settings", () => {
  it("rejects a CPU/memory pair Fargate does not offer and desiredCount above maxCount, naming the keys", async () => {
    let error: unknown;
    try {
      await run("prod", { cpu: 256, memory: 4096, desiredCount: 5, maxCount: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).to.match(
      /three-tier-fargate\.memory: 4096 MiB is not a Fargate size for 256 CPU units/,
    );
    expect(problems).to.match(/three-tier-fargate\.maxCount: must be at least desiredCount \(5\)/);
  });

  it("refuses an open API outside dev", async () => {
    let error: Error | undefined;
    try {
      await run("prod", { auth: "none" });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(
      /auth "none" leaves the API open to anyone; it is only allowed in dev/,
    );
  });
});
