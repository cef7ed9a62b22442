import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { containerEnv, containerEnvironment } from "../../functions/lib/container/env";
import * as fs from "node:fs";
import * as path from "node:path";
import { metricAlarm } from "../observability/alarms";
import {
  ALARM_EVALUATION_PERIODS,
  ALB_DEREGISTRATION_DELAY_SECONDS,
  CONTAINER_PORT,
  CONTAINER_UTILIZATION_ALARM_PERCENT,
  ECR_KEEP_IMAGES,
  FARGATE_CPU,
  FARGATE_CPU_ARCHITECTURE,
  FARGATE_CPU_TARGET_PERCENT,
  FARGATE_DESIRED_COUNT,
  FARGATE_MAX_COUNT,
  FARGATE_MEMORY_MB,
  FARGATE_REQUESTS_PER_TARGET,
  FARGATE_STOP_TIMEOUT_SECONDS,
  HEALTH_CHECK_GRACE_SECONDS,
  LOG_RETENTION_DAYS,
  SCALE_IN_COOLDOWN_SECONDS,
  SCALE_OUT_COOLDOWN_SECONDS,
} from "../core/defaults";
import {
  FargateCluster,
  type FargateClusterArgs,
  MAX_LB_NAME,
  MAX_PATHS,
  type NetworkRef,
  isRoutePath,
} from "./fargateCluster";
import { DashboardRow, MetricWidget, metric } from "../observability/flowDashboard";
import {
  Statement,
  allow,
  assumeRolePolicy,
  leastPrivilegeProblems,
  policyDocument,
} from "../security/iam";
import { Transform, applyTransform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

// One import for users: the shared cluster lives in its own module.
export { FargateCluster, defaultPriority, isRoutePath } from "./fargateCluster";
export type { FargateClusterArgs, NetworkRef } from "./fargateCluster";

/** The repository root: the default Docker build context, so apps can share `functions/lib`. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Fargate's CPU units and the memory (MiB) each accepts: [min, max, step]. */
const FARGATE_SIZES: Record<number, [number, number, number]> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};
const MAX_STOP_TIMEOUT = 120;
/** Env var names that hold secrets: those go in `secrets` (fetched at start), never in plain text. */
const SECRET_LIKE_NAME = /PASSWORD|PASSWD|SECRET|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL/i;
const SECRET_ARN =
  /^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/;

/** True for a Fargate CPU/memory pair AWS accepts. */
export function isValidFargateSize(cpu: number, memory: number): boolean {
  const range = FARGATE_SIZES[cpu];
  if (!range) return false;
  const [min, max, step] = range;
  return memory >= min && memory <= max && (memory - min) % step === 0;
}

/**
 * IAM statements for the execution role to fetch one `secrets` entry: Secrets Manager (a JSON key
 * suffix `:key:stage:version` is stripped to the secret's ARN) or SSM Parameter Store.
 */
export function secretReadStatement(valueFrom: string): Statement {
  if (!SECRET_ARN.test(valueFrom)) {
    throw new Error(
      `"${valueFrom}" is not a Secrets Manager secret or SSM parameter ARN (fix: pass the ARN, never the value)`,
    );
  }
  if (valueFrom.includes(":ssm:")) return allow(["ssm:GetParameters"], [valueFrom]);
  // arn:aws:secretsmanager:region:account:secret:name[:json-key:version-stage:version-id]
  const secretArn = valueFrom.split(":").slice(0, 7).join(":");
  return allow(["secretsmanager:GetSecretValue"], [secretArn]);
}

/** Build the image from a Dockerfile in the repository and push it to a repository the service owns. */
export interface DockerfileImage {
  /** Path of the Dockerfile, relative to the repository root (e.g. "functions/containers/Dockerfile"). */
  dockerfile: string;
  /** Build context, relative to the repository root. Default: the repository root ("."). */
  context?: string;
  /** Build arguments. Default: none. */
  buildArgs?: Record<string, pulumi.Input<string>>;
  /** Stage of a multi-stage Dockerfile to build. Default: the last one. */
  target?: string;
}

/** Run an image built elsewhere. */
export interface ImageUri {
  /** Image reference, ideally by digest (`...@sha256:...`). */
  uri: pulumi.Input<string>;
  /** The ECR repository it lives in, so the execution role may pull it. Default: none (a public image). */
  repositoryArn?: pulumi.Input<string>;
}

