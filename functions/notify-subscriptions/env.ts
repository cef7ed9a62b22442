/**
 * The environment contract of `notify-subscriptions`: the stack sets these variables only through
 * `notifySubscriptionsEnvironment`, the handler reads them only through `readNotifySubscriptionsEnv`.
 */

export interface NotifySubscriptionsEnv {
  /** The notification topic clients subscribe to. */
  topicArn: string;
}

const NAMES = { topicArn: "TOPIC_ARN" } as const satisfies Record<
  keyof NotifySubscriptionsEnv,
  string
>;

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export function readNotifySubscriptionsEnv(
  env: Record<string, string | undefined> = process.env,
): NotifySubscriptionsEnv {
  const topicArn = env[NAMES.topicArn];
  if (!topicArn) throw new Error(`environment variable ${NAMES.topicArn} is not set`);
  if (!TOPIC_ARN.test(topicArn))
    throw new Error(`environment variable ${NAMES.topicArn}=${topicArn} is not a topic ARN`);
  return { topicArn };
}

/** The variables, by name, for the component (values may be Pulumi outputs: `T`). */
export function notifySubscriptionsEnvironment<T>(values: {
  topicArn: T | string;
}): Record<string, T | string> {
  return { [NAMES.topicArn]: values.topicArn };
}
