import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { BundledFunction } from "../../components/compute/lambdaFunction";
import {
  checkDeferredStatement,
  endpointPolicyStatements,
  planInterfaceEndpoints,
} from "../../components/network/endpointPlan";
import { Network } from "../../components/network/network";
import { allow } from "../../components/security/iam";
import { LAMBDA_SERVICE_SID, type RecordedCaller } from "../../components/security/callLedger";
import { installMocks, valueOf } from "../../scripts/harness/recorder";
import { testArn } from "../support/testAccount";

const Q = testArn("sqs", "orders");
const TOPIC = testArn("sns", "events");
const STREAM = testArn("kinesis", "stream/clicks");
const REPO = testArn("ecr", "repository/app");
const LOGS = testArn("logs", "log-group:/ecs/app:*");

const fn = (caller: string, ...statements: RecordedCaller["statements"]): RecordedCaller => ({
  caller,
  kind: "function",
  statements,
});

describe("planInterfaceEndpoints (pure)", () => {
  it("derives endpoints from the grants a function's own code uses, not a fixed list", () => {
    const plan = planInterfaceEndpoints([
      fn(
        "publisher",
        allow(["sns:Publish"], [TOPIC]),
        allow(["kinesis:PutRecords"], [STREAM]),
        allow(["dynamodb:PutItem"], ["arn:aws:dynamodb:us-east-1:123456789012:table/t"]),
        allow(["kms:GenerateDataKey"], ["arn:aws:kms:us-east-1:123456789012:key/k"]),
      ),
    ]);
    expect(plan.endpoints.map((e) => e.service)).to.deep.equal(["kinesis-streams", "sns"]);
    expect(plan.unreachable).to.deep.equal([]);
  });

  it("leaves out what the Lambda service does outside the VPC (pollers, logs, traces)", () => {
    const plan = planInterfaceEndpoints([
      fn(
        "consumer",
        allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], [Q]),
        allow(["kinesis:GetRecords", "kinesis:GetShardIterator"], [STREAM]),
        allow(["logs:CreateLogStream", "logs:PutLogEvents"], [LOGS]),
        allow(["xray:PutTraceSegments"], ["*"]),
        { ...allow(["sqs:SendMessage"], [Q]), Sid: LAMBDA_SERVICE_SID },
      ),
    ]);
    expect(plan.endpoints).to.deep.equal([]);
  });

  it("gives a Fargate task ECR (api and dkr), logs and what the app calls", () => {
    const plan = planInterfaceEndpoints([
      {
        caller: "billing",
        kind: "task",
        statements: [
          allow(["logs:CreateLogStream", "logs:PutLogEvents"], [LOGS]),
          allow(["ecr:GetAuthorizationToken"], ["*"]),
          allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [REPO]),
          allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"], [Q]),
        ],
      },
      fn("other", allow(["sqs:SendMessage"], [Q])),
    ]);
    expect(plan.endpoints.map((e) => e.service)).to.deep.equal([
      "ecr.api",
      "ecr.dkr",
      "logs",
      "sqs",
    ]);
    const sqs = plan.endpoints.find((e) => e.service === "sqs");
    expect(sqs?.callers).to.deep.equal(["billing", "other"]);
    expect(sqs?.statements.map((s) => s.Action)).to.deep.equal([
      ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
      ["sqs:SendMessage"],
    ]);
    // Only the service's own actions reach an endpoint's policy.
    const ecr = plan.endpoints.find((e) => e.service === "ecr.dkr");
    expect(ecr?.statements.flatMap((s) => s.Action)).to.deep.equal([
      "ecr:GetAuthorizationToken",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]);
  });

  it("sends synchronous Express executions to sync-states, the rest of Step Functions to states", () => {
    const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:summary";
    const plan = planInterfaceEndpoints([
      fn("api", allow(["states:StartSyncExecution"], [machine])),
      fn("ops", allow(["states:StartExecution"], [machine])),
    ]);
    expect(plan.endpoints.map((e) => [e.service, e.callers])).to.deep.equal([
      ["states", ["ops"]],
      ["sync-states", ["api"]],
    ]);
  });

  it("reports each call no endpoint serves, naming the caller and the action", () => {
    const plan = planInterfaceEndpoints([
      fn("mailer", allow(["ses:SendEmail"], ["arn:aws:ses:us-east-1:123456789012:identity/x"])),
    ]);
    expect(plan.unreachable).to.deep.equal([{ caller: "mailer", action: "ses:SendEmail" }]);
  });

  it("defers statements only known at deployment and checks them then", () => {
    const secret = pulumi.output(
      allow(["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:us-east-1:1:secret:s"]),
    );
    const plan = planInterfaceEndpoints([{ caller: "api", kind: "task", statements: [secret] }]);
    expect(plan.deferred).to.have.length(1);
    const statement = allow(["secretsmanager:GetSecretValue"], ["arn:x"]);
    expect(() =>
      checkDeferredStatement("net", "api", "task", statement, new Set(["logs"])),
    ).to.throw(/api calls secretsmanager:GetSecretValue, and no interface endpoint serves it/);
    expect(() =>
      checkDeferredStatement("net", "api", "task", statement, new Set(["secretsmanager"])),
    ).to.not.throw();
  });

  it("scopes the endpoint policy to the grants' resources and the account's principals", () => {
    const [endpoint] = planInterfaceEndpoints([fn("p", allow(["sns:Publish"], [TOPIC]))]).endpoints;
    expect(endpointPolicyStatements(endpoint, "123456789012")).to.deep.equal([
      {
        Effect: "Allow",
        Principal: "*",
        Action: ["sns:Publish"],
        Resource: [TOPIC],
        Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } },
      },
    ]);
  });
});

