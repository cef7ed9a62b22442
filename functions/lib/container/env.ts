/**
 * Environment contract every container app shares (FargateService sets it): the port to listen on.
 * Each app's own variables are in `functions/<service>/env.ts`.
 */
import { defineEnv, envInt, type EnvValues } from "../env";

/** The port a container app listens on unless told otherwise. */
export const DEFAULT_CONTAINER_PORT = 8080;

export const containerEnv = defineEnv("container", {
  /** The container port the load balancer targets (0: any free port, for local runs and tests). */
  port: envInt("PORT", { default: DEFAULT_CONTAINER_PORT, min: 0, max: 65_535 }),
});
export type ContainerEnv = EnvValues<typeof containerEnv.spec>;
export const readContainerEnv = (env = process.env) => containerEnv.read(env);
export const containerEnvironment = containerEnv.environment;