export interface FargateServiceArgs {
  /**
   * The shared cluster and ingress to join. Default: a `FargateCluster` of its own, built from
   * `network` and `clusterArgs`.
   */
  cluster?: FargateCluster;
  /** Network for a cluster of its own. Required when `cluster` is not given. */
  network?: NetworkRef;
  /** Arguments of a cluster of its own (network excluded). Default: FargateCluster's defaults. */
  clusterArgs?: Omit<FargateClusterArgs, "network">;
  /** The container image: built from a Dockerfile in the repository, or given. Required. */
  image: DockerfileImage | ImageUri;
  /**
   * API path prefixes routed to the service, e.g. ["/items"]: each gets `ANY /items` and
   * `ANY /items/{proxy+}` on the API and a load balancer rule. Default: none (a worker with no
   * ingress: no target group, no request-based scaling).
   */
  paths?: string[];
  /** Base listener-rule priority (path i gets priority + i). Default: derived from the service name. */
  priority?: number;
  /** Port the container listens on (passed to it as PORT). Default: 8080. */
  containerPort?: number;
  /** CPU units (256 = 0.25 vCPU). Default: 256. */
  cpu?: number;
  /** Memory in MiB; must be valid for `cpu`. Default: 512. */
  memory?: number;
  /** CPU architecture; the image must be built for it. Default: "ARM64" (Graviton). */
  cpuArchitecture?: "ARM64" | "X86_64";
  /** Tasks at deployment (autoscaling moves it within min/max afterwards). Default: 2. */
  desiredCount?: number;
  /** Target-tracking autoscaling. Default: min = desiredCount, max 6, CPU 60%, 1000 requests/target/min. */
  autoscaling?: {
    /** Default: `desiredCount`. */
    minCount?: number;
    /** Default: max(6, minCount). */
    maxCount?: number;
    /** Average CPU % to hold. Default: 60. */
    cpuTargetPercent?: number;
    /** Requests per task per minute to hold (services with `paths` only). Default: 1000. */
    requestsPerTarget?: number;
  };
  /** Health: path the app answers 200 on (load balancer and container checks). Default: "/health". */
  healthCheckPath?: string;
  /**
   * Container health check command. Default: Node's fetch against `healthCheckPath` on
   * localhost (the image must contain `node`; override for other images).
   */
  healthCheckCommand?: string[];
  /** Plain environment variables (never secrets: names that look secret are rejected). Default: none. */
  environment?: Record<string, pulumi.Input<string>>;
  /** Secrets by env var name: Secrets Manager or SSM Parameter ARNs, injected at start. Default: none. */
  secrets?: Record<string, pulumi.Input<string>>;
  /** Customer-managed keys those secrets are encrypted with (the execution role may decrypt). Default: none. */
  secretsKmsKeyArns?: pulumi.Input<string>[];
  /** Least-privilege grants of the task role (what the app may do). Default: none. */
  statements?: pulumi.Input<Statement>[];
  /** Seconds between SIGTERM and SIGKILL (2-120) to finish in-flight work. Default: 30. */
  stopTimeoutSeconds?: number;
  /** Seconds the load balancer drains a task before it is stopped. Default: 30. */
  deregistrationDelaySeconds?: number;
  /** Images kept in the repository. Default: 10 (`ECR_KEEP_IMAGES`). */
  keepImages?: number;
  /** Delete the repository even when it holds images (dev). Default: false. */
  forceDeleteRepository?: boolean;
  /** Log retention in days. Default: the cluster's (14). */
  logRetentionDays?: number;
  /** KMS key for the log group. Default: the cluster's. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Topic for the alarms. Default: the cluster's (no alarms when neither is set). */
  alarmTopicArn?: pulumi.Input<string>;
  /** Override hooks, one per child. Default: none. */
  transform?: {
    repository?: Transform<aws.ecr.RepositoryArgs>;
    lifecyclePolicy?: Transform<aws.ecr.LifecyclePolicyArgs>;
    image?: Transform<awsx.ecr.ImageArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    executionRole?: Transform<aws.iam.RoleArgs>;
    executionPolicy?: Transform<aws.iam.RolePolicyArgs>;
    taskRole?: Transform<aws.iam.RoleArgs>;
    taskPolicy?: Transform<aws.iam.RolePolicyArgs>;
    taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    targetGroup?: Transform<aws.lb.TargetGroupArgs>;
    listenerRule?: Transform<aws.lb.ListenerRuleArgs>;
    route?: Transform<aws.apigatewayv2.RouteArgs>;
    service?: Transform<aws.ecs.ServiceArgs>;
    scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
    scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
  };
}

