import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedCaller } from "../security/callLedger";
import { policyDocument } from "../security/iam";
import { Transform, applyTransform } from "../core/transform";
import {
  checkDeferredStatement,
  endpointPolicyStatements,
  planInterfaceEndpoints,
  unreachableMessage,
} from "./endpointPlan";

const HTTPS = 443;

/** What the endpoints need of the network they serve. */
export interface EndpointNetwork {
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string[]>;
  /** CIDR blocks of the private subnets (known before deployment). */
  privateSubnetCidrs: readonly string[];
  region: pulumi.Input<string>;
  account: pulumi.Input<string>;
}

export interface DerivedEndpointsArgs {
  /** The callers in the private subnets and their grants. Required. */
  callers: readonly RecordedCaller[];
  /** Services already served by endpoints created otherwise (skipped). Default: none. */
  existing?: readonly string[];
  /** Override hooks. Default: none. */
  transform?: {
    /** Names end in the service short name, dots as dashes. */
    vpcEndpoint?: Transform<aws.ec2.VpcEndpointArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
  };
}

/** The endpoints created, by service short name, and their security group (absent when none). */
export interface DerivedEndpoints {
  endpoints: Record<string, aws.ec2.VpcEndpoint>;
  securityGroup?: aws.ec2.SecurityGroup;
}

/**
 * For private subnets without NAT: the interface endpoints (private DNS on) that the recorded
 * callers' grants need, each with a policy admitting exactly those grants for this account's
 * principals, behind a security group admitting 443 from the private subnets only. Refuses, naming
 * the caller and the action, a grant whose service no endpoint serves.
 */
export function createDerivedEndpoints(
  name: string,
  network: EndpointNetwork,
  args: DerivedEndpointsArgs,
  parent: pulumi.Resource,
): DerivedEndpoints {
  const existing = new Set(args.existing ?? []);
  const plan = planInterfaceEndpoints(args.callers);
  if (plan.unreachable.length > 0) throw new Error(unreachableMessage(name, plan.unreachable));
  const planned = plan.endpoints.filter((e) => !existing.has(e.service));
  const created = new Set([...existing, ...plan.endpoints.map((e) => e.service)]);
  if (planned.length === 0 && plan.deferred.length === 0) return { endpoints: {} };

  // Grants only known at deployment (e.g. a secret's ARN deciding SSM or Secrets Manager) are
  // checked then: the group's tags wait for the check, so a missing endpoint fails the update.
  const checked = pulumi
    .all(plan.deferred.map((d) => pulumi.output(d.statement)))
    .apply((statements) => {
      statements.forEach((s, i) =>
        checkDeferredStatement(name, plan.deferred[i].caller, plan.deferred[i].kind, s, created),
      );
      return sgName;
    });
  const sgName = `${name}-interface-endpoints`;
  const securityGroup = new aws.ec2.SecurityGroup(
    sgName,
    applyTransform<aws.ec2.SecurityGroupArgs>(
      {
        vpcId: network.vpcId,
        description: `HTTPS from the private subnets of ${name} to its interface endpoints`,
        tags: { Name: plan.deferred.length > 0 ? checked : sgName },
      },
      args.transform?.securityGroup,
      sgName,
    ),
    { parent },
  );
  network.privateSubnetCidrs.forEach(
    (cidr, i) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${sgName}-https-${i}`,
        {
          securityGroupId: securityGroup.id,
          description: `HTTPS from private subnet ${i}`,
          ipProtocol: "tcp",
          fromPort: HTTPS,
          toPort: HTTPS,
          cidrIpv4: cidr,
        },
        { parent },
      ),
  );

  const endpoints: Record<string, aws.ec2.VpcEndpoint> = {};
  for (const e of planned) {
    const n = `${name}-${e.service.replace(/\./g, "-")}`;
    endpoints[e.service] = new aws.ec2.VpcEndpoint(
      n,
      applyTransform<aws.ec2.VpcEndpointArgs>(
        {
          vpcId: network.vpcId,
          serviceName: pulumi.interpolate`com.amazonaws.${network.region}.${e.service}`,
          vpcEndpointType: "Interface",
          // The SDKs' default hostnames resolve to the endpoint: no client configuration.
          privateDnsEnabled: true,
          subnetIds: network.privateSubnetIds,
          securityGroupIds: [securityGroup.id],
          policy: policyDocument(endpointPolicyStatements(e, network.account)),
          tags: { Name: n, "serverless:callers": e.callers.join(" ").slice(0, 256) },
        },
        args.transform?.vpcEndpoint,
        n,
      ),
      { parent },
    );
  }
  return { endpoints, securityGroup };
}
