import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { VISIBILITY_TIMEOUT_FACTOR } from "./limits";
import { findFunction, jsonObject, ofType, pointsAt, prop, resolve, str } from "./graph";
import { type Rule, UNKNOWN, asArray } from "./util";

/** SQS's defaults when a queue does not set them. */
const SQS_DEFAULT_VISIBILITY_SECONDS = 30;
const SQS_DEFAULT_RETENTION_SECONDS = 345_600;
/** Lambda's default function timeout. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;

/** The dead-letter target ARN in a redrive policy (JSON string or object); UNKNOWN in preview. */
function deadLetterTarget(policy: unknown): string | typeof UNKNOWN | undefined {
  if (policy === UNKNOWN) return UNKNOWN;
  const target = jsonObject(policy)?.deadLetterTargetArn;
  return typeof target === "string" && target.length > 0 ? target : undefined;
}

/**
 * The queues that collect failures rather than work: dead-letter targets (of queues and of SNS
 * subscriptions) and on-failure destinations of event source mappings and async invocations.
 * `uncertain` when some reference is unknown yet (preview).
 */
function failureQueues(resources: readonly PolicyResource[]): {
  dlqs: Set<string>;
  uncertain: boolean;
} {
  const dlqs = new Set<string>();
  let uncertain = false;
  const add = (arn: unknown) => {
    if (arn === UNKNOWN) uncertain = true;
    for (const q of resolve(resources, arn, aws.sqs.Queue)) dlqs.add(q.urn);
  };
  for (const r of ofType(
    resources,
    aws.sqs.Queue,
    aws.sqs.RedrivePolicy,
    aws.sns.TopicSubscription,
  )) {
    add(deadLetterTarget(prop(r, "redrivePolicy")));
  }
  for (const r of ofType(
    resources,
    aws.lambda.EventSourceMapping,
    aws.lambda.FunctionEventInvokeConfig,
  )) {
    const config = prop(r, "destinationConfig");
    if (config === UNKNOWN) {
      uncertain = true;
      continue;
    }
    const onFailure = (config as { onFailure?: Record<string, unknown> } | undefined)?.onFailure;
    add(onFailure?.destinationArn ?? onFailure?.destination);
  }
  return { dlqs, uncertain };
}

/** The redrive policy in force on `queue`: its own, or an aws.sqs.RedrivePolicy pointing at it. */
function redriveOf(queue: PolicyResource, resources: readonly PolicyResource[]): unknown {
  const own = prop(queue, "redrivePolicy");
  if (own !== undefined && own !== "") return own;
  for (const r of ofType(resources, aws.sqs.RedrivePolicy)) {
    const hit = pointsAt(r, "queueUrl", queue);
    if (hit === undefined) return UNKNOWN;
    if (hit) return prop(r, "redrivePolicy");
  }
  return undefined;
}

const isFifo = (q: PolicyResource) => prop(q, "fifoQueue") === true;
const retention = (q: PolicyResource): number | typeof UNKNOWN => {
  const v = prop(q, "messageRetentionSeconds");
  return v === UNKNOWN ? UNKNOWN : typeof v === "number" ? v : SQS_DEFAULT_RETENTION_SECONDS;
};

/**
 * A work queue without a DLQ retries a poison message until it expires, and then loses it; a DLQ
 * must also match the queue's type and keep messages at least as long.
 */
export const sqsWorkQueueHasDlq: Rule = {
  name: "sqs-work-queue-has-dlq",
  description:
    "Every SQS work queue has a redrive policy to a DLQ of the same type that keeps messages at least as long (DLQs and on-failure destinations are exempt).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const { dlqs, uncertain } = failureQueues(args.resources);
    for (const queue of ofType(args.resources, aws.sqs.Queue)) {
      if (dlqs.has(queue.urn)) continue;
      const target = deadLetterTarget(redriveOf(queue, args.resources));
      if (target === UNKNOWN) continue;
      if (target === undefined) {
        // It may be the DLQ of a reference not known yet: decide on `up`.
        if (uncertain) continue;
        report(
          `Queue ${queue.name} has no dead-letter queue: a message its consumer keeps failing on is retried ` +
            "until it expires, then lost. Set redrivePolicy { deadLetterTargetArn, maxReceiveCount } " +
            "(SecureQueue in components/messaging/secureQueue.ts creates both).",
          queue.urn,
        );
        continue;
      }
      const [dlq] = resolve(args.resources, target, aws.sqs.Queue);
      if (!dlq) continue;
      if (isFifo(queue) !== isFifo(dlq)) {
        report(
          `Queue ${queue.name} is ${isFifo(queue) ? "FIFO" : "standard"} but its DLQ ${dlq.name} is not; ` +
            "SQS rejects a redrive policy to a queue of the other type.",
          queue.urn,
        );
      }
      const kept = retention(queue);
      const dlqKept = retention(dlq);
      // A standard queue's message keeps its first enqueue time in the DLQ, so it expires there early.
      if (!isFifo(queue) && kept !== UNKNOWN && dlqKept !== UNKNOWN && dlqKept < kept) {
        report(
          `DLQ ${dlq.name} keeps messages ${dlqKept} s, less than queue ${queue.name} (${kept} s): a message ` +
            "keeps its original enqueue time, so it can expire in the DLQ before anyone looks. " +
            "Raise the DLQ's messageRetentionSeconds.",
          queue.urn,
        );
      }
    }
  },
};

