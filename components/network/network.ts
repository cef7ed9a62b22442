import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  AZ_COUNT,
  LOG_RETENTION_DAYS,
  NAT_GATEWAYS,
  SUBNET_PREFIX_LENGTH,
  VPC_CIDR,
} from "../core/defaults";
import { allow, assumeRolePolicy, policyDocument } from "../security/iam";
import { Transform, applyTransform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import { CallLedger } from "../security/callLedger";
import { createDerivedEndpoints } from "./interfaceEndpoints";

/** How private subnets reach the internet. */
export type NatGatewayMode = "none" | "single" | "perAz";
export const NAT_GATEWAY_MODES: readonly NatGatewayMode[] = ["none", "single", "perAz"];

/** AWS limits: a VPC's CIDR is /16 to /28, and so is a subnet's. */
const MIN_PREFIX = 16;
const MAX_PREFIX = 28;
const HTTPS = 443;

/** An IPv4 CIDR block as numbers. */
export interface ParsedCidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

/** Parses "a.b.c.d/n"; throws on anything else. */
export function parseCidr(cidr: string): ParsedCidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) throw new Error(`"${cidr}" is not an IPv4 CIDR block like 10.0.0.0/16`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    throw new Error(`"${cidr}" is not an IPv4 CIDR block like 10.0.0.0/16`);
  }
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, prefix };
}

/** Formats a network address and prefix as "a.b.c.d/n". */
export function formatCidr(base: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/** The subnets of a VPC: index i of each list is in the i-th availability zone. */
export interface SubnetPlan {
  public: string[];
  private: string[];
}

/**
 * Carves one public and one private subnet per AZ, each `/subnetPrefixLength`, from the VPC
 * CIDR: public subnets take the first `azCount` blocks, private ones the next `azCount`, so the
 * layout is contiguous, non-overlapping and stable when read back. Pure; throws an Error whose
 * message says what is wrong when the VPC CIDR is malformed or too small.
 */
export function planSubnets(
  vpcCidr: string,
  azCount: number,
  subnetPrefixLength: number = SUBNET_PREFIX_LENGTH,
): SubnetPlan {
  const { base, prefix } = parseCidr(vpcCidr);
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    throw new Error(
      `"${vpcCidr}" has prefix /${prefix}; AWS accepts /${MIN_PREFIX} to /${MAX_PREFIX}`,
    );
  }
  if (base % 2 ** (32 - prefix) !== 0) {
    throw new Error(
      `"${vpcCidr}" has host bits set; its network address is ${formatCidr(base - (base % 2 ** (32 - prefix)), prefix)}`,
    );
  }
  if (!Number.isInteger(azCount) || azCount < 1) {
    throw new Error(`azCount ${azCount} is not a positive integer`);
  }
  if (
    !Number.isInteger(subnetPrefixLength) ||
    subnetPrefixLength < MIN_PREFIX ||
    subnetPrefixLength > MAX_PREFIX
  ) {
    throw new Error(
      `subnet prefix /${subnetPrefixLength} is not an integer from /${MIN_PREFIX} to /${MAX_PREFIX}`,
    );
  }
  const needed = 2 * azCount;
  const capacity = subnetPrefixLength >= prefix ? 2 ** (subnetPrefixLength - prefix) : 0;
  if (capacity < needed) {
    throw new Error(
      `"${vpcCidr}" holds ${capacity} /${subnetPrefixLength} subnet(s) but ${needed} are needed ` +
        `(one public and one private per AZ for ${azCount} AZs)`,
    );
  }
  const size = 2 ** (32 - subnetPrefixLength);
  const block = (i: number) => formatCidr(base + i * size, subnetPrefixLength);
  return {
    public: Array.from({ length: azCount }, (_, i) => block(i)),
    private: Array.from({ length: azCount }, (_, i) => block(azCount + i)),
  };
}

