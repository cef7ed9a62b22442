/** Environment contract of functions/stream-notifier (set by ChangeNotifier). */
import { defineEnv, envList, envString, type EnvValues } from "../lib/env";
import { SEVERITIES } from "../lib/streamEvents";
import { CHANGE_NAMES, DEFAULT_RULES } from "./notify";

export const streamNotifierEnv = defineEnv("stream-notifier", {
  topicArn: envString("TOPIC_ARN"),
  /** Changes that notify (the event source mapping's filter applies the same rules). */
  eventNames: envList("NOTIFY_EVENT_NAMES", {
    allowed: CHANGE_NAMES,
    default: DEFAULT_RULES.eventNames,
  }),
  /** Severities that notify; empty means every severity. */
  severities: envList("NOTIFY_SEVERITIES", {
    allowed: SEVERITIES,
    default: DEFAULT_RULES.severities,
  }),
});
export type StreamNotifierEnv = EnvValues<typeof streamNotifierEnv.spec>;
export const readStreamNotifierEnv = (env = process.env) => streamNotifierEnv.read(env);
export const streamNotifierEnvironment = streamNotifierEnv.environment;
