import * as pulumi from "@pulumi/pulumi";
import {
  STREAM_BATCH_SIZE,
  STREAM_BATCHING_WINDOW_SECONDS,
  STREAM_MAX_RECORD_AGE_SECONDS,
  STREAM_MAX_RETRY_ATTEMPTS,
  STREAM_PARALLELIZATION_FACTOR,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { Statement, allow } from "../security/iam";
import { LAMBDA_SERVICE_SID } from "../security/callLedger";
import type { BundledFunctionArgs } from "../compute/lambdaFunction";
import { tableStreamReadStatements } from "../data/secureTable";
import {
  ConsumerPlan,
  ConsumerTransform,
  EventSourceConsumer,
  withKeyDecrypt,
} from "../compute/eventSource";
import { ArgumentErrors } from "../core/validate";

/** Lambda's limits for stream event source mappings (Kinesis, DynamoDB Streams). */
const LIMITS = {
  batchSize: [1, 10000],
  batchingWindow: [0, 300],
  parallelizationFactor: [1, 10],
  retryAttempts: [-1, 10000],
  recordAge: [60, 604800],
  tumblingWindow: [0, 900],
  /** Filter patterns per event source mapping. */
  filters: 5,
} as const;

/** The stream a consumer reads. */
export interface StreamSource {
  /** `kinesis` for a Kinesis data stream, `dynamodb` for a table's stream. */
  kind: "kinesis" | "dynamodb";
  /** Stream ARN (a Kinesis stream or a DynamoDB table's `streamArn`). */
  streamArn: pulumi.Input<string>;
  /**
   * Customer-managed key the stream is encrypted with; the function may decrypt with it.
   * @default none
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Kinesis only: an enhanced fan-out consumer ARN to read through (dedicated 2 MB/s per shard,
   * pushed over HTTP/2) instead of polling the shared throughput.
   * @default shared polling
   */
  consumerArn?: pulumi.Input<string>;
}

/** How the event source mapping feeds the function and what happens to failing records. */
export interface StreamBatchSettings {
  /**
   * Records per invocation (1-10000).
   * @default 100 (`STREAM_BATCH_SIZE`)
   */
  batchSize?: number;
  /**
   * Seconds Lambda gathers records before invoking (0-300).
   * @default 1 (`STREAM_BATCHING_WINDOW_SECONDS`)
   */
  maximumBatchingWindowInSeconds?: number;
  /**
   * Concurrent batches per shard (1-10).
   * @default 1 (`STREAM_PARALLELIZATION_FACTOR`)
   */
  parallelizationFactor?: number;
  /**
   * Retries of a failing batch (-1 = until the record expires, up to 10000).
   * @default 3
   */
  maximumRetryAttempts?: number;
  /**
   * Older records go to the on-failure destination (-1 = never, or 60-604800 s).
   * @default 3600
   */
  maximumRecordAgeInSeconds?: number;
  /**
   * Where a new mapping starts reading.
   * @default "TRIM_HORIZON" (nothing already in the stream is skipped)
   */
  startingPosition?: "TRIM_HORIZON" | "LATEST";
}

export interface StreamConsumerArgs
  extends
    Omit<BundledFunctionArgs, "transform" | "onFailureQueueArn" | "asyncRetries">,
    StreamBatchSettings {
  /** The stream to consume. Required. */
  source: StreamSource;
  /**
   * SQS queue ARN (SSE-SQS, e.g. a `SecureQueue`) that receives the details (shard, sequence
   * numbers) of batches that exhausted their retries or expired, so nothing fails silently. Required.
   */
  onFailureQueueArn: pulumi.Input<string>;
  /**
   * Tumbling window in seconds (1-900): Lambda carries state between invocations.
   * @default none
   */
  tumblingWindowInSeconds?: number;
  /**
   * Event filter patterns (up to 5, EventBridge pattern syntax): other records never invoke the
   * function.
   * @default none
   */
  filterPatterns?: object[];
  /**
   * Override hooks: the function's children and the event source mapping.
   * @default none
   */
  transform?: ConsumerTransform;
}

const inRange = (v: number | undefined, [lo, hi]: readonly [number, number]) =>
  v === undefined || (Number.isInteger(v) && v >= lo && v <= hi);

/** Records every problem with a stream consumer's settings (`field` prefixes the names). */
export function checkStreamConsumer(
  errors: ArgumentErrors,
  field: string,
  args: StreamBatchSettings & { tumblingWindowInSeconds?: number; filterPatterns?: object[] },
): ArgumentErrors {
  const f = (n: string) => (field ? `${field}.${n}` : n);
  const age = args.maximumRecordAgeInSeconds;
  return errors
    .check(
      inRange(args.batchSize, LIMITS.batchSize),
      f("batchSize"),
      `${args.batchSize} is outside ${LIMITS.batchSize.join("-")}`,
      `use an integer from ${LIMITS.batchSize.join(" to ")}`,
    )
    .check(
      inRange(args.maximumBatchingWindowInSeconds, LIMITS.batchingWindow),
      f("maximumBatchingWindowInSeconds"),
      `${args.maximumBatchingWindowInSeconds} is outside ${LIMITS.batchingWindow.join("-")} s`,
      `use ${LIMITS.batchingWindow.join(" to ")}`,
    )
    .check(
      inRange(args.parallelizationFactor, LIMITS.parallelizationFactor),
      f("parallelizationFactor"),
      `${args.parallelizationFactor} is outside ${LIMITS.parallelizationFactor.join("-")}`,
      `use ${LIMITS.parallelizationFactor.join(" to ")}`,
    )
    .check(
      inRange(args.maximumRetryAttempts, LIMITS.retryAttempts),
      f("maximumRetryAttempts"),
      `${args.maximumRetryAttempts} is outside ${LIMITS.retryAttempts.join(" to ")}`,
      "use -1 (retry until the record expires) or 0 to 10000",
    )
    .check(
      age === undefined || age === -1 || inRange(age, LIMITS.recordAge),
      f("maximumRecordAgeInSeconds"),
      `${age} is neither -1 nor within ${LIMITS.recordAge.join("-")} s`,
      `use -1 or ${LIMITS.recordAge.join(" to ")}`,
    )
    .check(
      inRange(args.tumblingWindowInSeconds, LIMITS.tumblingWindow),
      f("tumblingWindowInSeconds"),
      `${args.tumblingWindowInSeconds} is outside ${LIMITS.tumblingWindow.join("-")} s`,
      `use ${LIMITS.tumblingWindow.join(" to ")}`,
    )
    .check(
      (args.filterPatterns?.length ?? 0) <= LIMITS.filters,
      f("filterPatterns"),
      `${args.filterPatterns?.length} patterns exceed Lambda's ${LIMITS.filters}`,
      "merge patterns (values in one pattern are OR-ed)",
    );
}

/** Role statements a function needs to read `source` through an event source mapping. */
export function streamReadStatements(source: StreamSource): Statement[] {
  const statements: Statement[] = [];
  if (source.kind === "kinesis") {
    statements.push(
      allow(
        [
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:ListShards",
        ],
        [source.streamArn],
      ),
      // Lambda's documented Kinesis permissions include it; AWS authorises it on "*" only.
      allow(["kinesis:ListStreams"], ["*"]),
    );
    if (source.consumerArn) {
      statements.push(
        allow(["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"], [source.consumerArn]),
      );
    }
  } else {
    // https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions;
    // ListStreams supports no resource type, so only "*" authorises it.
    statements.push(
      ...tableStreamReadStatements({ arn: source.streamArn, streamArn: source.streamArn }),
    );
  }
  return withKeyDecrypt(statements, source.kmsKeyArn);
}

/**
 * A bundled Lambda function consuming a Kinesis stream or a DynamoDB stream, with the settings a
 * stream source needs to neither stall nor lose records: partial batch responses
 * (`ReportBatchItemFailures`), bisect on error, a retry limit, a maximum record age, and an SQS
 * on-failure destination that receives what could not be processed.
 */
export class StreamConsumer extends EventSourceConsumer {
  constructor(name: string, args: StreamConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:StreamConsumer", name, () => planStreamConsumer(name, args), opts);
    this.registerOutputs({
      functionArn: this.function.arn,
      eventSourceMappingId: this.eventSourceMapping.uuid,
    });
  }

  /**
   * Dashboard row: the function's widgets plus how far behind the stream it reads (iterator
   * age) and batches its on-failure destination did not receive.
   */
  override widgets(title = `Consumer ${this.logicalName}`): DashboardRow[] {
    const fn = { FunctionName: this.function.name };
    return super.widgets(title).map((row) => ({
      ...row,
      widgets: [
        ...row.widgets,
        {
          title: "Iterator age (ms) and lost failures",
          stat: "Maximum",
          unit: "ms",
          lines: [
            metric("AWS/Lambda", "IteratorAge", fn, { label: "iterator age" }),
            metric("AWS/Lambda", "DestinationDeliveryFailures", fn, {
              label: "not delivered to the on-failure queue",
              stat: "Sum",
              rightAxis: true,
            }),
          ],
        },
      ],
    }));
  }
}

/** Checks a StreamConsumer's args (throwing one error listing each problem) and plans its parts. */
function planStreamConsumer(name: string, args: StreamConsumerArgs): ConsumerPlan {
  checkStreamConsumer(new ArgumentErrors("StreamConsumer", name), "", args).throwIfAny();
  const {
    source,
    onFailureQueueArn,
    batchSize,
    maximumBatchingWindowInSeconds,
    parallelizationFactor,
    maximumRetryAttempts,
    maximumRecordAgeInSeconds,
    startingPosition,
    tumblingWindowInSeconds,
    filterPatterns,
    ...fnArgs
  } = args;

  return {
    fnArgs,
    sourceStatements: [
      ...streamReadStatements(source),
      // The Lambda service sends the on-failure record, from outside the VPC.
      { ...allow(["sqs:SendMessage"], [onFailureQueueArn]), Sid: LAMBDA_SERVICE_SID },
    ],
    mapping: {
      eventSourceArn: source.consumerArn ?? source.streamArn,
      startingPosition: startingPosition ?? "TRIM_HORIZON",
      batchSize: batchSize ?? STREAM_BATCH_SIZE,
      maximumBatchingWindowInSeconds:
        maximumBatchingWindowInSeconds ?? STREAM_BATCHING_WINDOW_SECONDS,
      parallelizationFactor: parallelizationFactor ?? STREAM_PARALLELIZATION_FACTOR,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: maximumRetryAttempts ?? STREAM_MAX_RETRY_ATTEMPTS,
      maximumRecordAgeInSeconds: maximumRecordAgeInSeconds ?? STREAM_MAX_RECORD_AGE_SECONDS,
      functionResponseTypes: ["ReportBatchItemFailures"],
      destinationConfig: { onFailure: { destinationArn: onFailureQueueArn } },
      tumblingWindowInSeconds,
      filterCriteria: filterPatterns?.length
        ? { filters: filterPatterns.map((p) => ({ pattern: JSON.stringify(p) })) }
        : undefined,
    },
  };
}
