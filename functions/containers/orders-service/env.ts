/** Environment contract of functions/containers/orders-service (a container app, set by stacks/event-driven-microservices.ts). */
import { defineEnv, envString, type EnvValues } from "../../lib/env";

export const ordersServiceEnv = defineEnv("orders-service", {
  tableName: envString("TABLE_NAME"),
  /** Where order events are published. */
  topicArn: envString("TOPIC_ARN"),
});
export type OrdersServiceEnv = EnvValues<typeof ordersServiceEnv.spec>;
export const readOrdersServiceEnv = (env = process.env) => ordersServiceEnv.read(env);
export const ordersServiceEnvironment = ordersServiceEnv.environment;
