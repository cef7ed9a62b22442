import { StateFn, autoName, arn, securityGroupRule, prefixed } from "../mockStateKit";

/** Mocked state of the EC2, VPC and load balancing resources the program creates. */
export const NETWORK_STATES: Record<string, StateFn> = {
  "aws:ec2/vpc:Vpc": (c) => {
    const id = `vpc-${c.hex(17)}`;
    return {
      id,
      state: {
        arn: arn(c, "ec2", `vpc/${id}`),
        defaultSecurityGroupId: `sg-${c.hex(17).replace(/^./, "d")}`,
        defaultRouteTableId: `rtb-${c.hex(17).replace(/^./, "d")}`,
        defaultNetworkAclId: `acl-${c.hex(17)}`,
        mainRouteTableId: `rtb-${c.hex(17).replace(/^./, "m")}`,
      },
    };
  },
  "aws:ec2/subnet:Subnet": (c) => prefixed(c, "subnet", "subnet"),
  "aws:ec2/securityGroup:SecurityGroup": (c) => {
    const r = prefixed(c, "sg", "security-group");
    return { id: r.id, state: { ...r.state, name: autoName(c.name, c.inputs) } };
  },
  "aws:ec2/internetGateway:InternetGateway": (c) => prefixed(c, "igw", "internet-gateway"),
  "aws:ec2/natGateway:NatGateway": (c) => prefixed(c, "nat", "natgateway"),
  "aws:ec2/eip:Eip": (c) => {
    const id = `eipalloc-${c.hex(17)}`;
    const n = parseInt(c.hex(4), 16);
    return {
      id,
      state: {
        allocationId: id,
        publicIp: `203.0.113.${(n % 254) + 1}`,
        arn: arn(c, "ec2", `elastic-ip/${id}`),
      },
    };
  },
  "aws:ec2/routeTable:RouteTable": (c) => prefixed(c, "rtb", "route-table"),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => {
    const r = prefixed(c, "vpce", "vpc-endpoint");
    const gateway =
      c.inputs.vpcEndpointType === "Gateway" || c.inputs.vpcEndpointType === undefined;
    return {
      id: r.id,
      state: { ...r.state, ...(gateway ? { prefixListId: `pl-${c.hex(8)}` } : {}) },
    };
  },
  "aws:ec2/flowLog:FlowLog": (c) => prefixed(c, "fl", "vpc-flow-log"),
  "aws:ec2/route:Route": (c) => {
    // The provider's id: route table id + hash of the destination.
    const id = `r-${String(c.inputs.routeTableId)}${parseInt(c.hex(8), 16) % 2147483647}`;
    return { id, state: { state: "active", origin: "CreateRoute" } };
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (c) => ({
    id: `rtbassoc-${c.hex(17)}`,
    state: {},
  }),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (c) => {
    const r = prefixed(c, "sg", "security-group");
    return { id: r.id, state: { ...r.state, name: "default", ownerId: c.accountId } };
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => securityGroupRule(c),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (c) => securityGroupRule(c),
  "aws:lb/loadBalancer:LoadBalancer": (c) => {
    const name = autoName(c.name, c.inputs, "name", 32);
    const kind = c.inputs.loadBalancerType === "network" ? "net" : "app";
    const suffix = `${kind}/${name}/${c.hex(16)}`;
    const internal = c.inputs.internal === true ? "internal-" : "";
    return {
      id: arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`),
      state: {
        name,
        arn: arn(c, "elasticloadbalancing", `loadbalancer/${suffix}`),
        arnSuffix: suffix,
        dnsName: `${internal}${name}-${parseInt(c.hex(8), 16)}.${c.region}.elb.amazonaws.com`,
        zoneId: "Z35SXDOTRQ7X7K",
      },
    };
  },
  "aws:lb/targetGroup:TargetGroup": (c) => {
    const name = autoName(c.name, c.inputs, "name", 32);
    const suffix = `targetgroup/${name}/${c.hex(16)}`;
    const a = arn(c, "elasticloadbalancing", suffix);
    return { id: a, state: { name, arn: a, arnSuffix: suffix } };
  },
  "aws:lb/listener:Listener": (c) => {
    const lb = String(c.inputs.loadBalancerArn ?? "");
    const lbPart = lb.includes("loadbalancer/")
      ? lb.split("loadbalancer/")[1]
      : `app/lb/${c.hex(16)}`;
    const a = arn(c, "elasticloadbalancing", `listener/${lbPart}/${c.hex(16)}`);
    return { id: a, state: { arn: a } };
  },
  "aws:lb/listenerRule:ListenerRule": (c) => {
    const listener = String(c.inputs.listenerArn ?? "");
    const a = listener.replace(":listener/", ":listener-rule/") + `/${c.hex(16)}`;
    return { id: a, state: { arn: a } };
  },
};
