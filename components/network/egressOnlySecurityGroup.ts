import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { transform } from "../core/transform";
import { EgressOnlySecurityGroupOptions, HTTPS, NatGatewayMode } from "./networkPlan";

/** What the group needs from its network (a `Network` fits). */
export interface EgressNetwork extends pulumi.Resource {
  vpcId: pulumi.Input<string>;
  cidrBlock: string;
  natGatewayMode: NatGatewayMode;
  endpoints: Record<string, aws.ec2.VpcEndpoint>;
}

/**
 * A security group for Lambda functions or Fargate tasks in the private subnets: no ingress,
 * egress only on 443 (see `options.destination`). Add ingress with
 * `aws.vpc.SecurityGroupIngressRule` resources, not inline rules, so the two never conflict.
 */
export function egressOnlySecurityGroup(
  network: EgressNetwork,
  name: string,
  description: string,
  options: EgressOnlySecurityGroupOptions = {},
): aws.ec2.SecurityGroup {
  const destination =
    options.destination ?? (network.natGatewayMode === "none" ? "vpc" : "internet");
  const parent = { parent: options.parent ?? network };
  const sg = new aws.ec2.SecurityGroup(
    ...transform(
      options.transform?.securityGroup,
      name,
      { vpcId: network.vpcId, description, tags: { Name: name } },
      parent,
    ),
  );
  const rule = (n: string, target: Partial<aws.vpc.SecurityGroupEgressRuleArgs>, what: string) =>
    new aws.vpc.SecurityGroupEgressRule(
      ...transform(
        options.transform?.rule,
        n,
        {
          securityGroupId: sg.id,
          description: `HTTPS to ${what}`,
          ipProtocol: "tcp",
          fromPort: HTTPS,
          toPort: HTTPS,
          ...target,
        },
        parent,
      ),
    );
  if (destination === "internet") {
    rule(`${name}-https`, { cidrIpv4: "0.0.0.0/0" }, "AWS APIs and the internet via NAT");
  } else {
    rule(`${name}-https-vpc`, { cidrIpv4: network.cidrBlock }, "interface endpoints in the VPC");
    rule(
      `${name}-https-s3`,
      { prefixListId: network.endpoints.s3.prefixListId },
      "the S3 gateway endpoint",
    );
    rule(
      `${name}-https-dynamodb`,
      { prefixListId: network.endpoints.dynamodb.prefixListId },
      "the DynamoDB gateway endpoint",
    );
  }
  return sg;
}
