import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedComponent } from "../core/component";
import { egressOnlySecurityGroup } from "./egressOnlySecurityGroup";
import { createFlowLogs } from "./flowLogs";
import { CallLedger } from "../security/callLedger";
import { createDerivedEndpoints } from "./interfaceEndpoints";
import { createHttpsIngressGroup, createVpcEndpoint } from "./vpcEndpoint";
import { transform } from "../core/transform";
import {
  EgressOnlySecurityGroupOptions,
  NetworkArgs,
  NetworkPlan,
  NatGatewayMode,
  planNetwork,
} from "./networkPlan";

// The args and the pure planning (CIDRs, defaults, validation) live in networkPlan.ts.
export { NAT_GATEWAY_MODES, formatCidr, parseCidr, planNetwork, planSubnets } from "./networkPlan";
export type {
  EgressDestination,
  EgressOnlySecurityGroupOptions,
  HTTPS,
  NatGatewayMode,
  NetworkArgs,
  NetworkPlan,
  ParsedCidr,
  SubnetPlan,
} from "./networkPlan";

type Tier = "public" | "private";
type DefaultRouteTarget = Pick<aws.ec2.RouteArgs, "gatewayId" | "natGatewayId">;

/**
 * A VPC with one public and one private subnet per AZ, NAT per `natGateways`, gateway endpoints
 * for S3 and DynamoDB on every private route table, optional interface endpoints, the default
 * security group stripped of its rules, and flow logs of all traffic to CloudWatch Logs. Every
 * piece is a plain `aws.*` resource so tests and the offline plan can see it.
 */
export class Network extends PlannedComponent<NetworkArgs, NetworkPlan> {
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

  private readonly logicalName: string;
  private readonly region: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:network:Network", name, args, planNetwork, opts);
    this.logicalName = name;
    this.cidrBlock = this.plan.cidrBlock;
    this.natGatewayMode = this.plan.natMode;
    this.privateSubnetCidrs = this.plan.subnets.private;

