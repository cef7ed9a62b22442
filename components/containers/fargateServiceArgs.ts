import type * as aws from "@pulumi/aws";
import type * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import type { FargateCluster, FargateClusterArgs, NetworkRef } from "./fargateCluster";
import type { Statement } from "../security/iam";
import type { Transforms } from "../core/transform";

/** Build the image from a Dockerfile in the repository and push it to a repository the service owns. */
export interface DockerfileImage {
  /** Path of the Dockerfile, relative to the repository root (e.g. "functions/containers/Dockerfile"). */
  dockerfile: string;
  /**
   * Build context, relative to the repository root.
   * @default the repository root (".")
   */
  context?: string;
  /**
   * Build arguments.
   * @default none
   */
  buildArgs?: Record<string, pulumi.Input<string>>;
  /**
   * Stage of a multi-stage Dockerfile to build.
   * @default the last one
   */
  target?: string;
}

/** Run an image built elsewhere. */
export interface ImageUri {
  /** Image reference, ideally by digest (`...@sha256:...`). */
  uri: pulumi.Input<string>;
  /**
   * The ECR repository it lives in, so the execution role may pull it.
   * @default none (a public image)
   */
  repositoryArn?: pulumi.Input<string>;
}

export interface FargateServiceArgs {
  /**
   * The shared cluster and ingress to join.
   * @default a `FargateCluster` of its own, built from `network` and `clusterArgs`
   */
  cluster?: FargateCluster;
  /** Network for a cluster of its own. Required when `cluster` is not given. */
  network?: NetworkRef;
  /**
   * Arguments of a cluster of its own (network excluded).
   * @default FargateCluster's defaults
   */
  clusterArgs?: Omit<FargateClusterArgs, "network">;
  /** The container image: built from a Dockerfile in the repository, or given. Required. */
  image: DockerfileImage | ImageUri;
  /**
   * The app of functions/containers the image runs: the business figures it publishes
   * (CONTAINER_METRICS, functions/lib/businessMetrics.ts) get a widget in the service's row.
   * @default the Dockerfile image's SERVICE build argument; none for an image URI
   */
  app?: string;
  /**
   * API path prefixes routed to the service, e.g. ["/items"]: each gets `ANY /items` and `ANY
   * /items/{proxy+}` on the API and a load balancer rule.
   * @default none (a worker with no ingress: no target group, no request-based scaling)
   */
  paths?: string[];
  /**
   * Base listener-rule priority (path i gets priority + i).
   * @default derived from the service name
   */
  priority?: number;
  /**
   * Port the container listens on (passed to it as PORT).
   * @default 8080
   */
  containerPort?: number;
  /**
   * CPU units (256 = 0.25 vCPU).
   * @default 256
   */
  cpu?: number;
  /**
   * Memory in MiB; must be valid for `cpu`.
   * @default 512
   */
  memory?: number;
  /**
   * CPU architecture; the image must be built for it.
   * @default "ARM64" (Graviton)
   */
  cpuArchitecture?: "ARM64" | "X86_64";
  /**
   * Tasks at deployment (autoscaling moves it within min/max afterwards).
   * @default 2
   */
  desiredCount?: number;
  /**
   * Target-tracking autoscaling.
   * @default min = desiredCount, max 6, CPU 60%, 1000 requests/target/min
   */
  autoscaling?: {
    /**
     * @default `desiredCount`
     */
    minCount?: number;
    /**
     * @default max(6, minCount)
     */
    maxCount?: number;
    /**
     * Average CPU % to hold.
     * @default 60
     */
    cpuTargetPercent?: number;
    /**
     * Requests per task per minute to hold (services with `paths` only).
     * @default 1000
     */
    requestsPerTarget?: number;
  };
  /**
   * Health: path the app answers 200 on (load balancer and container checks).
   * @default "/health"
   */
  healthCheckPath?: string;
  /**
   * Container health check command.
   * @default Node's fetch against `healthCheckPath` on localhost (the image must contain `node`; override for other images)
   */
  healthCheckCommand?: string[];
  /**
   * Plain environment variables (never secrets: names that look secret are rejected).
   * @default none
   */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Secrets by env var name: Secrets Manager or SSM Parameter ARNs, injected at start.
   * @default none
   */
  secrets?: Record<string, pulumi.Input<string>>;
  /**
   * Customer-managed keys those secrets are encrypted with (the execution role may decrypt).
   * @default none
   */
  secretsKmsKeyArns?: pulumi.Input<string>[];
  /**
   * Least-privilege grants of the task role (what the app may do).
   * @default none
   */
  statements?: pulumi.Input<Statement>[];
  /**
   * Seconds between SIGTERM and SIGKILL (2-120) to finish in-flight work.
   * @default 30
   */
  stopTimeoutSeconds?: number;
  /**
   * Seconds the load balancer drains a task before it is stopped.
   * @default 30
   */
  deregistrationDelaySeconds?: number;
  /**
   * Images kept in the repository.
   * @default 10 (`ECR_KEEP_IMAGES`)
   */
  keepImages?: number;
  /**
   * Delete the repository even when it holds images (dev).
   * @default false
   */
  forceDeleteRepository?: boolean;
  /**
   * Log retention in days.
   * @default the cluster's (14)
   */
  logRetentionDays?: number;
  /**
   * KMS key for the log group.
   * @default the cluster's
   */
  logKmsKeyArn?: pulumi.Input<string>;
  /**
   * Topic for the alarms.
   * @default the cluster's (no alarms when neither is set)
   */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    repository: aws.ecr.RepositoryArgs;
    lifecyclePolicy: aws.ecr.LifecyclePolicyArgs;
    image: awsx.ecr.ImageArgs;
    logGroup: aws.cloudwatch.LogGroupArgs;
    executionRole: aws.iam.RoleArgs;
    executionPolicy: aws.iam.RolePolicyArgs;
    taskRole: aws.iam.RoleArgs;
    taskPolicy: aws.iam.RolePolicyArgs;
    taskDefinition: aws.ecs.TaskDefinitionArgs;
    securityGroup: aws.ec2.SecurityGroupArgs;
    targetGroup: aws.lb.TargetGroupArgs;
    listenerRule: aws.lb.ListenerRuleArgs;
    route: aws.apigatewayv2.RouteArgs;
    service: aws.ecs.ServiceArgs;
    scalingTarget: aws.appautoscaling.TargetArgs;
    scalingPolicy: aws.appautoscaling.PolicyArgs;
    ingressRule: aws.vpc.SecurityGroupIngressRuleArgs;
    egressRule: aws.vpc.SecurityGroupEgressRuleArgs;
    alarm: aws.cloudwatch.MetricAlarmArgs;
  }>;
}

export function isDockerfileImage(image: DockerfileImage | ImageUri): image is DockerfileImage {
  return typeof (image as DockerfileImage).dockerfile === "string";
}
