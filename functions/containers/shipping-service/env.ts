/** Environment contract of functions/containers/shipping-service (a container app, set by stacks/event-driven-microservices.ts). */
import { defineEnv, envString, type EnvValues } from "../../lib/env";

export const shippingServiceEnv = defineEnv("shipping-service", {
  tableName: envString("TABLE_NAME"),
  /** The service's subscriber queue. */
  queueUrl: envString("QUEUE_URL"),
});
export type ShippingServiceEnv = EnvValues<typeof shippingServiceEnv.spec>;
export const readShippingServiceEnv = (env = process.env) => shippingServiceEnv.read(env);
export const shippingServiceEnvironment = shippingServiceEnv.environment;
