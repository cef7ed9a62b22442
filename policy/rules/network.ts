import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { identifiers, ofType, prop, str } from "./graph";
import { type Rule, UNKNOWN, asArray, known } from "./util";

/** Tasks in private subnets reach AWS through NAT or VPC endpoints; a public IP exposes every port. */
export const ecsNoPublicIp: Rule = {
  name: "ecs-no-public-ip",
  description:
    "ECS services do not assign public IPs to their tasks (networkConfiguration.assignPublicIp false).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
    const assign = known(() => service.networkConfiguration?.assignPublicIp as unknown);
    if (assign !== true) return;
    report(
      "networkConfiguration.assignPublicIp is true; run tasks in private subnets with assignPublicIp: false " +
        "and reach them through the load balancer.",
    );
  }),
};

const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** One ingress permission, from an inline block or a rule resource. */
interface Ingress {
  /** The resource to report on (the rule resource, or the group for inline rules). */
  at: PolicyResource;
  /** The group the permission is on: the resource itself, or a reference (id) to it. */
  group: PolicyResource | string | typeof UNKNOWN | undefined;
  protocol: string;
  from: number;
  to: number;
  cidrs: string[];
}

const num = (v: unknown, fallback: number) => (typeof v === "number" ? v : fallback);

/**
 * One ingress permission; `get` reads a field of the rule (inline rules and rule resources name
 * the protocol differently, and hold CIDRs as lists or as single values).
 */
function ingressOf(
  at: PolicyResource,
  group: Ingress["group"],
  get: (key: string) => unknown,
  protocolKey: string,
  cidrKeys: [string, string],
): Ingress {
  return {
    at,
    group,
    protocol: String(get(protocolKey) ?? "-1"),
    from: num(get("fromPort"), 0),
    to: num(get("toPort"), 65535),
    cidrs: cidrKeys
      .flatMap((k) => asArray(get(k) as string | string[] | undefined))
      .filter((c): c is string => typeof c === "string"),
  };
}

/** Every ingress permission of the stack that opens to the whole internet. */
function publicIngress(resources: readonly PolicyResource[]): Ingress[] {
  const out: Ingress[] = [];
  for (const sg of ofType(resources, aws.ec2.SecurityGroup, aws.ec2.DefaultSecurityGroup)) {
    const rules = prop(sg, "ingress");
    if (rules === UNKNOWN) continue;
    for (const r of asArray(rules as Record<string, unknown>[])) {
      out.push(ingressOf(sg, sg, (k) => r[k], "protocol", ["cidrBlocks", "ipv6CidrBlocks"]));
    }
  }
  for (const rule of ofType(resources, aws.ec2.SecurityGroupRule)) {
    if (str(rule, "type") !== "ingress") continue;
    const get = (k: string) => prop(rule, k);
    if (get("cidrBlocks") === UNKNOWN || get("ipv6CidrBlocks") === UNKNOWN) continue;
    const group = str(rule, "securityGroupId");
    out.push(ingressOf(rule, group, get, "protocol", ["cidrBlocks", "ipv6CidrBlocks"]));
  }
  for (const rule of ofType(resources, aws.vpc.SecurityGroupIngressRule)) {
    const get = (k: string) => prop(rule, k);
    if (get("cidrIpv4") === UNKNOWN || get("cidrIpv6") === UNKNOWN) continue;
    const group = str(rule, "securityGroupId");
    out.push(ingressOf(rule, group, get, "ipProtocol", ["cidrIpv4", "cidrIpv6"]));
  }
  return out.filter((i) => i.cidrs.some((c) => ANYWHERE.includes(c)));
}

/**
 * The listener ports of internet-facing load balancers using the group; UNKNOWN when the group or
 * a load balancer's settings are not known yet.
 */
function publicListenerPorts(
  group: Ingress["group"],
  resources: readonly PolicyResource[],
): number[] | typeof UNKNOWN {
  if (group === UNKNOWN) return UNKNOWN;
  if (group === undefined) return [];
  const ids = typeof group === "string" ? [group] : identifiers(group);
  const ports: number[] = [];
  for (const lb of ofType(resources, aws.lb.LoadBalancer, aws.alb.LoadBalancer)) {
    const [internal, groups, arn] = [
      prop(lb, "internal"),
      prop(lb, "securityGroups"),
      str(lb, "arn"),
    ];
    if (internal === UNKNOWN || groups === UNKNOWN || arn === UNKNOWN) return UNKNOWN;
    if (internal === true || !asArray(groups as string[]).some((g) => ids.includes(g))) continue;
    for (const listener of ofType(resources, aws.lb.Listener, aws.alb.Listener)) {
      const [lbArn, port] = [str(listener, "loadBalancerArn"), prop(listener, "port")];
      if (lbArn === UNKNOWN || port === UNKNOWN) return UNKNOWN;
      if (lbArn === arn && typeof port === "number") ports.push(port);
    }
  }
  return ports;
}

/**
 * Nothing is reachable from the whole internet except an internet-facing load balancer, and then
 * only on its listener ports, over TCP.
 */
export const sgNoPublicIngress: Rule = {
  name: "sg-no-public-ingress",
  description:
    "No security group admits 0.0.0.0/0 or ::/0, except the group of an internet-facing load balancer on its listener ports (TCP).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const ingress of publicIngress(args.resources)) {
      const ports = publicListenerPorts(ingress.group, args.resources);
      if (ports === UNKNOWN) continue;
      const tcp = ingress.protocol === "tcp" || ingress.protocol === "6";
      const range: number[] = [];
      for (let p = ingress.from; p <= ingress.to && range.length <= ports.length; p++)
        range.push(p);
      if (tcp && ports.length > 0 && range.every((p) => ports.includes(p))) continue;
      const span =
        ingress.from === ingress.to
          ? `port ${ingress.from}`
          : `ports ${ingress.from}-${ingress.to}`;
      report(
        `${ingress.at.name} admits ${ingress.cidrs.filter((c) => ANYWHERE.includes(c)).join(" and ")} on ` +
          `${ingress.protocol === "-1" ? "every protocol" : `${ingress.protocol} ${span}`}` +
          (ports.length > 0
            ? `, beyond the listener ports (${ports.join(", ")}) of its internet-facing load balancer`
            : ", and is not the group of an internet-facing load balancer") +
          ". Admit the previous hop's security group (referencedSecurityGroupId) instead.",
        ingress.at.urn,
      );
    }
  },
};

export const NETWORK_RULES: Rule[] = [ecsNoPublicIp, sgNoPublicIngress];