    this.region = aws.getRegionOutput({}, { parent: this }).region;
    this.availabilityZones = this.lookUpAvailabilityZones();
    this.vpc = this.createVpc();
    this.vpcId = this.vpc.id;
    this.defaultSecurityGroup = this.createDefaultSecurityGroup();
    this.publicSubnets = this.plan.subnets.public.map((c, i) => this.createSubnet("public", i, c));
    this.privateSubnets = this.plan.subnets.private.map((c, i) =>
      this.createSubnet("private", i, c),
    );
    this.publicSubnetIds = pulumi.all(this.publicSubnets.map((s) => s.id));
    this.privateSubnetIds = pulumi.all(this.privateSubnets.map((s) => s.id));
    this.internetGateway = this.createInternetGateway();
    this.publicRouteTable = this.createPublicRouteTable();
    this.natGateways = Array.from({ length: this.plan.natCount }, (_, i) =>
      this.createNatGateway(i),
    );
    this.privateRouteTables = this.privateSubnets.map((s, i) => this.createPrivateRouteTable(s, i));
    this.privateRouteTableIds = pulumi.all(this.privateRouteTables.map((r) => r.id));
    this.endpoints = {};
    for (const service of ["s3", "dynamodb"]) {
      this.endpoints[service] = this.createEndpoint(service, {
        vpcEndpointType: "Gateway",
        routeTableIds: this.privateRouteTableIds,
      });
    }
    if (this.plan.interfaceServices.length > 0) {
      const sg = this.createEndpointSecurityGroup();
      this.endpointSecurityGroup = sg;
      for (const service of this.plan.interfaceServices) {
        this.endpoints[service] = this.createEndpoint(service, {
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: this.privateSubnetIds,
          securityGroupIds: [sg.id],
        });
      }
    }
    const flow = createFlowLogs(name, {
      vpcId: this.vpcId,
      retentionDays: this.plan.retention,
      kmsKeyArn: args.logKmsKeyArn,
      transform: this.t,
      parent: this,
    });
    this.flowLogGroup = flow.group;
    this.flowLogRole = flow.role;
    this.flowLog = flow.flowLog;

    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      privateRouteTableIds: this.privateRouteTableIds,
      availabilityZones: this.availabilityZones,
      cidrBlock: this.cidrBlock,
    });
  }

  /** The zones given, or the region's available non-opt-in zones; too few is an error. */
  private lookUpAvailabilityZones(): pulumi.Output<string[]> {
    const { azCount } = this.plan;
    if (this.args.availabilityZones) {
      return pulumi.output(this.args.availabilityZones.slice(0, azCount));
    }
    return aws
      .getAvailabilityZonesOutput(
        {
          state: "available",
          filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        },
        { parent: this },
      )
      .names.apply((names) => {
        if (names.length < azCount) {
          throw new Error(
            `Network "${this.logicalName}": the region has ${names.length} available AZs, azCount is ${azCount}`,
          );
        }
        return names.slice(0, azCount);
      });
  }

  private createVpc(): aws.ec2.Vpc {
    const name = this.logicalName;
    return new aws.ec2.Vpc(
      ...transform(
        this.t.vpc,
        name,
        {
          cidrBlock: this.cidrBlock,
          enableDnsSupport: true,
          enableDnsHostnames: true,
          tags: { Name: name },
        },
        { parent: this },
      ),
    );
  }

  /** Secure default: nothing may use the default security group (Security Hub EC2.2). */
  private createDefaultSecurityGroup(): aws.ec2.DefaultSecurityGroup {
    const name = this.logicalName;
    return new aws.ec2.DefaultSecurityGroup(
      ...transform(
        this.t.defaultSecurityGroup,
        name,
        { vpcId: this.vpcId, ingress: [], egress: [], tags: { Name: `${name}-default` } },
        { parent: this },
      ),
    );
  }

  private createSubnet(tier: Tier, i: number, cidr: string): aws.ec2.Subnet {
    const n = `${this.logicalName}-${tier}-${i}`;
    return new aws.ec2.Subnet(
      ...transform(
        this.t.subnet,
        n,
        {
          vpcId: this.vpcId,
          cidrBlock: cidr,
          availabilityZone: this.availabilityZones.apply((zones) => zones[i]),
          // NAT gateways get Elastic IPs; nothing else should be addressable from outside.
          mapPublicIpOnLaunch: false,
          tags: { Name: n, "serverless:tier": tier },
        },
        { parent: this },
      ),
    );
  }

  private createInternetGateway(): aws.ec2.InternetGateway {
    const name = this.logicalName;
    return new aws.ec2.InternetGateway(
      ...transform(
        this.t.internetGateway,
        name,
        { vpcId: this.vpcId, tags: { Name: name } },
        { parent: this },
      ),
    );
  }

  /** A route table, its default route (when it has a target) and its subnets' associations. */
  private createRouteTable(
    n: string,
    subnets: [string, aws.ec2.Subnet][],
    target?: DefaultRouteTarget,
  ): aws.ec2.RouteTable {
    const table = new aws.ec2.RouteTable(
      ...transform(
        this.t.routeTable,
        n,
        { vpcId: this.vpcId, tags: { Name: n } },
        { parent: this },
      ),
    );
    for (const [an, subnet] of subnets) {
      new aws.ec2.RouteTableAssociation(
        ...transform(
          this.t.routeTableAssociation,
          an,
          { routeTableId: table.id, subnetId: subnet.id },
          { parent: this },
        ),
      );
    }
    // Routes are separate resources (never inline) so a transform or another component can add
    // routes without the table's inline list fighting over them.
    if (target) {
      new aws.ec2.Route(
        ...transform(
          this.t.route,
          `${n}-default`,
          { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", ...target },
          { parent: this },
        ),
      );
    }
    return table;
  }

  private createPublicRouteTable(): aws.ec2.RouteTable {
    const name = this.logicalName;
    return this.createRouteTable(
      `${name}-public`,
      this.publicSubnets.map((s, i) => [`${name}-public-${i}`, s]),
      { gatewayId: this.internetGateway.id },
    );
  }

  /** One table per AZ; its default route goes to its AZ's NAT gateway (or the single one). */
  private createPrivateRouteTable(subnet: aws.ec2.Subnet, i: number): aws.ec2.RouteTable {
    const n = `${this.logicalName}-private-${i}`;
    const nat = this.natGateways[this.plan.natMode === "perAz" ? i : 0];
    return this.createRouteTable(n, [[n, subnet]], nat ? { natGatewayId: nat.id } : undefined);
  }

  private createNatGateway(i: number): aws.ec2.NatGateway {
    const n = `${this.logicalName}-${i}`;
    // Both need the IGW attached first, or the EIP cannot be associated.
    const opts = { parent: this, dependsOn: [this.internetGateway] };
    const eip = new aws.ec2.Eip(
      ...transform(this.t.eip, n, { domain: "vpc", tags: { Name: n } }, opts),
    );
    return new aws.ec2.NatGateway(
      ...transform(
        this.t.natGateway,
        n,
        {
          allocationId: eip.allocationId,
          subnetId: this.publicSubnets[i].id,
          connectivityType: "public",
          tags: { Name: n },
        },
        opts,
      ),
    );
  }

  private createEndpoint(
    service: string,
    args: Omit<aws.ec2.VpcEndpointArgs, "vpcId" | "serviceName" | "tags">,
  ): aws.ec2.VpcEndpoint {
    const vpc = { vpcId: this.vpcId, region: this.region };
    return createVpcEndpoint(this.logicalName, service, vpc, args, this.t.vpcEndpoint, this);
  }

  /** Admits HTTPS from the VPC CIDR to the interface endpoints. */
  private createEndpointSecurityGroup(): aws.ec2.SecurityGroup {
    const sgName = `${this.logicalName}-endpoints`;
    return createHttpsIngressGroup(
      {
        name: sgName,
        vpcId: this.vpcId,
        description: `HTTPS from ${this.cidrBlock} to the interface endpoints of ${this.logicalName}`,
        nameTag: sgName,
        sources: [
          { suffix: "https", cidr: this.cidrBlock, description: "HTTPS from inside the VPC" },
        ],
        transform: {
          securityGroup: this.t.endpointSecurityGroup,
          rule: this.t.endpointIngressRule,
        },
      },
      this,
    );
  }

  /**
   * Without NAT: creates the interface endpoints the callers recorded in `callLedger` need (see
   * interfaceEndpoints.ts), or throws naming a call no endpoint serves. Call it once, after every
   * caller is built. With NAT gateways it creates nothing: the callers reach AWS through NAT.
   */
  completeEndpoints(): void {
    if (this.natGatewayMode !== "none") return;
    const name = this.logicalName;
    this.callLedger.seal(`the endpoints of network "${name}" were created`);
    const derived = createDerivedEndpoints(
      name,
      {
        vpcId: this.vpcId,
        privateSubnetIds: this.privateSubnetIds,
        privateSubnetCidrs: this.privateSubnetCidrs,
        region: this.region,
        account: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
      },
      {
        callers: this.callLedger.callers,
        existing: Object.keys(this.endpoints),
        transform: {
          vpcEndpoint: this.t.vpcEndpoint,
          securityGroup: this.t.endpointSecurityGroup,
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
    return egressOnlySecurityGroup(this, name, description, options);
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
