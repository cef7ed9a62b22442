import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { PlannedComponent } from "../core/component";
import {
  HEALTH_CHECK_GRACE_SECONDS,
  SCALE_IN_COOLDOWN_SECONDS,
  SCALE_OUT_COOLDOWN_SECONDS,
} from "../core/defaults";
import { FargateCluster, type NetworkRef } from "./fargateCluster";
import type { DashboardRow } from "../observability/flowDashboard";
import { Statement, allow, assumeRolePolicy, policyDocument } from "../security/iam";
import { transform } from "../core/transform";
import type { FargateServiceArgs } from "./fargateServiceArgs";
import {
  FargateServicePlan,
  containerDefinition,
  checkedFargateServicePlan,
  secretReadStatement,
} from "./fargateServicePlan";
import { createServiceAlarms, fargateServiceWidgets } from "./fargateServiceMonitoring";
import { createServiceIngress } from "./fargateServiceIngress";
import { createServiceImage } from "./fargateServiceImage";

// One import for users: the shared cluster, the args and the pure planning live in their own modules.
export { FargateCluster, defaultPriority, isRoutePath } from "./fargateCluster";
export type { FargateClusterArgs, NetworkRef } from "./fargateCluster";
export type { DockerfileImage, FargateServiceArgs, ImageUri } from "./fargateServiceArgs";
export { REPO_ROOT, isValidFargateSize, secretReadStatement } from "./fargateServicePlan";

type PredefinedMetric =
  aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification;

/**
 * An ECS Fargate service in private subnets behind a `FargateCluster`'s API and load balancer:
 * its image (built from a Dockerfile into an ECR repository that scans on push and keeps the last
 * N images, or given), an ARM64 task definition with a container health check, logs to its own
 * log group, secrets from Secrets Manager/SSM only, a read-only root filesystem; no public IP,
 * a deployment circuit breaker with rollback, target tracking on CPU and requests per target,
 * a task role with exactly the statements passed in (separate from the execution role), and
 * alarms on unhealthy targets, target 5xx and CPU.
 */
export class FargateService extends PlannedComponent<FargateServiceArgs, FargateServicePlan> {
  readonly cluster: FargateCluster;
  readonly repository?: aws.ecr.Repository;
  /** The built image (remote awsx component); undefined when `image.uri` is given. */
  readonly image?: awsx.ecr.Image;
  readonly imageUri: pulumi.Output<string>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly executionRole: aws.iam.Role;
  readonly taskRole: aws.iam.Role;
  readonly taskPolicy?: aws.iam.RolePolicy;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly targetGroup?: aws.lb.TargetGroup;
  readonly listenerRules: aws.lb.ListenerRule[];
  readonly routes: aws.apigatewayv2.Route[];
  readonly service: aws.ecs.Service;
  readonly scalingTarget: aws.appautoscaling.Target;
  readonly scalingPolicies: aws.appautoscaling.Policy[];
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  /** Shortcuts to the shared ingress. */
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly api: aws.apigatewayv2.Api;
  /** Base URL of the service's first path (the API URL when it has none). */
  readonly url: pulumi.Output<string>;
  /** The ECS service name (used by metrics and autoscaling). */
  readonly serviceName: pulumi.Output<string>;
  private readonly logicalName: string;
  private readonly region: pulumi.Output<string>;
  private readonly account: pulumi.Output<string>;
  private readonly stackName = `${pulumi.getProject()}-${pulumi.getStack()}`;

  constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:containers:FargateService", name, args, checkedFargateServicePlan, opts);
    this.logicalName = name;

    this.cluster = args.cluster ?? this.createCluster();
    // Claimed before any child exists, so a clash with another service creates nothing.
    const priorities = this.cluster.claimRoutes(name, this.plan.paths, args.priority);
    this.loadBalancer = this.cluster.loadBalancer;
    this.api = this.cluster.api;
    this.region = aws.getRegionOutput({}, { parent: this }).region;
    this.account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const image = createServiceImage(name, args, this.plan, this);
    this.repository = image.repository;
    this.image = image.image;
    this.imageUri = image.imageUri;
    this.logGroup = this.createLogGroup();
    this.executionRole = this.createRole(
      "execution",
      "ECS starts tasks of service",
      "with this role (pull, logs, secrets)",
    );
    const executionPolicy = this.createExecutionPolicy(image.repositoryArn);
    this.taskRole = this.createRole("task", "The application of service", "runs with this role");
    this.taskPolicy = this.createTaskPolicy();
    this.taskDefinition = this.createTaskDefinition();
    this.securityGroup = this.createSecurityGroup();

