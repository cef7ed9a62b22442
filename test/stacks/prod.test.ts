import { expect } from "chai";
import type { RecordedResource } from "../../scripts/harness/recorder";
import { StackRun, stackFindings } from "../../scripts/harness/runStack";
import { readStackConfig } from "../../scripts/harness/stackFile";
import { ConfigError, NAMESPACE, loadConfig } from "../../stacks/config";
import { flowConfigSpecs } from "../../stacks/registry";
import { FLOW_SLUGS } from "../../stacks/slugs";
import { stackFileRun } from "./stackFiles";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";

const TABLE = "aws:dynamodb/table:Table";
const BUCKET = "aws:s3/bucket:Bucket";
const STREAM = "aws:kinesis/stream:Stream";
const KEY = "aws:kms/key:Key";
/** Athena's query results bucket is scratch space: not retained (it still refuses force-destroy). */
const SCRATCH_BUCKET = /-results$/;

type Stage = { name: string; rate: number; burst: number };

/** Throttling of every API stage: HTTP API default route settings and REST method settings. */
function stageThrottles(run: StackRun): Stage[] {
  const http = run.recorder.byType("aws:apigatewayv2/stage:Stage").map((s) => {
    const r = s.inputs.defaultRouteSettings as {
      throttlingRateLimit: number;
      throttlingBurstLimit: number;
    };
    return { name: s.name, rate: r.throttlingRateLimit, burst: r.throttlingBurstLimit };
  });
  const rest = run.recorder.byType("aws:apigateway/methodSettings:MethodSettings").map((m) => {
    const s = m.inputs.settings as { throttlingRateLimit: number; throttlingBurstLimit: number };
    return { name: m.name, rate: s.throttlingRateLimit, burst: s.throttlingBurstLimit };
  });
  return [...http, ...rest];
}

/** The KMS key a data resource is encrypted with (its ARN as the key's state gives it), if any. */
function keyArnOf(r: RecordedResource): string | undefined {
  if (r.type === STREAM) return r.inputs.kmsKeyId as string;
  if (r.type === TABLE)
    return (r.inputs.serverSideEncryption as { kmsKeyArn?: string } | undefined)?.kmsKeyArn;
  return undefined;
}

