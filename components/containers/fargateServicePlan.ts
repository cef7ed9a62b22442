import * as fs from "node:fs";
import { powertoolsEnv } from "../../functions/lib/businessMetrics";
import { containerEnv, containerEnvironment } from "../../functions/lib/container/env";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  ALB_DEREGISTRATION_DELAY_SECONDS,
  CONTAINER_PORT,
  ECR_KEEP_IMAGES,
  FARGATE_CPU,
  FARGATE_CPU_ARCHITECTURE,
  FARGATE_CPU_TARGET_PERCENT,
  FARGATE_DESIRED_COUNT,
  FARGATE_MAX_COUNT,
  FARGATE_MEMORY_MB,
  FARGATE_REQUESTS_PER_TARGET,
  FARGATE_STOP_TIMEOUT_SECONDS,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import { ArgumentErrors } from "../core/validate";
import { businessMetricsNamespace } from "../observability/widgets";
import { Statement, allow, leastPrivilegeProblems } from "../security/iam";
import { MAX_LB_NAME, MAX_PATHS, isRoutePath } from "./fargateClusterPlan";
import { FargateServiceArgs, isDockerfileImage } from "./fargateServiceArgs";

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

/** A FargateService's args with every default resolved: what the resource steps build from. */
export interface FargateServicePlan {
  /** The app of functions/containers it runs, when known (its figures are charted). */
  app?: string;
  paths: string[];
  port: number;
  cpu: number;
  memory: number;
  arch: "ARM64" | "X86_64";
  desired: number;
  minCount: number;
  maxCount: number;
  cpuTarget: number;
  requestsTarget: number;
  stopTimeout: number;
  drain: number;
  keepImages: number;
  healthPath: string;
  environment: Record<string, pulumi.Input<string>>;
  secrets: Record<string, pulumi.Input<string>>;
  /** Absolute path of the Dockerfile, when the image is built here. */
  dockerfile?: string;
  retention: number;
}

/** Resolves the defaults of a FargateService's args (no validation: see `fargateServiceErrors`). */
export function planFargateService(args: FargateServiceArgs): FargateServicePlan {
  const desired = args.desiredCount ?? FARGATE_DESIRED_COUNT;
  const minCount = args.autoscaling?.minCount ?? desired;
  const built = isDockerfileImage(args.image) ? args.image.buildArgs?.SERVICE : undefined;
  return {
    app: args.app ?? (typeof built === "string" ? built : undefined),
    paths: args.paths ?? [],
    port: args.containerPort ?? CONTAINER_PORT,
    cpu: args.cpu ?? FARGATE_CPU,
    memory: args.memory ?? FARGATE_MEMORY_MB,
    arch: args.cpuArchitecture ?? FARGATE_CPU_ARCHITECTURE,
    desired,
    minCount,
    maxCount: args.autoscaling?.maxCount ?? Math.max(FARGATE_MAX_COUNT, minCount),
    cpuTarget: args.autoscaling?.cpuTargetPercent ?? FARGATE_CPU_TARGET_PERCENT,
    requestsTarget: args.autoscaling?.requestsPerTarget ?? FARGATE_REQUESTS_PER_TARGET,
    stopTimeout: args.stopTimeoutSeconds ?? FARGATE_STOP_TIMEOUT_SECONDS,
    drain: args.deregistrationDelaySeconds ?? ALB_DEREGISTRATION_DELAY_SECONDS,
    keepImages: args.keepImages ?? ECR_KEEP_IMAGES,
    healthPath: args.healthCheckPath ?? "/health",
    environment: args.environment ?? {},
    secrets: args.secrets ?? {},
    dockerfile: isDockerfileImage(args.image)
      ? path.resolve(REPO_ROOT, args.image.context ?? ".", args.image.dockerfile)
      : undefined,
    retention: args.logRetentionDays ?? args.cluster?.logRetentionDays ?? LOG_RETENTION_DAYS,
  };
}