describe("Network.completeEndpoints", () => {
  const EP = "aws:ec2/vpcEndpoint:VpcEndpoint";

  async function build(natGateways: "none" | "single", statements: ReturnType<typeof allow>[]) {
    const rec = installMocks();
    const net = new Network("net", { natGateways });
    new BundledFunction("pub", {
      code: "items-api",
      statements,
      vpc: net.functionVpc("pub-sg", "publisher"),
    });
    net.completeEndpoints();
    await rec.settle();
    return { rec, net };
  }

  it("without NAT: one private-DNS endpoint per needed service, policy scoped, 443 from the private subnets only", async () => {
    const { rec, net } = await build("none", [allow(["sns:Publish"], [TOPIC])]);
    const interfaces = rec.byType(EP).filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(interfaces.map((e) => e.name)).to.deep.equal(["net-sns"]);
    const sns = interfaces[0].inputs;
    expect(sns.serviceName).to.equal("com.amazonaws.us-east-1.sns");
    expect(sns.privateDnsEnabled).to.equal(true);
    expect(sns.subnetIds).to.deep.equal(await valueOf(net.privateSubnetIds));
    const policy = JSON.parse(String(sns.policy)) as { Statement: Record<string, unknown>[] };
    expect(policy.Statement).to.have.length(1);
    expect(policy.Statement[0]).to.deep.include({ Action: ["sns:Publish"], Resource: [TOPIC] });
    const sg = net.derivedEndpointSecurityGroup;
    expect(sg, "the endpoints' security group").to.not.equal(undefined);
    expect(sns.securityGroupIds).to.deep.equal([await valueOf(sg!.id)]);
    const ingress = rec
      .byType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.name.startsWith("net-interface-endpoints"));
    expect(ingress.map((r) => r.inputs.cidrIpv4)).to.deep.equal(net.privateSubnetCidrs);
    for (const r of ingress) expect(r.inputs).to.include({ fromPort: 443, toPort: 443 });
    expect(net.privateSubnetCidrs).to.not.include(net.cidrBlock);
  });

  it("with NAT: no interface endpoints (the callers go through NAT)", async () => {
    const { rec } = await build("single", [allow(["sns:Publish"], [TOPIC])]);
    expect(rec.byType(EP).filter((e) => e.inputs.vpcEndpointType === "Interface")).to.deep.equal(
      [],
    );
  });

  it("refuses a private caller built after the endpoints were derived", () => {
    installMocks();
    const net = new Network("late", { natGateways: "none" });
    net.completeEndpoints();
    expect(
      () =>
        new BundledFunction("late-fn", {
          code: "items-api",
          vpc: net.functionVpc("late-sg", "late"),
        }),
    ).to.throw(
      /late-fn joined the private subnets after the endpoints of network "late" were created/,
    );
  });

  it("passes the derived endpoints through the network's vpcEndpoint transform", async () => {
    const rec = installMocks();
    const net = new Network("tx", {
      natGateways: "none",
      transform: { vpcEndpoint: (a, _o, n) => ({ ...a, tags: { ...a.tags, hooked: n } }) },
    });
    new BundledFunction("pub", {
      code: "items-api",
      statements: [allow(["sns:Publish"], [TOPIC])],
      vpc: net.functionVpc("pub-sg", "publisher"),
    });
    net.completeEndpoints();
    await rec.settle();
    expect((rec.get(EP, "tx-sns").inputs.tags as Record<string, string>).hooked).to.equal("tx-sns");
  });

  it("refuses a NAT-free network whose callers need a service no endpoint serves", () => {
    installMocks();
    const net = new Network("net", { natGateways: "none" });
    new BundledFunction("mailer", {
      code: "items-api",
      statements: [allow(["ses:SendEmail"], ["arn:aws:ses:us-east-1:1:identity/x"])],
      vpc: net.functionVpc("mailer-sg", "mailer"),
    });
    expect(() => net.completeEndpoints()).to.throw(
      /natGateways is "none" but mailer calls ses:SendEmail, and no interface endpoint serves it/,
    );
  });
});