export interface NetworkArgs {
  /**
   * Availability zones to spread subnets over, 2 to 6. Default: the length of
   * `availabilityZones` when given, otherwise 2.
   */
  azCount?: number;
  /** IPv4 CIDR of the VPC (/16 to /28). Default: "10.0.0.0/16". */
  cidrBlock?: string;
  /** Prefix length of each subnet carved from `cidrBlock`. Default: 20. */
  subnetPrefixLength?: number;
  /**
   * NAT for the private subnets. "single": one NAT gateway in the first public subnet shared by
   * every AZ (cheap, not AZ-resilient); "perAz": one per AZ; "none": private subnets have no
   * internet route and reach AWS only through VPC endpoints. Default: "single".
   */
  natGateways?: NatGatewayMode;
  /**
   * Zone names to use (the first `azCount` are taken). Default: the region's available,
   * non-opt-in zones (no Local or Wavelength Zones), first `azCount` of them.
   */
  availabilityZones?: string[];
  /**
   * Interface endpoints to create in the private subnets with private DNS, by service short
   * name ("sqs", "sns", "kinesis-streams", "logs", "monitoring", "ecr.api", "ecr.dkr",
   * "secretsmanager", ...). S3 and DynamoDB always get (free) gateway endpoints instead.
   * Default: none.
   */
  interfaceEndpoints?: string[];
  /** Retention of the VPC flow log group, in days (a value CloudWatch accepts). Default: 14. */
  flowLogRetentionDays?: number;
  /**
   * KMS key for the flow log group; its policy must let CloudWatch Logs use it (ServiceKey's
   * `allowLogs`). Default: CloudWatch Logs' own encryption.
   */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Override hooks, one per child kind (the name passed to a function hook tells which child). Default: none. */
  transform?: {
    vpc?: Transform<aws.ec2.VpcArgs>;
    /** Both tiers; names end in `-public-<i>` or `-private-<i>`. */
    subnet?: Transform<aws.ec2.SubnetArgs>;
    internetGateway?: Transform<aws.ec2.InternetGatewayArgs>;
    routeTable?: Transform<aws.ec2.RouteTableArgs>;
    route?: Transform<aws.ec2.RouteArgs>;
    eip?: Transform<aws.ec2.EipArgs>;
    natGateway?: Transform<aws.ec2.NatGatewayArgs>;
    /** Gateway and interface endpoints; names end in the service short name. */
    vpcEndpoint?: Transform<aws.ec2.VpcEndpointArgs>;
    endpointSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    defaultSecurityGroup?: Transform<aws.ec2.DefaultSecurityGroupArgs>;
    flowLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    flowLogRole?: Transform<aws.iam.RoleArgs>;
    flowLogPolicy?: Transform<aws.iam.RolePolicyArgs>;
    flowLog?: Transform<aws.ec2.FlowLogArgs>;
  };
}

/** Where an egress-only security group may send HTTPS. */
export type EgressDestination = "internet" | "vpc";

export interface EgressOnlySecurityGroupOptions {
  /**
   * "internet": 443 to 0.0.0.0/0 (AWS APIs through the NAT gateway). "vpc": 443 to the VPC CIDR
   * (interface endpoints) and to the S3 and DynamoDB prefix lists (gateway endpoints).
   * Default: "vpc" when the network has no NAT gateway, otherwise "internet".
   */
  destination?: EgressDestination;
  /** Parent of the group and its rules. Default: the network. */
  parent?: pulumi.Resource;
  /** Override hooks. Default: none. */
  transform?: {
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    rule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
  };
}