describe("stacks dev and prod (Pulumi.dev.yaml / Pulumi.prod.yaml)", function () {
  this.timeout(300_000);
  let dev: StackRun;
  let prod: StackRun;
  before(async () => {
    dev = await stackFileRun("dev");
    prod = await stackFileRun("prod");
  });

  it("prod is environment prod with every flow on and an alarm email subscribed", () => {
    expect(prod.outputs.environment).to.equal("prod");
    expect(prod.outputs.flows).to.have.members([...FLOW_SLUGS]);
    const email = (run: StackRun) =>
      run.recorder
        .byType("aws:sns/topicSubscription:TopicSubscription")
        .filter((s) => s.name.startsWith("alarms"))
        .map((s) => [s.inputs.protocol, s.inputs.endpoint]);
    expect(email(prod)).to.deep.equal([["email", "ops@example.com"]]);
    expect(email(dev)).to.deep.equal([]);
  });

  it("the prod plan has no finding at all under the full policy pack", () => {
    // Evaluated as `npm run plan -- --stack prod` does, for the environment the program validated.
    const findings = withoutKnownGrantFindings(stackFindings(prod)).map(
      (v) => `${v.enforcementLevel} ${v.policy}: ${v.message} (${v.urn})`,
    );
    expect(findings).to.deep.equal([]);
  });

  it("authenticates every API in prod; dev leaves some open for curl testing", () => {
    const openRoutes = (run: StackRun) =>
      run.recorder
        .byType("aws:apigatewayv2/route:Route")
        .filter((r) => r.inputs.authorizationType === "NONE");
    const restAuth = (run: StackRun) =>
      run.recorder.byType("aws:apigateway/method:Method").map((m) => m.inputs.authorization);
    expect(openRoutes(prod).map((r) => r.name)).to.deep.equal([]);
    expect(prod.recorder.byType("aws:apigatewayv2/route:Route").length).to.be.greaterThan(10);
    for (const r of prod.recorder.byType("aws:apigatewayv2/route:Route"))
      expect(r.inputs.authorizationType, r.name).to.equal("JWT");
    expect(new Set(restAuth(prod))).to.deep.equal(new Set(["AWS_IAM"]));
    expect(openRoutes(dev).length).to.be.greaterThan(0);
    expect(new Set(restAuth(dev))).to.deep.equal(new Set(["NONE"]));
    // One user pool per API that authenticates with Cognito (seven in prod: the realtime client API's too).
    expect(prod.recorder.byType("aws:cognito/userPool:UserPool")).to.have.length(7);
    for (const pool of prod.recorder.byType("aws:cognito/userPool:UserPool"))
      expect(pool.inputs.deletionProtection, pool.name).to.equal("ACTIVE");
  });

  it("protects and retains every table, bucket and stream in prod, and none in dev", () => {
    const data = (run: StackRun) =>
      run.resources.filter(
        (r) =>
          r.type === TABLE ||
          r.type === STREAM ||
          (r.type === BUCKET && !SCRATCH_BUCKET.test(r.name)),
      );
    expect(data(prod).length).to.be.greaterThan(15);
    for (const r of data(prod)) expect(r.retainOnDelete, `${r.type} ${r.name}`).to.equal(true);
    for (const t of prod.recorder.byType(TABLE))
      expect(t.inputs.deletionProtectionEnabled, t.name).to.equal(true);
    for (const b of prod.recorder.byType(BUCKET))
      expect(b.inputs.forceDestroy, b.name).to.equal(false);

    expect(dev.resources.filter((r) => r.retainOnDelete).map((r) => r.name)).to.deep.equal([]);
    for (const t of dev.recorder.byType(TABLE))
      expect(t.inputs.deletionProtectionEnabled, t.name).to.equal(false);
    for (const b of dev.recorder.byType(BUCKET))
      expect(b.inputs.forceDestroy, b.name).to.equal(true);
  });

  it("retains the customer-managed key of each retained table and stream (or the data is lost)", () => {
    const keys = new Map(prod.recorder.byType(KEY).map((k) => [k.state.arn as string, k]));
    const keyed = prod.resources.filter((r) => r.retainOnDelete && keyArnOf(r));
    expect(keyed.length).to.be.greaterThan(3);
    for (const r of keyed) {
      const key = keys.get(keyArnOf(r)!);
      expect(key, `the key of ${r.name}`).to.not.equal(undefined);
      expect(key!.retainOnDelete, `key ${key!.name} of ${r.name}`).to.equal(true);
    }
  });

  it("spans three AZs without NAT in prod, through the interface endpoints its private callers need (one shared NAT over two AZs in dev)", () => {
    const nats = (run: StackRun) => run.recorder.byType("aws:ec2/natGateway:NatGateway");
    const subnets = (run: StackRun) => run.recorder.byType("aws:ec2/subnet:Subnet");
    const interfaces = (run: StackRun) =>
      run.recorder
        .byType("aws:ec2/vpcEndpoint:VpcEndpoint")
        .filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(nats(prod)).to.have.length(0);
    expect(new Set(subnets(prod).map((s) => s.inputs.availabilityZone)).size).to.equal(3);
    // Derived from the grants: the Fargate tasks pull from ECR and log; orders publishes to SNS;
    // billing and shipping poll SQS. Private Lambdas need nothing more (DynamoDB and S3 go through
    // the gateway endpoints, their event sources are polled by the Lambda service).
    expect(interfaces(prod).map((e) => e.inputs.serviceName)).to.have.members(
      ["ecr.api", "ecr.dkr", "logs", "sns", "sqs"].map((s) => `com.amazonaws.us-east-1.${s}`),
    );
    const privateSubnets = subnets(prod).filter(
      (s) => (s.inputs.tags as Record<string, string>)["serverless:tier"] === "private",
    );
    // The private subnets' ids, as their route table associations name them.
    const privateSubnetIds = prod.recorder
      .byType("aws:ec2/routeTableAssociation:RouteTableAssociation")
      .filter((a) => /^network-private-\d$/.test(a.name))
      .map((a) => a.inputs.subnetId as string)
      .sort();
    expect(privateSubnetIds).to.have.length(3);
    for (const e of interfaces(prod)) {
      expect(e.inputs.privateDnsEnabled, e.name).to.equal(true);
      expect([...(e.inputs.subnetIds as string[])].sort()).to.deep.equal(privateSubnetIds);
      const policy = JSON.parse(String(e.inputs.policy)) as {
        Statement: { Principal: string; Resource: string | string[]; Condition: unknown }[];
      };
      for (const s of policy.Statement) {
        expect(s.Condition, e.name).to.deep.equal({
          StringEquals: { "aws:PrincipalAccount": "123456789012" },
        });
      }
    }
    // The SNS endpoint admits publishing to the stack's topic only, the SQS one the stack's queues.
    const sns = interfaces(prod).find((e) => e.name === "network-sns")!;
    const snsResources = (
      JSON.parse(String(sns.inputs.policy)) as { Statement: { Resource: string[] }[] }
    ).Statement.flatMap((s) => s.Resource);
    expect(snsResources).to.have.length.greaterThan(0);
    for (const r of snsResources) expect(r).to.match(/^arn:aws:sns:us-east-1:123456789012:/);
    // 443 from each private subnet only.
    const ingress = prod.recorder
      .byType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.name.startsWith("network-interface-endpoints"));
    expect(ingress.map((r) => r.inputs.cidrIpv4)).to.have.members(
      privateSubnets.map((s) => s.inputs.cidrBlock),
    );
    expect(interfaces(dev)).to.have.length(0);
    expect(nats(dev)).to.have.length(1);
    expect(new Set(subnets(dev).map((s) => s.inputs.availabilityZone)).size).to.equal(2);
  });

  it("sends API Gateway's requests to the internal load balancers over verified TLS in prod", () => {
    const listeners = prod.recorder.byType("aws:lb/listener:Listener");
    expect(listeners).to.have.length(2);
    for (const l of listeners) {
      expect(l.inputs).to.include({ protocol: "HTTPS", port: 443 });
      expect(l.inputs.certificateArn).to.match(/^arn:aws:acm:us-east-1:\d{12}:certificate\//);
    }
    const names = prod.recorder
      .byType("aws:apigatewayv2/integration:Integration")
      .filter((i) => i.inputs.connectionType === "VPC_LINK")
      .map((i) => (i.inputs.tlsConfig as { serverNameToVerify?: string }).serverNameToVerify);
    expect(names.sort()).to.deep.equal([
      "items-internal.example.com",
      "orders-internal.example.com",
    ]);
    // The load balancers admit 443 from their VPC link only.
    const albIngress = prod.recorder
      .byType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.name.endsWith("-alb-from-vpclink"));
    expect(albIngress).to.have.length(2);
    for (const r of albIngress) {
      expect(r.inputs).to.include({ fromPort: 443, toPort: 443 });
      expect(r.inputs.referencedSecurityGroupId).to.be.a("string");
      expect(r.inputs).to.not.have.property("cidrIpv4");
    }
    // dev keeps plain HTTP (allowed there without acknowledgement).
    for (const l of dev.recorder.byType("aws:lb/listener:Listener"))
      expect(l.inputs).to.include({ protocol: "HTTP", port: 80 });
  });

  it("keeps every log group 90 days in prod, 7 in dev", () => {
    const retention = (run: StackRun) =>
      new Set(
        run.recorder
          .byType("aws:cloudwatch/logGroup:LogGroup")
          .map((g) => g.inputs.retentionInDays),
      );
    expect(retention(prod)).to.deep.equal(new Set([90]));
    expect(retention(dev)).to.deep.equal(new Set([7]));
  });

  it("admits more traffic in prod: every stage's throttle at least dev's, the tuned ones far above", () => {
    const devStages = new Map(stageThrottles(dev).map((s) => [s.name, s]));
    const prodStages = stageThrottles(prod);
    expect(prodStages.map((s) => s.name).sort()).to.deep.equal([...devStages.keys()].sort());
    for (const s of prodStages) {
      const d = devStages.get(s.name)!;
      expect(s.rate, s.name).to.be.at.least(d.rate);
      expect(s.burst, s.name).to.be.at.least(d.burst);
    }
    const tuned = prodStages.filter((s) => s.rate >= 10 * devStages.get(s.name)!.rate);
    // three-tier-lambda, -s3, three-tier-fargate, event-driven-microservices and the ingest API.
    expect(tuned).to.have.length(5);
    const quota = (run: StackRun) =>
      (
        run.recorder.byType("aws:apigateway/usagePlan:UsagePlan")[0].inputs.quotaSettings as {
          limit: number;
        }
      ).limit;
    expect(quota(prod)).to.be.greaterThan(quota(dev));
  });

  it("sizes the stream and the autoscaler's bounds up in prod", () => {
    const stream = (run: StackRun) => run.recorder.byType(STREAM)[0].inputs;
    expect(stream(prod)).to.include({ shardCount: 4, retentionPeriod: 168 });
    expect(stream(dev)).to.include({ shardCount: 1, retentionPeriod: 24 });
    const bounds = (run: StackRun) => {
      const fn = run.recorder.get("aws:lambda/function:Function", "shard-autoscaler");
      const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      const { policy } = JSON.parse(env.SCALER_SETTINGS) as {
        policy: { minShards: number; maxShards: number };
      };
      return [policy.minShards, policy.maxShards];
    };
    expect(bounds(prod)).to.deep.equal([4, 64]);
    expect(bounds(dev)).to.deep.equal([1, 4]);
  });
});

