/** Environment contract of functions/notify-subscriptions (set by stacks/realtimeClientApi.ts). */
import { defineEnv, envString, type EnvValues } from "../lib/env";

export const notifySubscriptionsEnv = defineEnv("notify-subscriptions", {
  /** The notification topic clients subscribe to. */
  topicArn: envString("TOPIC_ARN", {
    pattern: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
    expected: "an SNS topic ARN",
  }),
});
export type NotifySubscriptionsEnv = EnvValues<typeof notifySubscriptionsEnv.spec>;
export const readNotifySubscriptionsEnv = (env = process.env) => notifySubscriptionsEnv.read(env);
export const notifySubscriptionsEnvironment = notifySubscriptionsEnv.environment;