    const serviceDependsOn: pulumi.Resource[] = [executionPolicy];
    if (this.plan.paths.length > 0) {
      const ingress = createServiceIngress({
        name,
        parent: this,
        cluster: this.cluster,
        securityGroup: this.securityGroup,
        port: this.plan.port,
        healthPath: this.plan.healthPath,
        drainSeconds: this.plan.drain,
        paths: this.plan.paths,
        priorities,
        t: this.t,
      });
      this.targetGroup = ingress.targetGroup;
      this.listenerRules = ingress.listenerRules;
      this.routes = ingress.routes;
      serviceDependsOn.push(...ingress.dependsOn);
    } else {
      this.listenerRules = [];
      this.routes = [];
    }
    this.service = this.createService(serviceDependsOn);
    this.serviceName = this.service.name;
    this.scalingTarget = this.createScalingTarget();
    this.scalingPolicies = this.createScalingPolicies();
    const alarmTopicArn = args.alarmTopicArn ?? this.cluster.alarmTopicArn;
    this.alarms = alarmTopicArn
      ? createServiceAlarms(
          {
            ...this.plan,
            name,
            cluster: this.cluster,
            service: this.service,
            stackName: this.stackName,
            targetGroup: this.targetGroup,
          },
          alarmTopicArn,
          this,
          this.t.alarm,
        )
      : [];

