/** Environment contract of functions/containers/billing-service (a container app, set by stacks/event-driven-microservices.ts). */
import { defineEnv, envString, type EnvValues } from "../../lib/env";

export const billingServiceEnv = defineEnv("billing-service", {
  tableName: envString("TABLE_NAME"),
  /** The service's subscriber queue. */
  queueUrl: envString("QUEUE_URL"),
});
export type BillingServiceEnv = EnvValues<typeof billingServiceEnv.spec>;
export const readBillingServiceEnv = (env = process.env) => billingServiceEnv.read(env);
export const billingServiceEnvironment = billingServiceEnv.environment;