function isDockerfileImage(image: DockerfileImage | ImageUri): image is DockerfileImage {
  return typeof (image as DockerfileImage).dockerfile === "string";
}

/**
 * An ECS Fargate service in private subnets behind a `FargateCluster`'s API and load balancer:
 * its image (built from a Dockerfile into an ECR repository that scans on push and keeps the last
 * N images, or given), an ARM64 task definition with a container health check, logs to its own
 * log group, secrets from Secrets Manager/SSM only, a read-only root filesystem; no public IP,
 * a deployment circuit breaker with rollback, target tracking on CPU and requests per target,
 * a task role with exactly the statements passed in (separate from the execution role), and
 * alarms on unhealthy targets, target 5xx and CPU.
 */
export class FargateService extends pulumi.ComponentResource {
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

  constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:containers:FargateService", name, {}, opts);
    const paths = args.paths ?? [];
    const port = args.containerPort ?? CONTAINER_PORT;
    const cpu = args.cpu ?? FARGATE_CPU;
    const memory = args.memory ?? FARGATE_MEMORY_MB;
    const arch = args.cpuArchitecture ?? FARGATE_CPU_ARCHITECTURE;
    const desired = args.desiredCount ?? FARGATE_DESIRED_COUNT;
    const minCount = args.autoscaling?.minCount ?? desired;
    const maxCount = args.autoscaling?.maxCount ?? Math.max(FARGATE_MAX_COUNT, minCount);
    const cpuTarget = args.autoscaling?.cpuTargetPercent ?? FARGATE_CPU_TARGET_PERCENT;
    const requestsTarget = args.autoscaling?.requestsPerTarget ?? FARGATE_REQUESTS_PER_TARGET;
    const stopTimeout = args.stopTimeoutSeconds ?? FARGATE_STOP_TIMEOUT_SECONDS;
    const drain = args.deregistrationDelaySeconds ?? ALB_DEREGISTRATION_DELAY_SECONDS;
    const keepImages = args.keepImages ?? ECR_KEEP_IMAGES;
    const healthPath = args.healthCheckPath ?? "/health";
    const environment = args.environment ?? {};
    const secrets = args.secrets ?? {};
    const knownStatements = (args.statements ?? []).filter(
      (s): s is Statement => !pulumi.Output.isInstance(s) && !(s instanceof Promise),
    );
    const privilegeProblems = leastPrivilegeProblems(knownStatements);
    const secretLike = Object.keys(environment).filter((k) => SECRET_LIKE_NAME.test(k));
    const badSecrets = Object.entries(secrets).filter(
      ([, v]) => typeof v === "string" && !SECRET_ARN.test(v),
    );
    const clash = Object.keys(secrets).filter(
      (k) => k in environment || containerEnv.names.includes(k),
    );
    const dockerfile = isDockerfileImage(args.image)
      ? path.resolve(REPO_ROOT, args.image.context ?? ".", args.image.dockerfile)
      : undefined;
    const retention = args.logRetentionDays ?? args.cluster?.logRetentionDays ?? LOG_RETENTION_DAYS;