describe("config: auth", () => {
  const withAuth = (environment: string, value: (slug: string) => string | undefined) => {
    const raw = readStackConfig("prod");
    raw[`${NAMESPACE}:environment`] = environment;
    for (const slug of FLOW_SLUGS) {
      const key = `${NAMESPACE}:${slug}`;
      const settings = JSON.parse(raw[key] ?? "{}") as Record<string, unknown>;
      if (!("auth" in settings)) continue;
      settings.auth = value(slug);
      raw[key] = JSON.stringify(settings);
    }
    return raw;
  };
  // One spelling in every flow (realtime-analytics included).
  const open = (_slug: string) => "none";

  it("every flow with an API names its authentication `auth` (the prod file sets each)", () => {
    const raw = readStackConfig("prod");
    const withApi = FLOW_SLUGS.filter((s) => s !== "kinesis-autoscale");
    for (const slug of withApi) {
      expect(JSON.parse(raw[`${NAMESPACE}:${slug}`]), slug).to.have.property("auth");
    }
  });

  it("refuses an open API outside dev for every flow, in one error listing each", () => {
    let error: unknown;
    try {
      loadConfig(withAuth("staging", open), flowConfigSpecs());
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).to.have.length(7);
    for (const slug of FLOW_SLUGS.filter((s) => s !== "kinesis-autoscale")) {
      expect(
        problems.some((p) => p.startsWith(`${slug}: auth "${open(slug)}" leaves the API open`)),
        slug,
      ).to.equal(true);
    }
  });

  it("allows open APIs in dev", () => {
    const config = loadConfig(withAuth("dev", open), flowConfigSpecs());
    expect(config.flowSettings["three-tier-lambda"]).to.include({ auth: "none" });
    expect(config.flowSettings["realtime-analytics"]).to.include({ auth: "none" });
  });
});
