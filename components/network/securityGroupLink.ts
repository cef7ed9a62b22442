import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Transform, transform } from "../core/transform";

/** One side of a link: the group, and the name and description of its rule. */
export interface LinkEnd {
  securityGroupId: pulumi.Input<string>;
  /** Resource name of this side's rule. */
  ruleName: string;
  description: string;
}

/**
 * Lets `from` reach `to` on one TCP port and nothing else: an egress rule on `from` and an
 * ingress rule on `to`, each referencing the other group (no CIDRs). Returns [egress, ingress].
 */
export function securityGroupLink(
  from: LinkEnd,
  to: LinkEnd,
  port: number,
  parent: pulumi.Resource,
  hooks: {
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
  } = {},
): [aws.vpc.SecurityGroupEgressRule, aws.vpc.SecurityGroupIngressRule] {
  const tcp = { ipProtocol: "tcp", fromPort: port, toPort: port };
  const egress = new aws.vpc.SecurityGroupEgressRule(
    ...transform(
      hooks.egressRule,
      from.ruleName,
      {
        securityGroupId: from.securityGroupId,
        description: from.description,
        ...tcp,
        referencedSecurityGroupId: to.securityGroupId,
      },
      { parent },
    ),
  );
  const ingress = new aws.vpc.SecurityGroupIngressRule(
    ...transform(
      hooks.ingressRule,
      to.ruleName,
      {
        securityGroupId: to.securityGroupId,
        description: to.description,
        ...tcp,
        referencedSecurityGroupId: from.securityGroupId,
      },
      { parent },
    ),
  );
  return [egress, ingress];
}