    const errors = new ArgumentErrors("FargateService", name)
      .check(
        name.length <= MAX_LB_NAME && /^[A-Za-z0-9-]+$/.test(name),
        "name",
        `"${name}" is longer than ${MAX_LB_NAME} characters or not alphanumeric/hyphens`,
        "use a short name: the target group's name is derived from it (32 characters at most)",
      )
      .check(
        args.cluster !== undefined || args.network !== undefined,
        "cluster/network",
        "neither is given",
        "pass a shared FargateCluster, or a network for a cluster of its own",
      )
      .check(
        args.cluster === undefined || args.clusterArgs === undefined,
        "clusterArgs",
        "given together with cluster",
        "configure the shared cluster itself, or drop cluster",
      )
      .check(
        isValidFargateSize(cpu, memory),
        "cpu/memory",
        `${cpu} CPU units with ${memory} MiB is not a Fargate size`,
        `use cpu one of ${Object.keys(FARGATE_SIZES).join(", ")} with a memory it accepts (256 -> 512-2048)`,
      )
      .check(
        Number.isInteger(port) && port >= 1024 && port <= 65535,
        "containerPort",
        `${port} is not an unprivileged port`,
        "use 1024-65535 so the app can run as a non-root user",
      )
      .check(
        Number.isInteger(desired) && desired >= 0,
        "desiredCount",
        `${desired} is not a whole number >= 0`,
        "use 1 or more (2+ spreads tasks over AZs)",
      )
      .check(
        Number.isInteger(minCount) && minCount >= 0 && maxCount >= minCount && maxCount >= 1,
        "autoscaling",
        `minCount ${minCount} / maxCount ${maxCount} are not 0 <= min <= max, max >= 1`,
        "give whole numbers with min <= max",
      )
      .check(
        desired >= minCount && desired <= maxCount,
        "desiredCount",
        `${desired} is outside autoscaling's ${minCount}-${maxCount}`,
        "keep desiredCount within minCount..maxCount",
      )
      .check(
        cpuTarget > 0 && cpuTarget <= 100 && requestsTarget > 0,
        "autoscaling",
        `cpuTargetPercent ${cpuTarget} / requestsPerTarget ${requestsTarget} out of range`,
        "use a CPU % in (0, 100] and a positive request count",
      )
      .check(
        Number.isInteger(stopTimeout) && stopTimeout >= 2 && stopTimeout <= MAX_STOP_TIMEOUT,
        "stopTimeoutSeconds",
        `${stopTimeout} is outside 2-${MAX_STOP_TIMEOUT}`,
        `use 2 to ${MAX_STOP_TIMEOUT} (Fargate's limit)`,
      )
      .check(
        Number.isInteger(drain) && drain >= 0 && drain <= 3600,
        "deregistrationDelaySeconds",
        `${drain} is outside 0-3600`,
        "use 0 to 3600",
      )
      .check(
        Number.isInteger(keepImages) && keepImages >= 1,
        "keepImages",
        `${keepImages} is not a positive whole number`,
        "keep at least 1 image (the running one)",
      )
      .check(
        paths.length <= MAX_PATHS && paths.every(isRoutePath),
        "paths",
        `${paths.filter((p) => !isRoutePath(p)).join(", ") || `${paths.length} paths`} not valid`,
        `give at most ${MAX_PATHS} prefixes like "/items" (leading slash, no trailing slash, no wildcards)`,
      )
      .check(
        new Set(paths).size === paths.length,
        "paths",
        "a path is listed twice",
        "list each prefix once",
      )
      .check(
        /^\/[A-Za-z0-9._~/-]*$/.test(healthPath),
        "healthCheckPath",
        `"${healthPath}" is not a path`,
        'use a path like "/health"',
      )
      .check(
        secretLike.length === 0,
        "environment",
        `${secretLike.join(", ")} look like secrets, which would be stored in plain text in the task definition`,
        "move them to `secrets` as Secrets Manager or SSM Parameter ARNs",
      )
      .check(
        badSecrets.length === 0,
        "secrets",
        `${badSecrets.map(([k]) => k).join(", ")} are not Secrets Manager or SSM Parameter ARNs`,
        "pass the ARN of the secret or parameter, never its value",
      )
      .check(
        clash.length === 0,
        "secrets",
        `${clash.join(", ")} also set in environment (or PORT, which the component sets)`,
        "use each variable name once",
      )
      .check(
        privilegeProblems.length === 0,
        "statements",
        privilegeProblems.join("; "),
        "list explicit actions on explicit resource ARNs",
      )
      .checkLogRetention(retention)
      .check(
        dockerfile === undefined || fs.existsSync(dockerfile),
        "image.dockerfile",
        `${dockerfile ? path.relative(REPO_ROOT, dockerfile) : ""} does not exist`,
        "give the Dockerfile's path relative to the repository root",
      );
    errors.throwIfAny();

    const t = args.transform ?? {};
    const parent = { parent: this };
    this.cluster =
      args.cluster ??
      new FargateCluster(
        name,
        { ...(args.clusterArgs ?? {}), network: args.network as NetworkRef },
        parent,
      );
    const cluster = this.cluster;
    this.logicalName = name;
    // Claimed before any child exists, so a clash with another service creates nothing.
    const priorities = cluster.claimRoutes(name, paths, args.priority);
    this.loadBalancer = cluster.loadBalancer;
    this.api = cluster.api;
    const alarmTopicArn = args.alarmTopicArn ?? cluster.alarmTopicArn;
    const logKmsKeyArn = args.logKmsKeyArn ?? cluster.logKmsKeyArn;
    const region = aws.getRegionOutput({}, parent).region;
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const stackName = `${pulumi.getProject()}-${pulumi.getStack()}`;