    const first = this.plan.paths[0];
    this.url =
      first !== undefined
        ? pulumi.interpolate`${this.cluster.url}${first}`
        : pulumi.output(this.cluster.url);
    this.registerOutputs({
      url: this.url,
      serviceName: this.serviceName,
      taskRoleArn: this.taskRole.arn,
      imageUri: this.imageUri,
    });
  }

  /** Dashboard row: CPU, memory, tasks, targets and requests, and its app's business figures. */
  widgets(title = `Service ${this.logicalName}`): DashboardRow[] {
    return fargateServiceWidgets(this, title, { app: this.plan.app, service: this.name });
  }

  private get name(): string {
    return this.logicalName;
  }

  private createCluster(): FargateCluster {
    const network = this.args.network as NetworkRef; // validated: given when cluster is not
    return new FargateCluster(
      this.name,
      { ...(this.args.clusterArgs ?? {}), network },
      { parent: this },
    );
  }

  private createLogGroup(): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
      ...transform(
        this.t.logGroup,
        this.name,
        {
          name: `/ecs/${this.stackName}/${this.name}`,
          retentionInDays: this.plan.retention,
          kmsKeyId: this.args.logKmsKeyArn ?? this.cluster.logKmsKeyArn,
        },
        { parent: this },
      ),
    );
  }

  /**
   * The execution role (what ECS itself needs to start the task) or the task role (what the
   * application may do): both assumed by ECS tasks of this account only.
   */
  private createRole(kind: "execution" | "task", prefix: string, suffix: string): aws.iam.Role {
    const n = `${this.name}-${kind}`;
    return new aws.iam.Role(
      ...transform(
        kind === "execution" ? this.t.executionRole : this.t.taskRole,
        n,
        {
          assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", this.account),
          description: `${prefix} ${this.name} ${suffix}`,
        },
        { parent: this },
      ),
    );
  }

  /** Pull the image, write the log group, read the secrets (and decrypt them). */
  private createExecutionPolicy(repositoryArn?: pulumi.Input<string>): aws.iam.RolePolicy {
    const statements: pulumi.Input<Statement>[] = [
      allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [pulumi.interpolate`${this.logGroup.arn}:*`],
      ),
    ];
    if (repositoryArn) {
      statements.push(
        // Registry-wide call: AWS supports no resource scoping for it.
        allow(["ecr:GetAuthorizationToken"], ["*"]),
        allow(
          ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
          [repositoryArn],
        ),
      );
    }
    for (const valueFrom of Object.values(this.plan.secrets)) {
      statements.push(pulumi.output(valueFrom).apply(secretReadStatement));
    }
    if (this.args.secretsKmsKeyArns?.length) {
      statements.push(allow(["kms:Decrypt"], this.args.secretsKmsKeyArns));
    }
    // The agent (pull, logs, secrets) and the app both call out through the task's ENI.
    this.cluster.network.callLedger?.record(this.name, "task", [
      ...statements,
      ...(this.args.statements ?? []),
    ]);
    const n = `${this.name}-execution`;
    return new aws.iam.RolePolicy(
      ...transform(
        this.t.executionPolicy,
        n,
        {
          role: this.executionRole.id,
          policy: policyDocument(statements, `FargateService "${this.name}" execution role policy`),
        },
        { parent: this },
      ),
    );
  }

  /** Exactly the statements passed in; none when none are. */
  private createTaskPolicy(): aws.iam.RolePolicy | undefined {
    const statements = this.args.statements ?? [];
    if (statements.length === 0) return undefined;
    return new aws.iam.RolePolicy(
      ...transform(
        this.t.taskPolicy,
        `${this.name}-task`,
        {
          role: this.taskRole.id,
          policy: policyDocument(statements, `FargateService "${this.name}" task role policy`),
        },
        { parent: this },
      ),
    );
  }

  private createTaskDefinition(): aws.ecs.TaskDefinition {
    const p = this.plan;
    const definition = containerDefinition(this.name, p, {
      image: this.imageUri,
      region: this.region,
      logGroupName: this.logGroup.name,
      healthCheckCommand: this.args.healthCheckCommand,
    });
    return new aws.ecs.TaskDefinition(
      ...transform(
        this.t.taskDefinition,
        this.name,
        {
          family: `${this.stackName}-${this.name}`,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: String(p.cpu),
          memory: String(p.memory),
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: p.arch },
          executionRoleArn: this.executionRole.arn,
          taskRoleArn: this.taskRole.arn,
          containerDefinitions: pulumi.jsonStringify([definition]),
        },
        { parent: this },
      ),
    );
  }

  /** Tasks: HTTPS out (AWS APIs), and in only from the load balancer on the container port. */
  private createSecurityGroup(): aws.ec2.SecurityGroup {
    return this.cluster.network.egressOnlySecurityGroup(
      `${this.name}-tasks`,
      `Tasks of service ${this.name}: only the load balancer may connect, on port ${this.plan.port}`,
      { parent: this, transform: { securityGroup: this.t.securityGroup, rule: this.t.egressRule } },
    );
  }

  private createService(dependsOn: pulumi.Resource[]): aws.ecs.Service {
    const { port, desired } = this.plan;
    const c = this.cluster;
    const tg = this.targetGroup;
    return new aws.ecs.Service(
      ...transform(
        this.t.service,
        this.name,
        {
          cluster: c.cluster.arn,
          taskDefinition: this.taskDefinition.arn,
          desiredCount: desired,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          networkConfiguration: {
            subnets: c.network.privateSubnetIds,
            securityGroups: [this.securityGroup.id],
            assignPublicIp: false,
          },
          loadBalancers: tg
            ? [{ targetGroupArn: tg.arn, containerName: this.name, containerPort: port }]
            : undefined,
          healthCheckGracePeriodSeconds: tg ? HEALTH_CHECK_GRACE_SECONDS : undefined,
          deploymentCircuitBreaker: { enable: true, rollback: true },
          deploymentMinimumHealthyPercent: 100,
          deploymentMaximumPercent: 200,
          availabilityZoneRebalancing: "ENABLED",
          enableExecuteCommand: false,
          enableEcsManagedTags: true,
          propagateTags: "SERVICE",
        },
        // Autoscaling owns the task count after the first deployment.
        { parent: this, dependsOn, ignoreChanges: ["desiredCount"] },
      ),
    );
  }

  private createScalingTarget(): aws.appautoscaling.Target {
    return new aws.appautoscaling.Target(
      ...transform(
        this.t.scalingTarget,
        this.name,
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${this.cluster.cluster.name}/${this.service.name}`,
          minCapacity: this.plan.minCount,
          maxCapacity: this.plan.maxCount,
        },
        { parent: this },
      ),
    );
  }

  /** Target tracking on CPU and, behind the load balancer, on requests per target. */
  private createScalingPolicies(): aws.appautoscaling.Policy[] {
    const policy = (suffix: string, targetValue: number, metric: PredefinedMetric) =>
      new aws.appautoscaling.Policy(
        ...transform(
          this.t.scalingPolicy,
          `${this.name}-${suffix}`,
          {
            policyType: "TargetTrackingScaling",
            serviceNamespace: this.scalingTarget.serviceNamespace,
            scalableDimension: this.scalingTarget.scalableDimension,
            resourceId: this.scalingTarget.resourceId,
            targetTrackingScalingPolicyConfiguration: {
              targetValue,
              predefinedMetricSpecification: metric,
              scaleInCooldown: SCALE_IN_COOLDOWN_SECONDS,
              scaleOutCooldown: SCALE_OUT_COOLDOWN_SECONDS,
            },
          },
          { parent: this },
        ),
      );
    const policies = [
      policy("cpu", this.plan.cpuTarget, {
        predefinedMetricType: "ECSServiceAverageCPUUtilization",
      }),
    ];
    if (this.targetGroup) {
      policies.push(
        policy("requests", this.plan.requestsTarget, {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: pulumi.interpolate`${this.cluster.loadBalancer.arnSuffix}/${this.targetGroup.arnSuffix}`,
        }),
      );
    }
    return policies;
  }
}