/**
 * A VPC with one public and one private subnet per AZ, NAT per `natGateways`, gateway endpoints
 * for S3 and DynamoDB on every private route table, optional interface endpoints, the default
 * security group stripped of its rules, and flow logs of all traffic to CloudWatch Logs. Every
 * piece is a plain `aws.*` resource so tests and the offline plan can see it.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly vpcId: pulumi.Output<string>;
  /** The VPC's IPv4 CIDR block (known before deployment). */
  readonly cidrBlock: string;
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly publicSubnets: aws.ec2.Subnet[];
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly internetGateway: aws.ec2.InternetGateway;
  readonly publicRouteTable: aws.ec2.RouteTable;
  /** One per AZ, in AZ order. */
  readonly privateRouteTables: aws.ec2.RouteTable[];
  readonly privateRouteTableIds: pulumi.Output<string[]>;
  /** None, one, or one per AZ, per `natGateways`. */
  readonly natGateways: aws.ec2.NatGateway[];
  /** VPC endpoints by service short name ("s3", "dynamodb", then each interface endpoint). */
  readonly endpoints: Record<string, aws.ec2.VpcEndpoint>;
  /** Admits 443 from the VPC CIDR to the interface endpoints; absent when there are none. */
  readonly endpointSecurityGroup?: aws.ec2.SecurityGroup;
  readonly defaultSecurityGroup: aws.ec2.DefaultSecurityGroup;
  readonly flowLogGroup: aws.cloudwatch.LogGroup;
  readonly flowLogRole: aws.iam.Role;
  readonly flowLog: aws.ec2.FlowLog;
  /** The NAT setting, so helpers can pick sensible egress. */
  readonly natGatewayMode: NatGatewayMode;
  /** Grants of the callers in the private subnets: `completeEndpoints` derives endpoints from them. */
  readonly callLedger = new CallLedger();
  /** Admits 443 from the private subnets to the derived endpoints (set by `completeEndpoints`). */
  derivedEndpointSecurityGroup?: aws.ec2.SecurityGroup;
  /** CIDR blocks of the private subnets, in AZ order. */
  readonly privateSubnetCidrs: string[];
  private readonly endpointContext: {
    name: string;
    region: pulumi.Output<string>;
    account: pulumi.Output<string>;
    transform: NonNullable<NetworkArgs["transform"]>;
  };

  constructor(name: string, args: NetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:network:Network", name, {}, opts);
    const azCount = args.azCount ?? args.availabilityZones?.length ?? AZ_COUNT;
    const cidrBlock = args.cidrBlock ?? VPC_CIDR;
    const natMode = args.natGateways ?? NAT_GATEWAYS;
    const retention = args.flowLogRetentionDays ?? LOG_RETENTION_DAYS;
    const interfaceServices = args.interfaceEndpoints ?? [];

    const errors = new ArgumentErrors("Network", name);
    errors.check(
      Number.isInteger(azCount) && azCount >= 2 && azCount <= 6,
      "azCount",
      `${azCount} is not an integer from 2 to 6`,
      "use 2 or more AZs (high availability) and at most 6",
    );
    errors.check(
      NAT_GATEWAY_MODES.includes(natMode),
      "natGateways",
      `"${String(natMode)}" is not a NAT mode`,
      `use one of ${NAT_GATEWAY_MODES.map((m) => `"${m}"`).join(", ")}`,
    );
    let plan: SubnetPlan | undefined;
    try {
      // An invalid azCount is reported above; size the plan for 2 AZs to still check the CIDR.
      const planAzs = Number.isInteger(azCount) && azCount >= 2 ? azCount : 2;
      plan = planSubnets(cidrBlock, planAzs, args.subnetPrefixLength);
    } catch (e) {
      errors.check(
        false,
        "cidrBlock",
        (e as Error).message,
        "give a network address and prefix such as 10.0.0.0/16 with room for 2 subnets per AZ, or a longer subnetPrefixLength",
      );
    }
    if (args.availabilityZones) {
      errors.check(
        args.availabilityZones.length >= azCount,
        "availabilityZones",
        `${args.availabilityZones.length} zone(s) given for azCount ${azCount}`,
        "list at least azCount zones or lower azCount",
      );
    }
    errors.checkLogRetention(retention, "flowLogRetentionDays");
    const badNames = interfaceServices.filter((s) => !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(s));
    errors.check(
      badNames.length === 0,
      "interfaceEndpoints",
      `${badNames.map((s) => `"${s}"`).join(", ")} not a service short name`,
      'use names like "sqs" or "ecr.api" (the part after com.amazonaws.<region>.)',
    );
    const gatewayServices = interfaceServices.filter((s) => s === "s3" || s === "dynamodb");
    errors.check(
      gatewayServices.length === 0,
      "interfaceEndpoints",
      `${gatewayServices.join(", ")} already get gateway endpoints`,
      "remove them: the free gateway endpoints serve the private subnets",
    );
    const duplicates = interfaceServices.filter((s, i) => interfaceServices.indexOf(s) !== i);
    errors.check(
      duplicates.length === 0,
      "interfaceEndpoints",
      `${duplicates.join(", ")} listed more than once`,
      "list each service once",
    );
    errors.throwIfAny();
    const subnets = plan as SubnetPlan;

    this.cidrBlock = cidrBlock;
    this.natGatewayMode = natMode;
    this.privateSubnetCidrs = subnets.private;
    const t = args.transform ?? {};
    const parent = { parent: this };
    const tags = (n: string) => ({ Name: n });
    const region = aws.getRegionOutput({}, parent).region;
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    this.endpointContext = { name, region, account, transform: t };

    this.availabilityZones = args.availabilityZones
      ? pulumi.output(args.availabilityZones.slice(0, azCount))
      : aws
          .getAvailabilityZonesOutput(
            {
              state: "available",
              filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
            },
            parent,
          )
          .names.apply((names) => {
            if (names.length < azCount) {
              throw new Error(
                `Network "${name}": the region has ${names.length} available AZs, azCount is ${azCount}`,
              );
            }
            return names.slice(0, azCount);
          });
    const az = (i: number) => this.availabilityZones.apply((zones) => zones[i]);

    this.vpc = new aws.ec2.Vpc(
      name,
      applyTransform<aws.ec2.VpcArgs>(
        { cidrBlock, enableDnsSupport: true, enableDnsHostnames: true, tags: tags(name) },
        t.vpc,
        name,
      ),
      parent,
    );
    this.vpcId = this.vpc.id;

    // Secure default: nothing may use the default security group (Security Hub EC2.2).
    this.defaultSecurityGroup = new aws.ec2.DefaultSecurityGroup(
      name,
      applyTransform<aws.ec2.DefaultSecurityGroupArgs>(
        { vpcId: this.vpcId, ingress: [], egress: [], tags: tags(`${name}-default`) },
        t.defaultSecurityGroup,
        name,
      ),
      parent,
    );

    const subnet = (tier: "public" | "private", i: number, cidr: string) => {
      const n = `${name}-${tier}-${i}`;
      return new aws.ec2.Subnet(
        n,
        applyTransform<aws.ec2.SubnetArgs>(
          {
            vpcId: this.vpcId,
            cidrBlock: cidr,
            availabilityZone: az(i),
            // NAT gateways get Elastic IPs; nothing else should be addressable from outside.
            mapPublicIpOnLaunch: false,
            tags: { ...tags(n), "serverless:tier": tier },
          },
          t.subnet,
          n,
        ),
        parent,
      );
    };
    this.publicSubnets = subnets.public.map((cidr, i) => subnet("public", i, cidr));
    this.privateSubnets = subnets.private.map((cidr, i) => subnet("private", i, cidr));
    this.publicSubnetIds = pulumi.all(this.publicSubnets.map((s) => s.id));
    this.privateSubnetIds = pulumi.all(this.privateSubnets.map((s) => s.id));

    this.internetGateway = new aws.ec2.InternetGateway(
      name,
      applyTransform<aws.ec2.InternetGatewayArgs>(
        { vpcId: this.vpcId, tags: tags(name) },
        t.internetGateway,
        name,
      ),
      parent,
    );

    const routeTable = (n: string) =>
      new aws.ec2.RouteTable(
        n,
        applyTransform<aws.ec2.RouteTableArgs>(
          { vpcId: this.vpcId, tags: tags(n) },
          t.routeTable,
          n,
        ),
        parent,
      );
    // Routes are separate resources (never inline) so a transform or another component can add
    // routes without the table's inline list fighting over them.
    const defaultRoute = (
      n: string,
      table: aws.ec2.RouteTable,
      target: Pick<aws.ec2.RouteArgs, "gatewayId" | "natGatewayId">,
    ) =>
      new aws.ec2.Route(
        n,
        applyTransform<aws.ec2.RouteArgs>(
          { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", ...target },
          t.route,
          n,
        ),
        parent,
      );
    const associate = (n: string, table: aws.ec2.RouteTable, s: aws.ec2.Subnet) =>
      new aws.ec2.RouteTableAssociation(n, { routeTableId: table.id, subnetId: s.id }, parent);

    this.publicRouteTable = routeTable(`${name}-public`);
    defaultRoute(`${name}-public-default`, this.publicRouteTable, {
      gatewayId: this.internetGateway.id,
    });
    this.publicSubnets.forEach((s, i) =>
      associate(`${name}-public-${i}`, this.publicRouteTable, s),
    );

    const natCount = natMode === "perAz" ? azCount : natMode === "single" ? 1 : 0;
    this.natGateways = Array.from({ length: natCount }, (_, i) => {
      const n = `${name}-${i}`;
      // Both need the IGW attached first, or the EIP cannot be associated.
      const eip = new aws.ec2.Eip(
        n,
        applyTransform<aws.ec2.EipArgs>({ domain: "vpc", tags: tags(n) }, t.eip, n),
        { parent: this, dependsOn: [this.internetGateway] },
      );
      return new aws.ec2.NatGateway(
        n,
        applyTransform<aws.ec2.NatGatewayArgs>(
          {
            allocationId: eip.allocationId,
            subnetId: this.publicSubnets[i].id,
            connectivityType: "public",
            tags: tags(n),
          },
          t.natGateway,
          n,
        ),
        { parent: this, dependsOn: [this.internetGateway] },
      );
    });

    this.privateRouteTables = this.privateSubnets.map((s, i) => {
      const n = `${name}-private-${i}`;
      const table = routeTable(n);
      associate(n, table, s);
      if (this.natGateways.length > 0) {
        const nat = this.natGateways[natMode === "perAz" ? i : 0];
        defaultRoute(`${n}-default`, table, { natGatewayId: nat.id });
      }
      return table;
    });
    this.privateRouteTableIds = pulumi.all(this.privateRouteTables.map((r) => r.id));

    const endpoint = (
      service: string,
      args: Omit<aws.ec2.VpcEndpointArgs, "vpcId" | "serviceName">,
    ) => {
      const n = `${name}-${service.replace(/\./g, "-")}`;
      return new aws.ec2.VpcEndpoint(
        n,
        applyTransform<aws.ec2.VpcEndpointArgs>(
          {
            vpcId: this.vpcId,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
            ...args,
            tags: tags(n),
          },
          t.vpcEndpoint,
          n,
        ),
        parent,
      );
    };
    this.endpoints = {};
    for (const service of ["s3", "dynamodb"]) {
      this.endpoints[service] = endpoint(service, {
        vpcEndpointType: "Gateway",
        routeTableIds: this.privateRouteTableIds,
      });
    }

    if (interfaceServices.length > 0) {
      const sgName = `${name}-endpoints`;
      const sg = new aws.ec2.SecurityGroup(
        sgName,
        applyTransform<aws.ec2.SecurityGroupArgs>(
          {
            vpcId: this.vpcId,
            description: `HTTPS from ${cidrBlock} to the interface endpoints of ${name}`,
            tags: tags(sgName),
          },
          t.endpointSecurityGroup,
          sgName,
        ),
        parent,
      );
      new aws.vpc.SecurityGroupIngressRule(
        `${sgName}-https`,
        {
          securityGroupId: sg.id,
          description: "HTTPS from inside the VPC",
          ipProtocol: "tcp",
          fromPort: HTTPS,
          toPort: HTTPS,
          cidrIpv4: cidrBlock,
        },
        parent,
      );
      this.endpointSecurityGroup = sg;
      for (const service of interfaceServices) {
        this.endpoints[service] = endpoint(service, {
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: this.privateSubnetIds,
          securityGroupIds: [sg.id],
        });
      }
    }

    const flowName = `${name}-flow-logs`;
    this.flowLogGroup = new aws.cloudwatch.LogGroup(
      flowName,
      applyTransform<aws.cloudwatch.LogGroupArgs>(
        {
          name: `/aws/vpc/${pulumi.getProject()}-${pulumi.getStack()}/${name}/flow-logs`,
          retentionInDays: retention,
          kmsKeyId: args.logKmsKeyArn,
        },
        t.flowLogGroup,
        flowName,
      ),
      parent,
    );
    this.flowLogRole = new aws.iam.Role(
      flowName,
      applyTransform<aws.iam.RoleArgs>(
        {
          assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com", account),
          description: `Delivers flow logs of VPC ${name} to its log group`,
        },
        t.flowLogRole,
        flowName,
      ),
      parent,
    );
    const flowPolicy = new aws.iam.RolePolicy(
      flowName,
      applyTransform<aws.iam.RolePolicyArgs>(
        {
          role: this.flowLogRole.id,
          policy: policyDocument(
            [
              // The reference: DescribeLogStreams acts on the group, CreateLogStream and
              // PutLogEvents on its streams.
              allow(["logs:DescribeLogStreams"], [this.flowLogGroup.arn]),
              allow(
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [pulumi.interpolate`${this.flowLogGroup.arn}:*`],
              ),
            ],
            `Network "${name}" role policy`,
          ),
        },
        t.flowLogPolicy,
        flowName,
      ),
      parent,
    );
    this.flowLog = new aws.ec2.FlowLog(
      flowName,
      applyTransform<aws.ec2.FlowLogArgs>(
        {
          vpcId: this.vpcId,
          trafficType: "ALL",
          logDestinationType: "cloud-watch-logs",
          logDestination: this.flowLogGroup.arn,
          iamRoleArn: this.flowLogRole.arn,
          tags: tags(flowName),
        },
        t.flowLog,
        flowName,
      ),
      // Without the policy the first delivery fails and the flow log shows an error status.
      { parent: this, dependsOn: [flowPolicy] },
    );

    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      privateRouteTableIds: this.privateRouteTableIds,
      availabilityZones: this.availabilityZones,
      cidrBlock: this.cidrBlock,
    });
  }

  /**
   * Without NAT: creates the interface endpoints the callers recorded in `callLedger` need (see
   * interfaceEndpoints.ts), or throws naming a call no endpoint serves. Call it once, after every
   * caller is built. With NAT gateways it creates nothing: the callers reach AWS through NAT.
   */
  completeEndpoints(): void {
    if (this.natGatewayMode !== "none") return;
    const { name, region, account, transform } = this.endpointContext;
    this.callLedger.seal(`the endpoints of network "${name}" were created`);
    const derived = createDerivedEndpoints(
      name,
      {
        vpcId: this.vpcId,
        privateSubnetIds: this.privateSubnetIds,
        privateSubnetCidrs: this.privateSubnetCidrs,
        region,
        account,
      },
      {
        callers: this.callLedger.callers,
        existing: Object.keys(this.endpoints),
        transform: {
          vpcEndpoint: transform.vpcEndpoint,
          securityGroup: transform.endpointSecurityGroup,
        },
      },
      this,
    );
    Object.assign(this.endpoints, derived.endpoints);
    this.derivedEndpointSecurityGroup = derived.securityGroup;
  }

  /**
   * A security group for Lambda functions or Fargate tasks in the private subnets: no ingress,
   * egress only on 443 (see `options.destination`). Add ingress with
   * `aws.vpc.SecurityGroupIngressRule` resources, not inline rules, so the two never conflict.
   */
  egressOnlySecurityGroup(
    name: string,
    description: string,
    options: EgressOnlySecurityGroupOptions = {},
  ): aws.ec2.SecurityGroup {
    const destination =
      options.destination ?? (this.natGatewayMode === "none" ? "vpc" : "internet");
    const parent = { parent: options.parent ?? this };
    const sg = new aws.ec2.SecurityGroup(
      name,
      applyTransform<aws.ec2.SecurityGroupArgs>(
        { vpcId: this.vpcId, description, tags: { Name: name } },
        options.transform?.securityGroup,
        name,
      ),
      parent,
    );
    const rule = (n: string, target: Partial<aws.vpc.SecurityGroupEgressRuleArgs>, what: string) =>
      new aws.vpc.SecurityGroupEgressRule(
        n,
        applyTransform<aws.vpc.SecurityGroupEgressRuleArgs>(
          {
            securityGroupId: sg.id,
            description: `HTTPS to ${what}`,
            ipProtocol: "tcp",
            fromPort: HTTPS,
            toPort: HTTPS,
            ...target,
          },
          options.transform?.rule,
          n,
        ),
        parent,
      );
    if (destination === "internet") {
      rule(`${name}-https`, { cidrIpv4: "0.0.0.0/0" }, "AWS APIs and the internet via NAT");
    } else {
      rule(`${name}-https-vpc`, { cidrIpv4: this.cidrBlock }, "interface endpoints in the VPC");
      rule(
        `${name}-https-s3`,
        { prefixListId: this.endpoints.s3.prefixListId },
        "the S3 gateway endpoint",
      );
      rule(
        `${name}-https-dynamodb`,
        { prefixListId: this.endpoints.dynamodb.prefixListId },
        "the DynamoDB gateway endpoint",
      );
    }
    return sg;
  }

  /**
   * `vpc` settings for Lambda functions in the private subnets, behind a new
   * `egressOnlySecurityGroup(name, description, options)`.
   */
  functionVpc(
    name: string,
    description: string,
    options: EgressOnlySecurityGroupOptions = {},
  ): {
    subnetIds: pulumi.Output<string[]>;
    securityGroupIds: pulumi.Output<string>[];
    callLedger: CallLedger;
  } {
    return {
      subnetIds: this.privateSubnetIds,
      securityGroupIds: [this.egressOnlySecurityGroup(name, description, options).id],
      callLedger: this.callLedger,
    };
  }
}