    // Image: build + push into a repository of its own, or use the one given.
    let repositoryArn: pulumi.Input<string> | undefined;
    if (isDockerfileImage(args.image)) {
      this.repository = new aws.ecr.Repository(
        name,
        applyTransform<aws.ecr.RepositoryArgs>(
          {
            imageScanningConfiguration: { scanOnPush: true },
            // awsx tags each build with a stable hash of its inputs and re-pushes that tag, so
            // tags must be mutable; the task definition pins the image by digest instead.
            imageTagMutability: "MUTABLE",
            encryptionConfigurations: [{ encryptionType: "KMS" }],
            forceDelete: args.forceDeleteRepository ?? false,
          },
          t.repository,
          name,
        ),
        parent,
      );
      new aws.ecr.LifecyclePolicy(
        name,
        applyTransform<aws.ecr.LifecyclePolicyArgs>(
          {
            repository: this.repository.name,
            policy: JSON.stringify({
              rules: [
                {
                  rulePriority: 1,
                  description: `Keep the last ${keepImages} images`,
                  selection: {
                    tagStatus: "any",
                    countType: "imageCountMoreThan",
                    countNumber: keepImages,
                  },
                  action: { type: "expire" },
                },
              ],
            }),
          },
          t.lifecyclePolicy,
          name,
        ),
        parent,
      );
      // Paths relative to the working directory (the project root under `pulumi up`), so the
      // inputs carry no machine-specific prefix and a clean checkout previews with no diff.
      const rel = (p: string) => path.relative(process.cwd(), p) || ".";
      this.image = new awsx.ecr.Image(
        name,
        applyTransform<awsx.ecr.ImageArgs>(
          {
            repositoryUrl: this.repository.repositoryUrl,
            context: rel(path.resolve(REPO_ROOT, args.image.context ?? ".")),
            dockerfile: rel(dockerfile as string),
            platform: arch === "ARM64" ? "linux/arm64" : "linux/amd64",
            args: args.image.buildArgs,
            target: args.image.target,
          },
          t.image,
          name,
        ),
        parent,
      );
      this.imageUri = this.image.imageUri;
      repositoryArn = this.repository.arn;
    } else {
      this.imageUri = pulumi.output(args.image.uri);
      repositoryArn = args.image.repositoryArn;
    }

    this.logGroup = new aws.cloudwatch.LogGroup(
      name,
      applyTransform<aws.cloudwatch.LogGroupArgs>(
        {
          name: `/ecs/${stackName}/${name}`,
          retentionInDays: retention,
          kmsKeyId: logKmsKeyArn,
        },
        t.logGroup,
        name,
      ),
      parent,
    );

