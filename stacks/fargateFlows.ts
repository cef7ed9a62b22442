/**
 * What the Fargate flows share (three-tier-fargate, event-driven-microservices): the API and
 * service settings, the cluster in the shared VPC, the service sizing and the auth outputs.
 * Not a flow itself: flows never import each other.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { intSetting } from "./settingFields";
import {
  FARGATE_CPU,
  FARGATE_CPU_TARGET_PERCENT,
  FARGATE_DESIRED_COUNT,
  FARGATE_MAX_COUNT,
  FARGATE_MEMORY_MB,
  FARGATE_REQUESTS_PER_TARGET,
} from "../components/core/defaults";
import {
  FargateCluster,
  FargateServiceArgs,
  isValidFargateSize,
} from "../components/containers/fargateService";
import type { DockerfileImage, ImageUri } from "../components/containers/fargateService";
import type { FlowOutputs, StackContext } from "./flow";
import { threeTierLambdaFields } from "./itemsApi";
import { clusterTls, loadBalancerTlsFields } from "./loadBalancerTls";

/** API settings, the same keys and defaults as the Lambda flows'. */
export const fargateApiFields = {
  auth: threeTierLambdaFields.auth,
  corsOrigins: threeTierLambdaFields.corsOrigins,
  throttleRateLimit: threeTierLambdaFields.throttleRateLimit,
  throttleBurstLimit: threeTierLambdaFields.throttleBurstLimit,
  ...loadBalancerTlsFields,
};

/** Size and scaling of each Fargate service of a flow. */
export const fargateServiceFields = {
  cpu: z
    .number()
    .int()
    .default(FARGATE_CPU)
    .describe(
      `CPU units per task (256 = 0.25 vCPU; 256, 512, 1024, 2048, 4096, 8192 or 16384). Default: ${FARGATE_CPU}.`,
    ),
  memory: z
    .number()
    .int()
    .default(FARGATE_MEMORY_MB)
    .describe(
      `Memory per task in MiB, valid for cpu (256 CPU: 512-2048). Default: ${FARGATE_MEMORY_MB}.`,
    ),
  desiredCount: intSetting(1, 100, FARGATE_DESIRED_COUNT).describe(
    `Tasks per service at deployment, and the autoscaling minimum (2+ spreads over AZs). Default: ${FARGATE_DESIRED_COUNT}.`,
  ),
  maxCount: intSetting(1, 100, FARGATE_MAX_COUNT).describe(
    `Autoscaling maximum of tasks per service. Default: ${FARGATE_MAX_COUNT}.`,
  ),
  cpuTargetPercent: z
    .number()
    .min(10)
    .max(95)
    .default(FARGATE_CPU_TARGET_PERCENT)
    .describe(`Average CPU % target tracking holds. Default: ${FARGATE_CPU_TARGET_PERCENT}.`),
  requestsPerTarget: intSetting(1, undefined, FARGATE_REQUESTS_PER_TARGET).describe(
    `Requests per task per minute target tracking holds. Default: ${FARGATE_REQUESTS_PER_TARGET}.`,
  ),
};

type SizeSettings = z.infer<z.ZodObject<typeof fargateServiceFields>>;
type ApiSettings = z.infer<z.ZodObject<typeof fargateApiFields>>;

/** Cross-field checks shared by the Fargate flows (each problem names its key). */
export function checkFargateSettings(s: SizeSettings, ctx: z.RefinementCtx): void {
  if (!isValidFargateSize(s.cpu, s.memory)) {
    ctx.addIssue({
      code: "custom",
      path: ["memory"],
      message: `${s.memory} MiB is not a Fargate size for ${s.cpu} CPU units (256 CPU: 512-2048 in steps of 512; 512: 1024-4096; 1024: 2048-8192 in steps of 1024)`,
    });
  }
  if (s.desiredCount > s.maxCount) {
    ctx.addIssue({
      code: "custom",
      path: ["maxCount"],
      message: `must be at least desiredCount (${s.desiredCount})`,
    });
  }
}

/** The flow's cluster and ingress (HTTP API -> VPC link -> internal ALB) in the shared VPC. */
export function buildFargateCluster(
  name: string,
  flow: pulumi.ComponentResource,
  settings: ApiSettings,
  ctx: StackContext,
): FargateCluster {
  // auth "none" outside dev is refused by the config loader (`openAuthProblem`).
  return new FargateCluster(
    name,
    {
      network: ctx.network(),
      auth: settings.auth,
      cors: settings.corsOrigins.length ? { origins: settings.corsOrigins } : undefined,
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
      tls: clusterTls(settings),
      deletionProtection: !ctx.isDev,
      ...ctx.operations,
    },
    { parent: flow },
  );
}

/** Service arguments every Fargate flow sets the same way from its settings. */
export function fargateServiceDefaults(
  settings: SizeSettings,
  ctx: StackContext,
): Pick<
  FargateServiceArgs,
  "cpu" | "memory" | "desiredCount" | "autoscaling" | "forceDeleteRepository"
> {
  return {
    cpu: settings.cpu,
    memory: settings.memory,
    desiredCount: settings.desiredCount,
    autoscaling: {
      minCount: settings.desiredCount,
      maxCount: settings.maxCount,
      cpuTargetPercent: settings.cpuTargetPercent,
      requestsPerTarget: settings.requestsPerTarget,
    },
    forceDeleteRepository: ctx.isDev,
  };
}

/** Cognito ids a client needs to sign in, when the API uses them. */
export function authOutputs(cluster: FargateCluster): FlowOutputs {
  return cluster.userPoolId
    ? {
        userPoolId: cluster.userPoolId,
        userPoolClientId: cluster.userPoolClientIds!.apply((ids) => ids[0]),
      }
    : {};
}

/** The one image template of the container apps (functions/containers/<app>/main.ts). */
export const CONTAINER_DOCKERFILE = "functions/containers/Dockerfile";

/**
 * The image of container app `app` (a folder of functions/containers), or the given one, and the
 * app's name, so a given image's business figures are charted too.
 */
export function appImage(
  app: string,
  uri?: string,
): { app: string; image: DockerfileImage | ImageUri } {
  return {
    app,
    image: uri ? { uri } : { dockerfile: CONTAINER_DOCKERFILE, buildArgs: { SERVICE: app } },
  };
}