/** Does the alarm watch `metric` of AWS/SQS for queue `name` (directly or in a metric query)? */
function watches(alarm: PolicyResource, metric: string, name: string): boolean | undefined {
  const direct = [prop(alarm, "namespace"), prop(alarm, "metricName"), prop(alarm, "dimensions")];
  const queries = prop(alarm, "metricQueries");
  if (direct.includes(UNKNOWN) || queries === UNKNOWN) return undefined;
  const metrics = [
    { namespace: direct[0], metricName: direct[1], dimensions: direct[2] },
    ...asArray(queries as { metric?: Record<string, unknown> }[]).map((q) => q.metric ?? {}),
  ];
  return metrics.some(
    (m) =>
      m.namespace === "AWS/SQS" &&
      m.metricName === metric &&
      (m.dimensions as Record<string, unknown> | undefined)?.QueueName === name,
  );
}

/** The queue's name: its `name` output, or the last part of its ARN. */
function queueName(queue: PolicyResource): string | typeof UNKNOWN | undefined {
  const name = str(queue, "name");
  if (name !== undefined) return name;
  const arn = str(queue, "arn");
  return typeof arn === "string" ? arn.slice(arn.lastIndexOf(":") + 1) : arn;
}

/** A message in a DLQ is a failure someone must look at: nobody does unless an alarm says so. */
export const sqsDlqAlarm: Rule = {
  name: "sqs-dlq-alarm",
  description:
    "Every DLQ (and on-failure destination queue) has a CloudWatch alarm on ApproximateNumberOfMessagesVisible for its QueueName.",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const { dlqs } = failureQueues(args.resources);
    const alarms = ofType(args.resources, aws.cloudwatch.MetricAlarm);
    for (const queue of ofType(args.resources, aws.sqs.Queue)) {
      if (!dlqs.has(queue.urn)) continue;
      const name = queueName(queue);
      if (typeof name !== "string") continue;
      const seen = alarms.map((a) => watches(a, "ApproximateNumberOfMessagesVisible", name));
      if (seen.includes(true) || seen.includes(undefined)) continue;
      report(
        `DLQ ${queue.name} has no alarm: failed messages would sit there unnoticed until they expire. Add a ` +
          `metric alarm on AWS/SQS ApproximateNumberOfMessagesVisible with dimensions { QueueName: "${name}" }, ` +
          "threshold >= 1, to the stack's alarm topic.",
        queue.urn,
      );
    }
  },
};

/**
 * Lambda hides a received batch for the queue's visibility timeout; if that is shorter than the
 * function may run (plus retries when throttled), the batch is delivered again mid-processing.
 * Below 1x, Lambda refuses to create the mapping.
 */
export const sqsVisibilityTimeout: Rule = {
  name: "sqs-visibility-timeout",
  description: `The visibility timeout of every SQS queue consumed by a Lambda event source mapping is >= ${VISIBILITY_TIMEOUT_FACTOR}x that function's timeout.`,
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const functions = ofType(args.resources, aws.lambda.Function);
    for (const mapping of ofType(args.resources, aws.lambda.EventSourceMapping)) {
      const [queue] = resolve(args.resources, str(mapping, "eventSourceArn"), aws.sqs.Queue);
      const fn = findFunction(functions, str(mapping, "functionName"));
      if (!queue || !fn) continue;
      const [visibility, timeout] = [prop(queue, "visibilityTimeoutSeconds"), prop(fn, "timeout")];
      if (visibility === UNKNOWN || timeout === UNKNOWN) continue;
      const seconds = typeof visibility === "number" ? visibility : SQS_DEFAULT_VISIBILITY_SECONDS;
      const fnSeconds = typeof timeout === "number" ? timeout : LAMBDA_DEFAULT_TIMEOUT_SECONDS;
      const needed = VISIBILITY_TIMEOUT_FACTOR * fnSeconds;
      if (seconds >= needed) continue;
      report(
        `Queue ${queue.name} has a visibility timeout of ${seconds} s but function ${fn.name} (timeout ${fnSeconds} s) ` +
          `consumes it; set visibilityTimeoutSeconds >= ${needed} (${VISIBILITY_TIMEOUT_FACTOR}x), or a batch is ` +
          "redelivered while still being processed.",
        queue.urn,
      );
    }
  },
};

export const MESSAGING_RULES: Rule[] = [sqsWorkQueueHasDlq, sqsDlqAlarm, sqsVisibilityTimeout];
