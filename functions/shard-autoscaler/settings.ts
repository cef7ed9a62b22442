/**
 * The scaler's settings, passed by the component as one JSON environment variable so the Lambda,
 * the alarms and the policy agree on every threshold. Pure: parse and validate.
 */
import { DEFAULT_POLICY_CONFIG, PolicyConfig, policyConfigProblems } from "./policy";

export interface ScalerSettings {
  streamName: string;
  streamArn: string;
  upAlarmName: string;
  downAlarmName: string;
  /** Topic both alarms notify (the scaler's own trigger topic). */
  alarmActionArn: string;
  policy: PolicyConfig;
}

/** Environment variable holding the settings JSON. */
export const SETTINGS_ENV = "SCALER_SETTINGS";

const REQUIRED = ["streamName", "streamArn", "upAlarmName", "downAlarmName", "alarmActionArn"];

/** Parses the settings JSON; throws one Error listing every problem. */
export function parseSettings(json: string | undefined): ScalerSettings {
  if (!json) throw new Error(`${SETTINGS_ENV} is not set`);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`${SETTINGS_ENV} is not valid JSON`);
  }
  const obj = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of REQUIRED) {
    if (typeof obj[key] !== "string" || obj[key] === "")
      problems.push(`${key}: must be a non-empty string`);
  }
  const given = (obj.policy && typeof obj.policy === "object" ? obj.policy : {}) as Record<
    string,
    unknown
  >;
  const policy = { ...DEFAULT_POLICY_CONFIG } as PolicyConfig;
  for (const key of Object.keys(given)) {
    if (!(key in DEFAULT_POLICY_CONFIG)) problems.push(`policy.${key}: unknown setting`);
    else if (typeof given[key] !== "number") problems.push(`policy.${key}: must be a number`);
    else (policy as unknown as Record<string, number>)[key] = given[key] as number;
  }
  problems.push(...policyConfigProblems(policy).map((p) => `policy.${p}`));
  if (problems.length > 0)
    throw new Error(`${SETTINGS_ENV} is invalid:\n  - ${problems.join("\n  - ")}`);
  return {
    streamName: obj.streamName as string,
    streamArn: obj.streamArn as string,
    upAlarmName: obj.upAlarmName as string,
    downAlarmName: obj.downAlarmName as string,
    alarmActionArn: obj.alarmActionArn as string,
    policy,
  };
}
