import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Rule, UNKNOWN, known } from "./util";

/**
 * Symmetric customer-managed keys rotate yearly. Asymmetric and HMAC keys cannot rotate in AWS,
 * so they are out of scope rather than unfixable violations.
 */
export const kmsKeyRotation: Rule = {
  name: "kms-key-rotation",
  description: "Symmetric KMS keys have automatic rotation enabled (enableKeyRotation).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
    const usage = key.keyUsage ?? "ENCRYPT_DECRYPT";
    const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    if (usage !== "ENCRYPT_DECRYPT" || spec !== "SYMMETRIC_DEFAULT") return;
    if (key.enableKeyRotation === true) return;
    report("Set enableKeyRotation: true.");
  }),
};

/** An alarm nobody hears is a graph: every alarm notifies something (the stack's alarm topic). */
export const alarmHasActions: Rule = {
  name: "alarm-has-actions",
  description: "Every CloudWatch metric alarm has at least one alarm action, with actions enabled.",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, _args, report) => {
    // Only the count matters: the topic ARNs themselves may be unknown during preview.
    const actions = known(() => alarm.alarmActions as unknown);
    if (actions === UNKNOWN) return;
    if ((Array.isArray(actions) ? actions.length : actions ? 1 : 0) === 0) {
      report("alarmActions is empty; send the alarm to the stack's alarm topic.");
    } else if (alarm.actionsEnabled === false) {
      report("actionsEnabled is false, so the alarm actions never run.");
    }
  }),
};

/**
 * Every log group expires its events (Lambda's own groups have a mandatory rule; this covers access
 * logs, container logs, flow logs and the rest): "never expire" grows the bill forever.
 */
export const logGroupRetention: Rule = {
  name: "log-group-retention",
  description: "Every CloudWatch log group sets retentionInDays.",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
    const days = known(() => group.retentionInDays as unknown);
    if (days === UNKNOWN || (typeof days === "number" && days > 0)) return;
    report(
      "retentionInDays is not set, so events never expire; set it (logRetentionDays in the stack config).",
    );
  }),
};

export const OPERATIONS_RULES: Rule[] = [kmsKeyRotation, alarmHasActions, logGroupRetention];
