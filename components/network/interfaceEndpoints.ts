import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedCaller } from "../security/callLedger";
import { policyDocument } from "../security/iam";
import type { Transforms } from "../core/transform";
import { createHttpsIngressGroup, createVpcEndpoint } from "./vpcEndpoint";
import {
  checkDeferredStatement,
  endpointPolicyStatements,
  planInterfaceEndpoints,
  unreachableMessage,
} from "./endpointPlan";

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
  transform?: Transforms<{
    /** Names end in the service short name, dots as dashes. */
    vpcEndpoint: aws.ec2.VpcEndpointArgs;
    securityGroup: aws.ec2.SecurityGroupArgs;
  }>;
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
  const securityGroup = createHttpsIngressGroup(
    {
      name: sgName,
      vpcId: network.vpcId,
      description: `HTTPS from the private subnets of ${name} to its interface endpoints`,
      nameTag: plan.deferred.length > 0 ? checked : sgName,
      sources: network.privateSubnetCidrs.map((cidr, i) => ({
        suffix: `https-${i}`,
        cidr,
        description: `HTTPS from private subnet ${i}`,
      })),
      transform: { securityGroup: args.transform?.securityGroup },
    },
    parent,
  );

  const endpoints: Record<string, aws.ec2.VpcEndpoint> = {};
  for (const e of planned) {
    endpoints[e.service] = createVpcEndpoint(
      name,
      e.service,
      network,
      {
        vpcEndpointType: "Interface",
        // The SDKs' default hostnames resolve to the endpoint: no client configuration.
        privateDnsEnabled: true,
        subnetIds: network.privateSubnetIds,
        securityGroupIds: [securityGroup.id],
        policy: policyDocument(endpointPolicyStatements(e, network.account)),
      },
      args.transform?.vpcEndpoint,
      parent,
      { "serverless:callers": e.callers.join(" ").slice(0, 256) },
    );
  }
  return { endpoints, securityGroup };
}
