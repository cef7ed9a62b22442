import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import fc from "fast-check";
import { Network, NetworkArgs, parseCidr, planSubnets } from "../../components/network/network";
import { RecordedResource, Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";

const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  igw: "aws:ec2/internetGateway:InternetGateway",
  routeTable: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  assoc: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  eip: "aws:ec2/eip:Eip",
  nat: "aws:ec2/natGateway:NatGateway",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  flowLog: "aws:ec2/flowLog:FlowLog",
};

interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Service?: string };
  Condition?: Record<string, Record<string, string>>;
}

const list = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const statementsOf = (json: unknown): PolicyStatement[] =>
  (JSON.parse(String(json)) as { Statement: PolicyStatement[] }).Statement;

/** [first, last] address of a CIDR block, for overlap checks. */
function range(cidr: string): [number, number] {
  const { base, prefix } = parseCidr(cidr);
  return [base, base + 2 ** (32 - prefix) - 1];
}
function overlaps(a: string, b: string): boolean {
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}
function contains(outer: string, inner: string): boolean {
  const [o0, o1] = range(outer);
  const [i0, i1] = range(inner);
  return o0 <= i0 && i1 <= o1;
}

/** Builds one network under fresh mocks and returns it with the resources below it. */
async function build(name: string, args: NetworkArgs, extra?: (n: Network) => void) {
  const rec = installMocks();
  const net = new Network(name, args);
  extra?.(net);
  await rec.settle();
  const urn = await valueOf(net.urn);
  const mine = rec.descendants(urn);
  const of = (type: string) => mine.filter((r) => r.type === type);
  /** The one resource of `type` whose input `key` is `value`, failing unless there is exactly one. */
  const onlyOf = (type: string, key: string, value: unknown) => {
    const found = of(type).filter((r) => r.inputs[key] === value);
    expect(found, `${type} with ${key} ${String(value)}`).to.have.length(1);
    return found[0];
  };
  return { rec, net, of, onlyOf };
}

/** Resolved id of each resource, keyed by the mock's logical name. */
async function ids(resources: { id: pulumi.Output<string> }[]): Promise<string[]> {
  return Promise.all(resources.map((r) => valueOf(r.id)));
}

function tier(r: RecordedResource): string {
  return (r.inputs.tags as Record<string, string>)["serverless:tier"];
}

