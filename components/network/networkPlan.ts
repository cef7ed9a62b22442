import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  AZ_COUNT,
  LOG_RETENTION_DAYS,
  NAT_GATEWAYS,
  SUBNET_PREFIX_LENGTH,
  VPC_CIDR,
} from "../core/defaults";
import type { Transforms } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

/** How private subnets reach the internet. */
export type NatGatewayMode = "none" | "single" | "perAz";
export const NAT_GATEWAY_MODES: readonly NatGatewayMode[] = ["none", "single", "perAz"];

/** AWS limits: a VPC's CIDR is /16 to /28, and so is a subnet's. */
const MIN_PREFIX = 16;
const MAX_PREFIX = 28;
export const HTTPS = 443;

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
   * Availability zones to spread subnets over, 2 to 6.
   * @default the length of `availabilityZones` when given, otherwise 2
   */
  azCount?: number;
  /**
   * IPv4 CIDR of the VPC (/16 to /28).
   * @default "10.0.0.0/16"
   */
  cidrBlock?: string;
  /**
   * Prefix length of each subnet carved from `cidrBlock`.
   * @default 20
   */
  subnetPrefixLength?: number;
  /**
   * NAT for the private subnets. "single": one NAT gateway in the first public subnet shared by
   * every AZ (cheap, not AZ-resilient); "perAz": one per AZ; "none": private subnets have no
   * internet route and reach AWS only through VPC endpoints.
   * @default "single"
   */
  natGateways?: NatGatewayMode;
  /**
   * Zone names to use (the first `azCount` are taken).
   * @default the region's available, non-opt-in zones (no Local or Wavelength Zones), first `azCount` of them
   */
  availabilityZones?: string[];
  /**
   * Interface endpoints to create in the private subnets with private DNS, by service short name
   * ("sqs", "sns", "kinesis-streams", "logs", "monitoring", "ecr.api", "ecr.dkr", "secretsmanager",
   * ...). S3 and DynamoDB always get (free) gateway endpoints instead.
   * @default none
   */
  interfaceEndpoints?: string[];
  /**
   * Retention of the VPC flow log group, in days (a value CloudWatch accepts).
   * @default 14
   */
  flowLogRetentionDays?: number;
  /**
   * KMS key for the flow log group; its policy must let CloudWatch Logs use it (ServiceKey's
   * `allowLogs`).
   * @default CloudWatch Logs' own encryption
   */
  logKmsKeyArn?: pulumi.Input<string>;
  /**
   * Override hooks, one per child kind (the name passed to a function hook tells which child).
   * @default none
   */
  transform?: Transforms<{
    vpc: aws.ec2.VpcArgs;
    /** Both tiers; names end in `-public-<i>` or `-private-<i>`. */
    subnet: aws.ec2.SubnetArgs;
    internetGateway: aws.ec2.InternetGatewayArgs;
    routeTable: aws.ec2.RouteTableArgs;
    route: aws.ec2.RouteArgs;
    /** Each subnet's association with its route table; names as the subnets'. */
    routeTableAssociation: aws.ec2.RouteTableAssociationArgs;
    eip: aws.ec2.EipArgs;
    natGateway: aws.ec2.NatGatewayArgs;
    /** Gateway and interface endpoints; names end in the service short name. */
    vpcEndpoint: aws.ec2.VpcEndpointArgs;
    endpointSecurityGroup: aws.ec2.SecurityGroupArgs;
    /** The endpoint group's HTTPS-from-the-VPC rule. */
    endpointIngressRule: aws.vpc.SecurityGroupIngressRuleArgs;
    defaultSecurityGroup: aws.ec2.DefaultSecurityGroupArgs;
    flowLogGroup: aws.cloudwatch.LogGroupArgs;
    flowLogRole: aws.iam.RoleArgs;
    flowLogPolicy: aws.iam.RolePolicyArgs;
    flowLog: aws.ec2.FlowLogArgs;
  }>;
}

/** Where an egress-only security group may send HTTPS. */
export type EgressDestination = "internet" | "vpc";

export interface EgressOnlySecurityGroupOptions {
  /**
   * "internet": 443 to 0.0.0.0/0 (AWS APIs through the NAT gateway). "vpc": 443 to the VPC CIDR
   * (interface endpoints) and to the S3 and DynamoDB prefix lists (gateway endpoints).
   * @default "vpc" when the network has no NAT gateway, otherwise "internet"
   */
  destination?: EgressDestination;
  /**
   * Parent of the group and its rules.
   * @default the network
   */
  parent?: pulumi.Resource;
  /**
   * Override hooks.
   * @default none
   */
  transform?: Transforms<{
    securityGroup: aws.ec2.SecurityGroupArgs;
    rule: aws.vpc.SecurityGroupEgressRuleArgs;
  }>;
}

/** A Network's args with every default resolved and its subnets carved. */
export interface NetworkPlan {
  azCount: number;
  cidrBlock: string;
  natMode: NatGatewayMode;
  /** NAT gateways to create: 0, 1 or one per AZ. */
  natCount: number;
  retention: number;
  interfaceServices: string[];
  subnets: SubnetPlan;
}

/** Resolves a Network's defaults and carves its subnets; throws one Error listing every problem. */
export function planNetwork(name: string, args: NetworkArgs): NetworkPlan {
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
  const natCount = natMode === "perAz" ? azCount : natMode === "single" ? 1 : 0;
  return {
    azCount,
    cidrBlock,
    natMode,
    natCount,
    retention,
    interfaceServices,
    subnets: plan as SubnetPlan,
  };
}
