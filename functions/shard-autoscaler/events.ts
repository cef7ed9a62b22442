/**
 * What invoked the scaler: a CloudWatch alarm notification delivered by SNS, or the EventBridge
 * schedule. Pure parsing; anything else is reported as unknown and ignored by the handler.
 * Not Powertools Parser's SnsSchema and EventBridgeSchema: with zod they add 96 KiB (the scaler's
 * bundle 258 -> 354 KiB, over the 350 KiB budget), for two fields read.
 */

export interface AlarmNotification {
  alarmName: string;
  newState: string;
  oldState?: string;
  reason?: string;
}

export type Trigger =
  | { kind: "alarm"; alarms: AlarmNotification[] }
  | { kind: "schedule"; time?: string }
  | { kind: "unknown"; detail: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** The alarm fields of one SNS message body (CloudWatch's JSON), or undefined. */
export function parseAlarmMessage(message: unknown): AlarmNotification | undefined {
  if (typeof message !== "string") return undefined;
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(body) || typeof body.AlarmName !== "string") return undefined;
  return {
    alarmName: body.AlarmName,
    newState: typeof body.NewStateValue === "string" ? body.NewStateValue : "UNKNOWN",
    oldState: typeof body.OldStateValue === "string" ? body.OldStateValue : undefined,
    reason: typeof body.NewStateReason === "string" ? body.NewStateReason : undefined,
  };
}

export function parseTrigger(event: unknown): Trigger {
  if (!isObject(event)) return { kind: "unknown", detail: "event is not an object" };
  if (Array.isArray(event.Records)) {
    const alarms: AlarmNotification[] = [];
    for (const record of event.Records) {
      if (!isObject(record) || record.EventSource !== "aws:sns" || !isObject(record.Sns)) continue;
      const alarm = parseAlarmMessage(record.Sns.Message);
      if (alarm) alarms.push(alarm);
    }
    return alarms.length > 0
      ? { kind: "alarm", alarms }
      : { kind: "unknown", detail: "SNS records without a CloudWatch alarm message" };
  }
  if (event.source === "aws.events" && event["detail-type"] === "Scheduled Event")
    return { kind: "schedule", time: typeof event.time === "string" ? event.time : undefined };
  return { kind: "unknown", detail: "neither an SNS alarm notification nor a scheduled event" };
}
