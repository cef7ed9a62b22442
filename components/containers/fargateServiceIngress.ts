import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transform } from "../core/transform";
import { securityGroupLink } from "../network/securityGroupLink";
import { routeAuthorizationType } from "../api/httpApi";
import { FargateCluster } from "./fargateCluster";
import type { FargateServiceArgs } from "./fargateServiceArgs";
import { routeResourceName } from "./fargateServicePlan";

/** What a service's ingress is built from. */
export interface ServiceIngressContext {
  name: string;
  parent: pulumi.Resource;
  cluster: FargateCluster;
  /** The tasks' security group. */
  securityGroup: aws.ec2.SecurityGroup;
  port: number;
  healthPath: string;
  drainSeconds: number;
  /** Path prefixes and the listener-rule priority each claimed. */
  paths: string[];
  priorities: number[];
  t: NonNullable<FargateServiceArgs["transform"]>;
}

/** A service's share of the cluster's ingress. */
export interface ServiceIngress {
  targetGroup: aws.lb.TargetGroup;
  listenerRules: aws.lb.ListenerRule[];
  routes: aws.apigatewayv2.Route[];
  /** What the ECS service must wait for: ECS rejects a target group no rule attaches yet. */
  dependsOn: pulumi.Resource[];
}

/**
 * The load balancer side of a service with paths: security group rules between the load
 * balancer and the tasks, a target group, one listener rule and two API routes per path.
 */
export function createServiceIngress(c: ServiceIngressContext): ServiceIngress {
  const targetGroup = createTargetGroup(c);
  const listenerRules = c.paths.map((p, i) => createListenerRule(c, targetGroup, p, i));
  const routes = c.paths.flatMap((p) => createRoutes(c, p));
  return {
    targetGroup,
    listenerRules,
    routes,
    dependsOn: [...listenerRules, ...createLoadBalancerRules(c)],
  };
}

/** The load balancer may reach the tasks on the container port, and nothing else may. */
function createLoadBalancerRules(c: ServiceIngressContext): pulumi.Resource[] {
  return securityGroupLink(
    {
      securityGroupId: c.cluster.loadBalancerSecurityGroup.id,
      ruleName: `${c.name}-alb-to-tasks`,
      description: `To the tasks of service ${c.name} (traffic and health checks)`,
    },
    {
      securityGroupId: c.securityGroup.id,
      ruleName: `${c.name}-from-alb`,
      description: "From the load balancer only",
    },
    c.port,
    c.parent,
    c.t,
  );
}

function createTargetGroup(c: ServiceIngressContext): aws.lb.TargetGroup {
  return new aws.lb.TargetGroup(
    ...transform(
      c.t.targetGroup,
      c.name,
      {
        vpcId: c.cluster.network.vpcId,
        targetType: "ip",
        protocol: "HTTP",
        port: c.port,
        deregistrationDelay: c.drainSeconds,
        healthCheck: {
          path: c.healthPath,
          matcher: "200",
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      },
      { parent: c.parent },
    ),
  );
}

function createListenerRule(
  c: ServiceIngressContext,
  targetGroup: aws.lb.TargetGroup,
  path: string,
  i: number,
): aws.lb.ListenerRule {
  return new aws.lb.ListenerRule(
    ...transform(
      c.t.listenerRule,
      `${c.name}-${i}`,
      {
        listenerArn: c.cluster.listener.arn,
        priority: c.priorities[i],
        conditions: [{ pathPattern: { values: FargateCluster.pathPatterns(path) } }],
        actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      },
      { parent: c.parent },
    ),
  );
}

/** `ANY /p` and `ANY /p/{proxy+}` on the shared API, with the cluster's authorizer. */
function createRoutes(c: ServiceIngressContext, path: string): aws.apigatewayv2.Route[] {
  const cluster = c.cluster;
  const authorizationType = routeAuthorizationType(cluster.auth);
  return FargateCluster.routeKeys(path).map(
    (routeKey) =>
      new aws.apigatewayv2.Route(
        ...transform(
          c.t.route,
          routeResourceName(c.name, routeKey),
          {
            apiId: cluster.api.id,
            routeKey,
            target: pulumi.interpolate`integrations/${cluster.integration.id}`,
            authorizationType,
            authorizerId: cluster.authorizer?.id,
            authorizationScopes: cluster.authorizationScopes,
          },
          { parent: c.parent },
        ),
      ),
  );
}