    // Execution role: what ECS itself needs to start the task (pull, log, read secrets).
    this.executionRole = new aws.iam.Role(
      `${name}-execution`,
      applyTransform<aws.iam.RoleArgs>(
        {
          assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", account),
          description: `ECS starts tasks of service ${name} with this role (pull, logs, secrets)`,
        },
        t.executionRole,
        `${name}-execution`,
      ),
      parent,
    );
    const executionStatements: pulumi.Input<Statement>[] = [
      allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [pulumi.interpolate`${this.logGroup.arn}:*`],
      ),
    ];
    if (repositoryArn) {
      executionStatements.push(
        // Registry-wide call: AWS supports no resource scoping for it.
        allow(["ecr:GetAuthorizationToken"], ["*"]),
        allow(
          ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
          [repositoryArn],
        ),
      );
    }
    for (const valueFrom of Object.values(secrets)) {
      executionStatements.push(pulumi.output(valueFrom).apply(secretReadStatement));
    }
    if (args.secretsKmsKeyArns?.length) {
      executionStatements.push(allow(["kms:Decrypt"], args.secretsKmsKeyArns));
    }
    const executionPolicy = new aws.iam.RolePolicy(
      `${name}-execution`,
      applyTransform<aws.iam.RolePolicyArgs>(
        {
          role: this.executionRole.id,
          policy: policyDocument(
            executionStatements,
            `FargateService "${name}" execution role policy`,
          ),
        },
        t.executionPolicy,
        `${name}-execution`,
      ),
      parent,
    );

    // Task role: what the application may do, exactly the statements passed in.
    this.taskRole = new aws.iam.Role(
      `${name}-task`,
      applyTransform<aws.iam.RoleArgs>(
        {
          assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", account),
          description: `The application of service ${name} runs with this role`,
        },
        t.taskRole,
        `${name}-task`,
      ),
      parent,
    );
    if ((args.statements ?? []).length > 0) {
      this.taskPolicy = new aws.iam.RolePolicy(
        `${name}-task`,
        applyTransform<aws.iam.RolePolicyArgs>(
          {
            role: this.taskRole.id,
            policy: policyDocument(
              args.statements ?? [],
              `FargateService "${name}" task role policy`,
            ),
          },
          t.taskPolicy,
          `${name}-task`,
        ),
        parent,
      );
    }

    // The agent (pull, logs, secrets) and the app both call out through the task's ENI.
    cluster.network.callLedger?.record(name, "task", [
      ...executionStatements,
      ...(args.statements ?? []),
    ]);

    const healthCommand = args.healthCheckCommand ?? [
      "CMD",
      "node",
      "-e",
      `fetch('http://127.0.0.1:${port}${healthPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
    ];
    // The SDK finds the region in AWS_REGION; set it rather than rely on the platform doing so.
    const envEntries = Object.entries({
      AWS_REGION: region,
      ...environment,
      ...containerEnvironment({ port }),
    }).sort(([a], [b]) => a.localeCompare(b));
    const secretEntries = Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b));
    const containerDefinitions = pulumi.jsonStringify([
      {
        name,
        image: this.imageUri,
        essential: true,
        portMappings: [{ containerPort: port, protocol: "tcp", name: "http", appProtocol: "http" }],
        environment: envEntries.map(([n, value]) => ({ name: n, value })),
        secrets: secretEntries.map(([n, valueFrom]) => ({ name: n, valueFrom })),
        readonlyRootFilesystem: true,
        // An init process forwards SIGTERM to the app and reaps zombies.
        linuxParameters: { initProcessEnabled: true },
        stopTimeout,
        healthCheck: {
          command: healthCommand,
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 30,
        },
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": this.logGroup.name,
            "awslogs-region": region,
            "awslogs-stream-prefix": name,
            // A slow log stream must not block the app's stdout.
            mode: "non-blocking",
            "max-buffer-size": "25m",
          },
        },
      },
    ]);
    this.taskDefinition = new aws.ecs.TaskDefinition(
      name,
      applyTransform<aws.ecs.TaskDefinitionArgs>(
        {
          family: `${stackName}-${name}`,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: String(cpu),
          memory: String(memory),
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: arch },
          executionRoleArn: this.executionRole.arn,
          taskRoleArn: this.taskRole.arn,
          containerDefinitions,
        },
        t.taskDefinition,
        name,
      ),
      parent,
    );

    // Tasks: HTTPS out (AWS APIs), and in only from the load balancer on the container port.
    this.securityGroup = cluster.network.egressOnlySecurityGroup(
      `${name}-tasks`,
      `Tasks of service ${name}: only the load balancer may connect, on port ${port}`,
      { parent: this, transform: { securityGroup: t.securityGroup } },
    );

    this.routes = [];
    this.listenerRules = [];
    const serviceDependsOn: pulumi.Resource[] = [executionPolicy];
    if (paths.length > 0) {
      const ingress = new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-alb`,
        {
          securityGroupId: this.securityGroup.id,
          description: "From the load balancer only",
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: cluster.loadBalancerSecurityGroup.id,
        },
        parent,
      );
      const egress = new aws.vpc.SecurityGroupEgressRule(
        `${name}-alb-to-tasks`,
        {
          securityGroupId: cluster.loadBalancerSecurityGroup.id,
          description: `To the tasks of service ${name} (traffic and health checks)`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: this.securityGroup.id,
        },
        parent,
      );
      this.targetGroup = new aws.lb.TargetGroup(
        name,
        applyTransform<aws.lb.TargetGroupArgs>(
          {
            vpcId: cluster.network.vpcId,
            targetType: "ip",
            protocol: "HTTP",
            port,
            deregistrationDelay: drain,
            healthCheck: {
              path: healthPath,
              matcher: "200",
              interval: 15,
              timeout: 5,
              healthyThreshold: 2,
              unhealthyThreshold: 3,
            },
          },
          t.targetGroup,
          name,
        ),
        parent,
      );
      const targetGroup = this.targetGroup;
      paths.forEach((p, i) => {
        const n = `${name}-${i}`;
        this.listenerRules.push(
          new aws.lb.ListenerRule(
            n,
            applyTransform<aws.lb.ListenerRuleArgs>(
              {
                listenerArn: cluster.listener.arn,
                priority: priorities[i],
                conditions: [{ pathPattern: { values: FargateCluster.pathPatterns(p) } }],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
              },
              t.listenerRule,
              n,
            ),
            parent,
          ),
        );
        for (const routeKey of FargateCluster.routeKeys(p)) {
          const rn = `${name}-${routeKey.replace(/^ANY /, "").replace(/[^A-Za-z0-9]+/g, "-")}`
            .replace(/-+$/, "")
            .replace(/-+/g, "-");
          this.routes.push(
            new aws.apigatewayv2.Route(
              rn,
              applyTransform<aws.apigatewayv2.RouteArgs>(
                {
                  apiId: cluster.api.id,
                  routeKey,
                  target: pulumi.interpolate`integrations/${cluster.integration.id}`,
                  authorizationType:
                    cluster.auth === "cognito"
                      ? "JWT"
                      : cluster.auth === "iam"
                        ? "AWS_IAM"
                        : "NONE",
                  authorizerId: cluster.authorizer?.id,
                  authorizationScopes: cluster.authorizationScopes,
                },
                t.route,
                rn,
              ),
              parent,
            ),
          );
        }
      });
      // ECS rejects a target group that no listener rule attaches to the load balancer yet.
      serviceDependsOn.push(...this.listenerRules, ingress, egress);
    }

    this.service = new aws.ecs.Service(
      name,
      applyTransform<aws.ecs.ServiceArgs>(
        {
          cluster: cluster.cluster.arn,
          taskDefinition: this.taskDefinition.arn,
          desiredCount: desired,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          networkConfiguration: {
            subnets: cluster.network.privateSubnetIds,
            securityGroups: [this.securityGroup.id],
            assignPublicIp: false,
          },
          loadBalancers: this.targetGroup
            ? [{ targetGroupArn: this.targetGroup.arn, containerName: name, containerPort: port }]
            : undefined,
          healthCheckGracePeriodSeconds: this.targetGroup ? HEALTH_CHECK_GRACE_SECONDS : undefined,
          deploymentCircuitBreaker: { enable: true, rollback: true },
          deploymentMinimumHealthyPercent: 100,
          deploymentMaximumPercent: 200,
          availabilityZoneRebalancing: "ENABLED",
          enableExecuteCommand: false,
          enableEcsManagedTags: true,
          propagateTags: "SERVICE",
        },
        t.service,
        name,
      ),
      // Autoscaling owns the task count after the first deployment.
      { parent: this, dependsOn: serviceDependsOn, ignoreChanges: ["desiredCount"] },
    );
    this.serviceName = this.service.name;

    this.scalingTarget = new aws.appautoscaling.Target(
      name,
      applyTransform<aws.appautoscaling.TargetArgs>(
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${cluster.cluster.name}/${this.service.name}`,
          minCapacity: minCount,
          maxCapacity: maxCount,
        },
        t.scalingTarget,
        name,
      ),
      parent,
    );
    const scalingPolicy = (
      suffix: string,
      targetValue: number,
      metric: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
    ) => {
      const n = `${name}-${suffix}`;
      return new aws.appautoscaling.Policy(
        n,
        applyTransform<aws.appautoscaling.PolicyArgs>(
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
          t.scalingPolicy,
          n,
        ),
        parent,
      );
    };
    this.scalingPolicies = [
      scalingPolicy("cpu", cpuTarget, { predefinedMetricType: "ECSServiceAverageCPUUtilization" }),
    ];
    if (this.targetGroup) {
      this.scalingPolicies.push(
        scalingPolicy("requests", requestsTarget, {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: pulumi.interpolate`${cluster.loadBalancer.arnSuffix}/${this.targetGroup.arnSuffix}`,
        }),
      );
    }

    this.alarms = [];
    if (alarmTopicArn) {
      const ecsDimensions = { ClusterName: cluster.cluster.name, ServiceName: this.service.name };
      this.alarms.push(
        metricAlarm(
          `${name}-cpu-high`,
          {
            description: `Service ${name} has run above ${CONTAINER_UTILIZATION_ALARM_PERCENT}% CPU for ${ALARM_EVALUATION_PERIODS} minutes (at max tasks, raise maxCount or cpu)`,
            namespace: "AWS/ECS",
            metricName: "CPUUtilization",
            dimensions: ecsDimensions,
            statistic: "Average",
            threshold: CONTAINER_UTILIZATION_ALARM_PERCENT,
            datapointsToAlarm: ALARM_EVALUATION_PERIODS,
          },
          alarmTopicArn,
          this,
        ),
        metricAlarm(
          `${name}-memory-high`,
          {
            description: `Service ${name} has used above ${CONTAINER_UTILIZATION_ALARM_PERCENT}% memory for ${ALARM_EVALUATION_PERIODS} minutes (raise memory)`,
            namespace: "AWS/ECS",
            metricName: "MemoryUtilization",
            dimensions: ecsDimensions,
            statistic: "Average",
            threshold: CONTAINER_UTILIZATION_ALARM_PERCENT,
            datapointsToAlarm: ALARM_EVALUATION_PERIODS,
          },
          alarmTopicArn,
          this,
        ),
      );
      if (this.targetGroup) {
        const lbDimensions = {
          TargetGroup: this.targetGroup.arnSuffix,
          LoadBalancer: cluster.loadBalancer.arnSuffix,
        };
        this.alarms.push(
          metricAlarm(
            `${name}-unhealthy`,
            {
              description: `Service ${name} has targets failing the load balancer health check on ${healthPath}`,
              namespace: "AWS/ApplicationELB",
              metricName: "UnHealthyHostCount",
              dimensions: lbDimensions,
              statistic: "Maximum",
            },
            alarmTopicArn,
            this,
          ),
          metricAlarm(
            `${name}-5xx`,
            {
              description: `Service ${name} answered 5xx (see log group /ecs/${stackName}/${name})`,
              namespace: "AWS/ApplicationELB",
              metricName: "HTTPCode_Target_5XX_Count",
              dimensions: lbDimensions,
            },
            alarmTopicArn,
            this,
          ),
        );
      }
    }

    this.url =
      paths.length > 0 ? pulumi.interpolate`${cluster.url}${paths[0]}` : pulumi.output(cluster.url);
    this.registerOutputs({
      url: this.url,
      serviceName: this.serviceName,
      taskRoleArn: this.taskRole.arn,
      imageUri: this.imageUri,
    });
  }

  /**
   * Dashboard row: CPU and memory against the alarm threshold, running tasks (Container
   * Insights) and, behind the load balancer, healthy targets, requests, 5xx and response time.
   */
  widgets(title = `Service ${this.logicalName}`): DashboardRow[] {
    const service = { ClusterName: this.cluster.cluster.name, ServiceName: this.service.name };
    const widgets: MetricWidget[] = [
      {
        title: "CPU and memory (%)",
        unit: "%",
        stat: "Average",
        lines: [
          metric("AWS/ECS", "CPUUtilization", service, { label: "CPU avg" }),
          metric("AWS/ECS", "CPUUtilization", service, { label: "CPU max", stat: "Maximum" }),
          metric("AWS/ECS", "MemoryUtilization", service, { label: "memory avg" }),
        ],
        thresholds: [{ label: "alarm", value: CONTAINER_UTILIZATION_ALARM_PERCENT }],
      },
    ];
    const tasks = this.cluster.containerInsights
      ? [
          metric("ECS/ContainerInsights", "RunningTaskCount", service, { label: "running tasks" }),
          metric("ECS/ContainerInsights", "DesiredTaskCount", service, { label: "desired tasks" }),
        ]
      : [];
    if (this.targetGroup) {
      const target = {
        TargetGroup: this.targetGroup.arnSuffix,
        LoadBalancer: this.cluster.loadBalancer.arnSuffix,
      };
      const lb = (metricName: string, label: string, stat?: string) =>
        metric("AWS/ApplicationELB", metricName, target, { label, stat });
      widgets.push(
        {
          title: "Tasks and targets",
          stat: "Maximum",
          lines: [
            ...tasks,
            lb("HealthyHostCount", "healthy targets"),
            lb("UnHealthyHostCount", "unhealthy targets"),
          ],
        },
        {
          title: "Requests and errors",
          lines: [
            lb("RequestCount", "requests"),
            lb("HTTPCode_Target_4XX_Count", "4xx"),
            lb("HTTPCode_Target_5XX_Count", "5xx"),
          ],
        },
        {
          title: "Response time (s)",
          unit: "s",
          lines: [lb("TargetResponseTime", "p50", "p50"), lb("TargetResponseTime", "p99", "p99")],
        },
      );
    } else if (tasks.length > 0) {
      widgets.push({ title: "Tasks", stat: "Maximum", lines: tasks });
    }
    return [{ title, widgets }];
  }
}