describe("planSubnets (pure)", () => {
  it("carves /20s from a /16: public first, then private, one per AZ", () => {
    expect(planSubnets("10.0.0.0/16", 2)).to.deep.equal({
      public: ["10.0.0.0/20", "10.0.16.0/20"],
      private: ["10.0.32.0/20", "10.0.48.0/20"],
    });
    expect(planSubnets("10.1.0.0/16", 3).private).to.deep.equal([
      "10.1.48.0/20",
      "10.1.64.0/20",
      "10.1.80.0/20",
    ]);
  });

  it("honours a custom subnet size", () => {
    expect(planSubnets("172.16.0.0/24", 2, 26)).to.deep.equal({
      public: ["172.16.0.0/26", "172.16.0.64/26"],
      private: ["172.16.0.128/26", "172.16.0.192/26"],
    });
  });

  it("always yields distinct, non-overlapping subnets inside the VPC (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 24 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 4 }),
        (vpcPrefix, azCount, firstOctet, extraBits) => {
          const subnetPrefix = Math.min(
            28,
            vpcPrefix + Math.ceil(Math.log2(2 * azCount)) + extraBits,
          );
          const vpc = `${firstOctet}.0.0.0/${vpcPrefix}`;
          const plan = planSubnets(vpc, azCount, subnetPrefix);
          const all = [...plan.public, ...plan.private];
          expect(plan.public).to.have.length(azCount);
          expect(plan.private).to.have.length(azCount);
          expect(new Set(all).size).to.equal(all.length);
          for (const s of all) expect(contains(vpc, s), `${s} in ${vpc}`).to.equal(true);
          for (let i = 0; i < all.length; i++) {
            for (let j = i + 1; j < all.length; j++) {
              expect(overlaps(all[i], all[j]), `${all[i]} vs ${all[j]}`).to.equal(false);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects a CIDR too small for the subnets", () => {
    expect(() => planSubnets("10.0.0.0/24", 2)).to.throw(
      /holds 0 \/20 subnet\(s\) but 4 are needed/,
    );
    expect(() => planSubnets("10.0.0.0/18", 3)).to.throw(
      /holds 4 \/20 subnet\(s\) but 6 are needed/,
    );
  });

  it("rejects malformed blocks, host bits and prefixes AWS does not accept", () => {
    expect(() => planSubnets("10.0.0/16", 2)).to.throw(/not an IPv4 CIDR/);
    expect(() => planSubnets("10.0.0.300/16", 2)).to.throw(/not an IPv4 CIDR/);
    expect(() => planSubnets("10.0.1.0/16", 2)).to.throw(
      /host bits set; its network address is 10.0.0.0\/16/,
    );
    expect(() => planSubnets("10.0.0.0/8", 2)).to.throw(/AWS accepts \/16 to \/28/);
    expect(() => planSubnets("10.0.0.0/16", 2, 29)).to.throw(
      /\/29 is not an integer from \/16 to \/28/,
    );
    expect(() => planSubnets("10.0.0.0/16", 2, 12)).to.throw(
      /\/12 is not an integer from \/16 to \/28/,
    );
  });
});

describe("Network: defaults (2 AZs, single NAT)", () => {
  let net: Network;
  let of: (type: string) => RecordedResource[];
  let onlyOf: (type: string, key: string, value: unknown) => RecordedResource;

  before(async () => {
    ({ net, of, onlyOf } = await build("net", {}));
  });

  it("creates a VPC with DNS support and hostnames on 10.0.0.0/16", () => {
    const [vpc] = of(T.vpc);
    expect(vpc.inputs).to.include({
      cidrBlock: "10.0.0.0/16",
      enableDnsSupport: true,
      enableDnsHostnames: true,
    });
    expect(net.cidrBlock).to.equal("10.0.0.0/16");
  });

  it("puts one public and one private subnet in each of the first 2 available AZs", async () => {
    const subnets = of(T.subnet);
    expect(subnets).to.have.length(4);
    const zones = await valueOf(net.availabilityZones);
    expect(zones).to.deep.equal(["us-east-1a", "us-east-1b"]);
    for (const zone of zones) {
      const inZone = subnets.filter((s) => s.inputs.availabilityZone === zone);
      expect(inZone.map(tier).sort()).to.deep.equal(["private", "public"]);
    }
    expect(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false)).to.equal(true);
    expect(await valueOf(net.publicSubnetIds)).to.have.length(2);
    expect(await valueOf(net.privateSubnetIds)).to.have.length(2);
  });

  it("uses the planned, distinct, non-overlapping CIDRs", () => {
    const cidrs = of(T.subnet).map((s) => String(s.inputs.cidrBlock));
    const plan = planSubnets("10.0.0.0/16", 2);
    expect(cidrs.sort()).to.deep.equal([...plan.public, ...plan.private].sort());
    for (let i = 0; i < cidrs.length; i++) {
      for (let j = i + 1; j < cidrs.length; j++)
        expect(overlaps(cidrs[i], cidrs[j])).to.equal(false);
    }
  });

  it("routes the public subnets to the internet gateway", async () => {
    const igwId = await valueOf(net.internetGateway.id);
    const publicRt = await valueOf(net.publicRouteTable.id);
    const routes = of(T.route).filter((r) => r.inputs.routeTableId === publicRt);
    expect(routes).to.have.length(1);
    expect(routes[0].inputs).to.include({ destinationCidrBlock: "0.0.0.0/0", gatewayId: igwId });
    const publicIds = await ids(net.publicSubnets);
    const assocs = of(T.assoc).filter((a) => a.inputs.routeTableId === publicRt);
    expect(assocs.map((a) => a.inputs.subnetId).sort()).to.deep.equal([...publicIds].sort());
  });

  it("shares one NAT gateway (with an Elastic IP, in the first public subnet) across private route tables", async () => {
    expect(of(T.nat)).to.have.length(1);
    expect(of(T.eip)).to.have.length(1);
    expect(of(T.eip)[0].inputs.domain).to.equal("vpc");
    const natId = await valueOf(net.natGateways[0].id);
    expect(of(T.nat)[0].inputs.subnetId).to.equal(await valueOf(net.publicSubnets[0].id));
    expect(of(T.nat)[0].inputs.allocationId).to.match(/^eipalloc-/);

    const privateRts = await valueOf(net.privateRouteTableIds);
    expect(privateRts).to.have.length(2);
    for (const rt of privateRts) {
      expect(onlyOf(T.route, "routeTableId", rt).inputs).to.include({
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: natId,
      });
    }
  });

  it("gives each private subnet its own route table", async () => {
    const privateIds = await ids(net.privateSubnets);
    const privateRts = await valueOf(net.privateRouteTableIds);
    privateIds.forEach((subnetId, i) => {
      expect(onlyOf(T.assoc, "subnetId", subnetId).inputs.routeTableId).to.equal(privateRts[i]);
    });
  });

  it("attaches S3 and DynamoDB gateway endpoints to every private route table", async () => {
    const privateRts = await valueOf(net.privateRouteTableIds);
    const endpoints = of(T.endpoint);
    expect(endpoints).to.have.length(2);
    for (const service of ["s3", "dynamodb"]) {
      const ep = endpoints.find(
        (e) => e.inputs.serviceName === `com.amazonaws.us-east-1.${service}`,
      );
      expect(ep, service).to.not.equal(undefined);
      expect(ep!.inputs.vpcEndpointType).to.equal("Gateway");
      expect([...(ep!.inputs.routeTableIds as string[])].sort()).to.deep.equal(
        [...privateRts].sort(),
      );
    }
    expect(Object.keys(net.endpoints).sort()).to.deep.equal(["dynamodb", "s3"]);
    expect(net.endpointSecurityGroup).to.equal(undefined);
    expect(of(T.sg)).to.have.length(0);
  });

  it("locks down the default security group (no rules)", async () => {
    const [sg] = of(T.defaultSg);
    expect(sg.inputs.vpcId).to.equal(await valueOf(net.vpcId));
    expect(sg.inputs.ingress).to.deep.equal([]);
    expect(sg.inputs.egress).to.deep.equal([]);
  });

  it("logs ALL traffic to a log group with the default retention", async () => {
    const [flow] = of(T.flowLog);
    const [group] = of(T.logGroup);
    expect(group.inputs.retentionInDays).to.equal(14);
    expect(group.inputs.kmsKeyId).to.equal(undefined);
    expect(flow.inputs).to.include({
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.state.arn,
      vpcId: await valueOf(net.vpcId),
    });
    const [role] = of(T.role);
    expect(flow.inputs.iamRoleArn).to.equal(role.state.arn);
  });

  it("lets only vpc-flow-logs of this account assume the flow log role", () => {
    const [trust] = statementsOf(of(T.role)[0].inputs.assumeRolePolicy);
    expect(trust.Principal).to.deep.equal({ Service: "vpc-flow-logs.amazonaws.com" });
    expect(trust.Action).to.equal("sts:AssumeRole");
    expect(trust.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
  });

  it("grants the flow log role only log-stream writes on its own log group", () => {
    const groupArn = String(of(T.logGroup)[0].state.arn);
    const statements = statementsOf(of(T.rolePolicy)[0].inputs.policy);
    const actions = statements.flatMap((s) => list(s.Action));
    expect(actions.sort()).to.deep.equal(
      ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"].sort(),
    );
    expect(actions.some((a) => a.includes("*"))).to.equal(false);
    for (const s of statements) {
      expect(s.Effect).to.equal("Allow");
      for (const r of list(s.Resource)) {
        expect(r === groupArn || r === `${groupArn}:*`, r).to.equal(true);
      }
    }
  });
});

describe("Network: 3 AZs, NAT per AZ, interface endpoints", () => {
  let net: Network;
  let of: (type: string) => RecordedResource[];
  let onlyOf: (type: string, key: string, value: unknown) => RecordedResource;
  const zones = ["us-east-1a", "us-east-1c", "us-east-1d"];

  before(async () => {
    ({ net, of, onlyOf } = await build("net3", {
      availabilityZones: zones,
      cidrBlock: "10.20.0.0/16",
      natGateways: "perAz",
      interfaceEndpoints: ["sqs", "ecr.api", "kinesis-streams"],
      flowLogRetentionDays: 30,
      logKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    }));
  });

  it("spreads 3 public and 3 private subnets over the given zones (azCount from their number)", async () => {
    expect(await valueOf(net.availabilityZones)).to.deep.equal(zones);
    const subnets = of(T.subnet);
    expect(subnets).to.have.length(6);
    for (const zone of zones) {
      const inZone = subnets.filter((s) => s.inputs.availabilityZone === zone);
      expect(inZone.map(tier).sort()).to.deep.equal(["private", "public"]);
    }
    const cidrs = subnets.map((s) => String(s.inputs.cidrBlock));
    expect(new Set(cidrs).size).to.equal(6);
    for (let i = 0; i < cidrs.length; i++) {
      expect(contains("10.20.0.0/16", cidrs[i])).to.equal(true);
      for (let j = i + 1; j < cidrs.length; j++)
        expect(overlaps(cidrs[i], cidrs[j])).to.equal(false);
    }
  });

  it("puts one NAT gateway in each public subnet and routes each AZ through its own", async () => {
    expect(of(T.nat)).to.have.length(3);
    expect(of(T.eip)).to.have.length(3);
    const publicIds = await ids(net.publicSubnets);
    const natIds = await ids(net.natGateways);
    const natSubnets = await Promise.all(net.natGateways.map((n) => valueOf(n.subnetId)));
    expect(natSubnets).to.deep.equal(publicIds);
    const privateRts = await valueOf(net.privateRouteTableIds);
    expect(privateRts).to.have.length(3);
    privateRts.forEach((rt, i) => {
      expect(onlyOf(T.route, "routeTableId", rt).inputs.natGatewayId).to.equal(natIds[i]);
    });
  });

  it("still attaches both gateway endpoints to all 3 private route tables", async () => {
    const privateRts = await valueOf(net.privateRouteTableIds);
    for (const service of ["s3", "dynamodb"]) {
      const rts = await valueOf(net.endpoints[service].routeTableIds);
      expect([...rts].sort()).to.deep.equal([...privateRts].sort());
    }
  });

  it("creates interface endpoints with private DNS in the private subnets", async () => {
    const privateIds = await valueOf(net.privateSubnetIds);
    const sgId = await valueOf(net.endpointSecurityGroup!.id);
    const interfaces = of(T.endpoint).filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(interfaces.map((e) => e.inputs.serviceName).sort()).to.deep.equal([
      "com.amazonaws.us-east-1.ecr.api",
      "com.amazonaws.us-east-1.kinesis-streams",
      "com.amazonaws.us-east-1.sqs",
    ]);
    for (const e of interfaces) {
      expect(e.inputs.privateDnsEnabled).to.equal(true);
      expect(e.inputs.subnetIds).to.deep.equal(privateIds);
      expect(e.inputs.securityGroupIds).to.deep.equal([sgId]);
    }
    expect(Object.keys(net.endpoints).sort()).to.deep.equal(
      ["dynamodb", "ecr.api", "kinesis-streams", "s3", "sqs"].sort(),
    );
  });

  it("admits only HTTPS from the VPC CIDR to the interface endpoints", async () => {
    const sgId = await valueOf(net.endpointSecurityGroup!.id);
    const [sg] = of(T.sg);
    expect(sg.inputs.ingress).to.equal(undefined);
    expect(sg.inputs.egress).to.equal(undefined);
    expect(onlyOf(T.ingress, "securityGroupId", sgId).inputs).to.include({
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "10.20.0.0/16",
    });
    expect(of(T.egress).filter((r) => r.inputs.securityGroupId === sgId)).to.have.length(0);
  });

  it("applies the given retention and KMS key to the flow log group", () => {
    const [group] = of(T.logGroup);
    expect(group.inputs.retentionInDays).to.equal(30);
    expect(group.inputs.kmsKeyId).to.match(/^arn:aws:kms:us-east-1:123456789012:key\//);
  });
});

describe("Network: no NAT gateways, egress-only security groups", () => {
  let net: Network;
  let of: (type: string) => RecordedResource[];
  let rec: Recorder;
  let fnSg: aws.ec2.SecurityGroup;
  let taskSg: aws.ec2.SecurityGroup;

  before(async () => {
    ({ net, of, rec } = await build("isolated", { natGateways: "none" }, (n) => {
      fnSg = n.egressOnlySecurityGroup("fn-sg", "Lambda egress to AWS endpoints");
      taskSg = n.egressOnlySecurityGroup("task-sg", "Task egress", { destination: "internet" });
    }));
  });

  it("creates no NAT gateway, no Elastic IP and no default route from private subnets", async () => {
    expect(of(T.nat)).to.have.length(0);
    expect(of(T.eip)).to.have.length(0);
    const privateRts = await valueOf(net.privateRouteTableIds);
    expect(privateRts).to.have.length(2);
    const routes = of(T.route);
    expect(routes).to.have.length(1);
    expect(privateRts).to.not.include(routes[0].inputs.routeTableId);
    expect(routes[0].inputs.gatewayId).to.match(/^igw-/);
  });

  it("still gives private subnets S3 and DynamoDB through gateway endpoints", async () => {
    const privateRts = await valueOf(net.privateRouteTableIds);
    const gateways = of(T.endpoint).filter((e) => e.inputs.vpcEndpointType === "Gateway");
    expect(gateways).to.have.length(2);
    for (const g of gateways) {
      expect([...(g.inputs.routeTableIds as string[])].sort()).to.deep.equal(
        [...privateRts].sort(),
      );
    }
  });

  it("egress-only group without NAT: 443 to the VPC CIDR and the two gateway prefix lists only", async () => {
    const sg = rec.get(T.sg, "fn-sg");
    expect(sg.inputs.vpcId).to.equal(await valueOf(net.vpcId));
    expect(sg.inputs.description).to.equal("Lambda egress to AWS endpoints");
    const sgId = await valueOf(fnSg.id);
    const rules = rec
      .byType(T.egress)
      .filter((r) => r.inputs.securityGroupId === sgId)
      .map((r) => r.inputs);
    expect(rules).to.have.length(3);
    for (const r of rules) expect(r).to.include({ ipProtocol: "tcp", fromPort: 443, toPort: 443 });
    expect(rules.filter((r) => r.cidrIpv4 === "10.0.0.0/16")).to.have.length(1);
    const prefixLists = rules.map((r) => r.prefixListId).filter(Boolean);
    expect(prefixLists.sort()).to.deep.equal(
      [
        await valueOf(net.endpoints.s3.prefixListId),
        await valueOf(net.endpoints.dynamodb.prefixListId),
      ].sort(),
    );
    expect(prefixLists.every((p) => /^pl-/.test(String(p)))).to.equal(true);
    expect(rules.some((r) => r.cidrIpv4 === "0.0.0.0/0")).to.equal(false);
    expect(rec.byType(T.ingress)).to.have.length(0);
  });

  it("egress-only group for the internet: a single 443 rule to 0.0.0.0/0", async () => {
    const sgId = await valueOf(taskSg.id);
    const rules = rec.byType(T.egress).filter((r) => r.inputs.securityGroupId === sgId);
    expect(rules).to.have.length(1);
    expect(rules[0].inputs).to.include({
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
  });
});

describe("Network: transforms", () => {
  it("passes every subnet's args through the subnet hook with its name", async () => {
    const seen: string[] = [];
    const { of } = await build("tx", {
      transform: {
        subnet: (args, _opts, name) => {
          seen.push(name);
          return { ...args, tags: { ...(args.tags as Record<string, string>), Team: "core" } };
        },
        vpc: { instanceTenancy: "default" },
      },
    });
    expect(seen.sort()).to.deep.equal([
      "tx-private-0",
      "tx-private-1",
      "tx-public-0",
      "tx-public-1",
    ]);
    expect(
      of(T.subnet).every((s) => (s.inputs.tags as Record<string, string>).Team === "core"),
    ).to.equal(true);
    expect(of(T.vpc)[0].inputs.instanceTenancy).to.equal("default");
  });
});

describe("Network: argument validation", () => {
  let rec: Recorder;
  before(() => {
    rec = installMocks();
  });

  const attempt = (name: string, args: NetworkArgs) => () => new Network(name, args);

  it("rejects a single AZ, naming the component, field and fix", () => {
    expect(attempt("one-az", { azCount: 1 })).to.throw(
      /Network "one-az" has invalid arguments:[\s\S]*azCount: 1 is not an integer from 2 to 6 \(fix: /,
    );
    expect(attempt("seven-az", { azCount: 7 })).to.throw(/azCount: 7/);
  });

  it("rejects an unknown NAT mode", () => {
    expect(attempt("bad-nat", { natGateways: "perSubnet" as never })).to.throw(
      /natGateways: "perSubnet" is not a NAT mode \(fix: use one of "none", "single", "perAz"\)/,
    );
  });

  it("rejects a CIDR too small for the subnets", () => {
    expect(attempt("small", { cidrBlock: "10.0.0.0/24" })).to.throw(
      /cidrBlock: "10.0.0.0\/24" holds 0 \/20 subnet\(s\) but 4 are needed/,
    );
  });

  it("rejects too few zones, bad retention and bad interface endpoint names", () => {
    expect(
      attempt("zones", { azCount: 3, availabilityZones: ["us-east-1a", "us-east-1b"] }),
    ).to.throw(/availabilityZones: 2 zone\(s\) given for azCount 3/);
    expect(attempt("retention", { flowLogRetentionDays: 10 })).to.throw(/flowLogRetentionDays: 10/);
    expect(attempt("ep", { interfaceEndpoints: ["com.amazonaws.us-east-1.sqs", "SQS"] })).to.throw(
      /interfaceEndpoints: "SQS" not a service short name/,
    );
    expect(attempt("gw", { interfaceEndpoints: ["s3"] })).to.throw(
      /s3 already get gateway endpoints/,
    );
    expect(attempt("dup", { interfaceEndpoints: ["sqs", "sqs"] })).to.throw(
      /sqs listed more than once/,
    );
  });

  it("lists every problem in one error and creates no child", async () => {
    let message = "";
    try {
      new Network("many", { azCount: 1, natGateways: "x" as never, cidrBlock: "10.0.0.0/30" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message)
      .to.match(/azCount/)
      .and.match(/natGateways/)
      .and.match(/cidrBlock/);
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom)).to.have.length(0);
  });
});