/** Every problem with a FargateService's args, collected (call `throwIfAny()` on the result). */
export function fargateServiceErrors(
  name: string,
  args: FargateServiceArgs,
  p: FargateServicePlan,
): ArgumentErrors {
  const knownStatements = (args.statements ?? []).filter(
    (s): s is Statement => !pulumi.Output.isInstance(s) && !(s instanceof Promise),
  );
  const privilegeProblems = leastPrivilegeProblems(knownStatements);
  const secretLike = Object.keys(p.environment).filter((k) => SECRET_LIKE_NAME.test(k));
  const badSecrets = Object.entries(p.secrets).filter(
    ([, v]) => typeof v === "string" && !SECRET_ARN.test(v),
  );
  const clash = Object.keys(p.secrets).filter(
    (k) => k in p.environment || [...containerEnv.names, ...powertoolsEnv.names].includes(k),
  );
  const { paths, port, cpu, memory, desired, minCount, maxCount, stopTimeout, drain } = p;
  return new ArgumentErrors("FargateService", name)
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
      args.cluster === undefined || args.network === undefined,
      "cluster/network",
      "both are given: a shared cluster already has its network, so `network` would be ignored",
      "pass only `cluster` to join a shared cluster, or only `network` for a cluster of its own",
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
      p.cpuTarget > 0 && p.cpuTarget <= 100 && p.requestsTarget > 0,
      "autoscaling",
      `cpuTargetPercent ${p.cpuTarget} / requestsPerTarget ${p.requestsTarget} out of range`,
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
      Number.isInteger(p.keepImages) && p.keepImages >= 1,
      "keepImages",
      `${p.keepImages} is not a positive whole number`,
      "keep at least 1 image (the running one)",
    )
    .check(
      paths.length <= MAX_PATHS && paths.every(isRoutePath),
      "paths",
      `${paths.filter((x) => !isRoutePath(x)).join(", ") || `${paths.length} paths`} not valid`,
      `give at most ${MAX_PATHS} prefixes like "/items" (leading slash, no trailing slash, no wildcards)`,
    )
    .check(
      new Set(paths).size === paths.length,
      "paths",
      "a path is listed twice",
      "list each prefix once",
    )
    .check(
      /^\/[A-Za-z0-9._~/-]*$/.test(p.healthPath),
      "healthCheckPath",
      `"${p.healthPath}" is not a path`,
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
      `${clash.join(", ")} also set in environment (or PORT or POWERTOOLS_*, which the component sets)`,
      "use each variable name once",
    )
    .check(
      privilegeProblems.length === 0,
      "statements",
      privilegeProblems.join("; "),
      "list explicit actions on explicit resource ARNs",
    )
    .checkLogRetention(p.retention)
    .check(
      p.dockerfile === undefined || fs.existsSync(p.dockerfile),
      "image.dockerfile",
      `${p.dockerfile ? path.relative(REPO_ROOT, p.dockerfile) : ""} does not exist`,
      "give the Dockerfile's path relative to the repository root",
    );
}

/** The ECR lifecycle policy that keeps the last `keep` images. */
export function keepLastImagesPolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

/** Resource name of a service's route: `ANY /items/{proxy+}` of "items" -> "items-items-proxy". */
export function routeResourceName(service: string, routeKey: string): string {
  return `${service}-${routeKey.replace(/^ANY /, "").replace(/[^A-Za-z0-9]+/g, "-")}`
    .replace(/-+$/, "")
    .replace(/-+/g, "-");
}

/** What a container definition refers to that only exists once resources do. */
export interface ContainerRefs {
  image: pulumi.Input<string>;
  region: pulumi.Input<string>;
  logGroupName: pulumi.Input<string>;
  /**
   * @default Node's fetch against the health path on localhost
   */
  healthCheckCommand?: string[];
}

/**
 * The task's one container: read-only root filesystem, an init process, a health check, logs in
 * non-blocking mode, variables and secrets sorted by name (a stable task definition).
 *
 * Logs go through the awslogs driver to the service's log group: that is also how the app's
 * business figures (Powertools Metrics' EMF lines on stdout) become metrics, since CloudWatch
 * extracts them from EMF log events it receives
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html;
 * functions/lib/container/figures.ts). Each line is one log event, and an EMF line is far below
 * the driver's 16 KiB split.
 */
export function containerDefinition(name: string, p: FargateServicePlan, refs: ContainerRefs) {
  const healthCommand = refs.healthCheckCommand ?? [
    "CMD",
    "node",
    "-e",
    `fetch('http://127.0.0.1:${p.port}${p.healthPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
  ];
  const byName = <V>([a]: [string, V], [b]: [string, V]) => a.localeCompare(b);
  // The SDK finds the region in AWS_REGION; set it rather than rely on the platform doing so.
  // Powertools Metrics reads its namespace and `service` (one series per service, as for a
  // function: components/compute/lambdaFunction.ts).
  const env = Object.entries({
    AWS_REGION: refs.region,
    ...powertoolsEnv.environment({
      serviceName: name,
      metricsNamespace: businessMetricsNamespace(),
    }),
    ...p.environment,
    ...containerEnvironment({ port: p.port }),
  });
  return {
    name,
    image: refs.image,
    essential: true,
    portMappings: [{ containerPort: p.port, protocol: "tcp", name: "http", appProtocol: "http" }],
    environment: env.sort(byName).map(([n, value]) => ({ name: n, value })),
    secrets: Object.entries(p.secrets)
      .sort(byName)
      .map(([n, valueFrom]) => ({ name: n, valueFrom })),
    readonlyRootFilesystem: true,
    // An init process forwards SIGTERM to the app and reaps zombies.
    linuxParameters: { initProcessEnabled: true },
    stopTimeout: p.stopTimeout,
    healthCheck: { command: healthCommand, interval: 15, timeout: 5, retries: 3, startPeriod: 30 },
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": refs.logGroupName,
        "awslogs-region": refs.region,
        "awslogs-stream-prefix": name,
        // A slow log stream must not block the app's stdout.
        mode: "non-blocking",
        "max-buffer-size": "25m",
      },
    },
  };
}

/** The plan of a FargateService's args; throws one Error listing every problem with them. */
export function checkedFargateServicePlan(
  name: string,
  args: FargateServiceArgs,
): FargateServicePlan {
  const plan = planFargateService(args);
  fargateServiceErrors(name, args, plan).throwIfAny();
  return plan;
}
