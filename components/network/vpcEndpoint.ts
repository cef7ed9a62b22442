import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Transform, transform, Transforms } from "../core/transform";
import { HTTPS } from "./networkPlan";

/** The VPC an endpoint or its security group belongs to. */
export interface EndpointVpc {
  vpcId: pulumi.Input<string>;
  region: pulumi.Input<string>;
}

/**
 * A VPC endpoint named `<prefix>-<service, dots as dashes>` for `com.amazonaws.<region>.<service>`,
 * tagged with its name (plus `tags`). Shared by the network's own endpoints and the derived ones.
 */
export function createVpcEndpoint(
  prefix: string,
  service: string,
  vpc: EndpointVpc,
  args: Omit<aws.ec2.VpcEndpointArgs, "vpcId" | "serviceName" | "tags">,
  hook: Transform<aws.ec2.VpcEndpointArgs> | undefined,
  parent: pulumi.Resource,
  tags: Record<string, pulumi.Input<string>> = {},
): aws.ec2.VpcEndpoint {
  const n = `${prefix}-${service.replace(/\./g, "-")}`;
  return new aws.ec2.VpcEndpoint(
    ...transform(
      hook,
      n,
      {
        vpcId: vpc.vpcId,
        serviceName: pulumi.interpolate`com.amazonaws.${vpc.region}.${service}`,
        ...args,
        tags: { Name: n, ...tags },
      },
      { parent },
    ),
  );
}

/** One source of HTTPS into an endpoint group: its rule's name suffix, CIDR and description. */
export interface HttpsSource {
  suffix: string;
  cidr: string;
  description: string;
}

/** What an endpoint security group is: its name, VPC, description, Name tag and sources. */
export interface HttpsIngressGroupSpec {
  name: string;
  vpcId: pulumi.Input<string>;
  description: string;
  /** The Name tag; an Output when the group must wait for a deployment-time check. */
  nameTag: pulumi.Input<string>;
  sources: readonly HttpsSource[];
  transform?: Transforms<{
    securityGroup: aws.ec2.SecurityGroupArgs;
    rule: aws.vpc.SecurityGroupIngressRuleArgs;
  }>;
}

/**
 * A security group admitting HTTPS (443) from each source, as separate ingress rules (never inline,
 * so added rules never fight an inline list), for interface endpoints.
 */
export function createHttpsIngressGroup(
  spec: HttpsIngressGroupSpec,
  parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(
    ...transform(
      spec.transform?.securityGroup,
      spec.name,
      { vpcId: spec.vpcId, description: spec.description, tags: { Name: spec.nameTag } },
      { parent },
    ),
  );
  for (const source of spec.sources) {
    new aws.vpc.SecurityGroupIngressRule(
      ...transform(
        spec.transform?.rule,
        `${spec.name}-${source.suffix}`,
        {
          securityGroupId: group.id,
          description: source.description,
          ipProtocol: "tcp",
          fromPort: HTTPS,
          toPort: HTTPS,
          cidrIpv4: source.cidr,
        },
        { parent },
      ),
    );
  }
  return group;
}
