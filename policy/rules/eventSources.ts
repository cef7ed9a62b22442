import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { type Rule, UNKNOWN, asArray, known } from "./util";

type SourceKind = "sqs" | "kinesis" | "dynamodb-stream";

/** What an event source mapping reads from, by its ARN; undefined for other sources (Kafka, MQ). */
export function sourceKind(arn: unknown): SourceKind | undefined {
  if (typeof arn !== "string") return undefined;
  const m = /^arn:[^:]+:(sqs|kinesis|dynamodb):/.exec(arn);
  if (!m) return undefined;
  if (m[1] === "dynamodb")
    return /:table\/[^/]+\/stream\//.test(arn) ? "dynamodb-stream" : undefined;
  return m[1] as SourceKind;
}

/** The mapping's source ARN: UNKNOWN during preview when the source is created alongside. */
function sourceOf(mapping: { eventSourceArn?: string }): SourceKind | typeof UNKNOWN | undefined {
  const arn = known(() => mapping.eventSourceArn as unknown);
  return arn === UNKNOWN || arn === null ? UNKNOWN : sourceKind(arn);
}

const NAMES: Record<SourceKind, string> = {
  sqs: "SQS queue",
  kinesis: "Kinesis stream",
  "dynamodb-stream": "DynamoDB stream",
};

/**
 * Without partial batch responses one failed record fails the whole batch: SQS redelivers every
 * message (duplicates downstream), a stream retries the whole batch and blocks the shard.
 */
export const eventSourceBatchItemFailures: Rule = {
  name: "event-source-batch-item-failures",
  description:
    "Every SQS, Kinesis and DynamoDB stream event source mapping reports batch item failures (functionResponseTypes includes ReportBatchItemFailures).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.lambda.EventSourceMapping, (mapping, _a, report) => {
    const kind = sourceOf(mapping);
    if (kind === UNKNOWN || kind === undefined) return;
    const types = known(() => asArray(mapping.functionResponseTypes as unknown as string[]));
    if (types === UNKNOWN || types.includes("ReportBatchItemFailures")) return;
    report(
      `The mapping from a ${NAMES[kind]} does not report batch item failures, so one bad record fails (and ` +
        'replays) the whole batch; set functionResponseTypes: ["ReportBatchItemFailures"] and return ' +
        "{ batchItemFailures } from the handler.",
    );
  }),
};

/**
 * A stream shard is processed in order: a record that keeps failing blocks it until it expires
 * (AWS's defaults retry forever, -1). Bisect isolates the bad record, the retry and age limits stop
 * the retries, and the on-failure destination keeps what was skipped.
 */
export const streamSourceFailureHandling: Rule = {
  name: "stream-source-failure-handling",
  description:
    "Kinesis and DynamoDB stream event source mappings set bisectBatchOnFunctionError, a maximumRetryAttempts and maximumRecordAgeInSeconds (not -1), and an on-failure destination.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.lambda.EventSourceMapping, (mapping, _a, report) => {
    const kind = sourceOf(mapping);
    if (kind !== "kinesis" && kind !== "dynamodb-stream") return;
    const problems: string[] = [];
    if (mapping.bisectBatchOnFunctionError !== true) {
      problems.push(
        "bisectBatchOnFunctionError is not true (a failing batch is not split to isolate the bad record)",
      );
    }
    const retries = mapping.maximumRetryAttempts;
    if (typeof retries !== "number" || retries < 0) {
      problems.push(
        "maximumRetryAttempts is unset or -1 (a failing batch is retried until it expires)",
      );
    }
    const age = mapping.maximumRecordAgeInSeconds;
    if (typeof age !== "number" || age < 0) {
      problems.push(
        "maximumRecordAgeInSeconds is unset or -1 (records are retried for the whole stream retention)",
      );
    }
    const destination = known(
      () => mapping.destinationConfig?.onFailure?.destinationArn as unknown,
    );
    if (destination !== UNKNOWN && !(typeof destination === "string" && destination.length > 0)) {
      problems.push(
        "destinationConfig.onFailure.destinationArn is unset (skipped records are lost without a trace)",
      );
    }
    if (problems.length === 0) return;
    report(
      `The mapping from a ${NAMES[kind]}: ${problems.join("; ")}. Use the STREAM_* defaults of components/core/defaults.ts ` +
        "and an SQS or SNS on-failure destination.",
    );
  }),
};

export const EVENT_SOURCE_RULES: Rule[] = [
  eventSourceBatchItemFailures,
  streamSourceFailureHandling,
];
