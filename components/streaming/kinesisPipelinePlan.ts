import {
  DEDUPE_TTL_HOURS,
  ITERATOR_AGE_ALARM_MS,
  KINESIS_MAX_SHARDS,
  KINESIS_RETENTION_HOURS,
  KINESIS_RETENTION_HOURS_RANGE,
  KINESIS_SHARD_COUNT,
  LAMBDA_TIMEOUT_SECONDS,
} from "../core/defaults";
import { ArgumentErrors } from "../core/validate";
import { checkNotifierArgs } from "./changeNotifier";
import { checkIngestArgs } from "./kinesisIngestApi";
import { checkAnalyticsArgs } from "./streamAnalytics";
import { checkArchiveArgs } from "./streamArchive";
import { checkStreamConsumer } from "./streamConsumer";
import type { KinesisPipelineArgs, ProcessorSettings, StreamMode } from "./kinesisPipelineArgs";

const RETENTION_HOURS = KINESIS_RETENTION_HOURS_RANGE;
const MAX_SHARDS = KINESIS_MAX_SHARDS;

/** A KinesisPipeline's args with every default resolved. */
export interface KinesisPipelinePlan {
  mode: StreamMode;
  shards: number;
  retention: number;
  dedupeHours: number;
  processor: ProcessorSettings;
  processorTimeout: number;
  iteratorAge: number;
}

/**
 * Resolves a KinesisPipeline's defaults and checks its args and every stage's, so nothing is
 * created when any of them is invalid; throws one Error listing every problem.
 */
export function planKinesisPipeline(name: string, args: KinesisPipelineArgs): KinesisPipelinePlan {
  const mode = args.streamMode ?? "PROVISIONED";
  const shards = args.shardCount ?? KINESIS_SHARD_COUNT;
  const retention = args.retentionHours ?? KINESIS_RETENTION_HOURS;
  const dedupeHours = args.dedupeTtlHours ?? DEDUPE_TTL_HOURS;
  const processor = args.processor ?? {};
  const processorTimeout = processor.timeout ?? LAMBDA_TIMEOUT_SECONDS * 3;
  const iteratorAge = args.iteratorAgeAlarmMs ?? ITERATOR_AGE_ALARM_MS;
  const errors = new ArgumentErrors("KinesisPipeline", name)
    .check(
      mode === "PROVISIONED" || mode === "ON_DEMAND",
      "streamMode",
      `"${String(mode)}" is not a stream mode`,
      'use "PROVISIONED" or "ON_DEMAND"',
    )
    .check(
      mode === "ON_DEMAND" || (Number.isInteger(shards) && shards >= 1 && shards <= MAX_SHARDS),
      "shardCount",
      `${shards} is outside 1-${MAX_SHARDS}`,
      `use 1 to ${MAX_SHARDS} shards`,
    )
    .check(
      mode === "PROVISIONED" || args.shardCount === undefined,
      "shardCount",
      "is set on an ON_DEMAND stream, which sizes itself",
      'drop shardCount or use streamMode "PROVISIONED"',
    )
    .check(
      Number.isInteger(retention) &&
        retention >= RETENTION_HOURS[0] &&
        retention <= RETENTION_HOURS[1],
      "retentionHours",
      `${retention} is outside ${RETENTION_HOURS.join("-")} h`,
      `use ${RETENTION_HOURS.join(" to ")}`,
    )
    .check(
      Number.isInteger(dedupeHours) && dedupeHours >= retention,
      "dedupeTtlHours",
      `${dedupeHours} h is shorter than the stream retention of ${retention} h, so a replay from the oldest record would bring back events already forgotten`,
      `use at least ${retention}`,
    )
    .check(
      processorTimeout >= 1 && processorTimeout <= 900,
      "processor.timeout",
      `${processorTimeout} is outside 1-900 s`,
      "use 1 to 900",
    )
    .checkPositiveInteger(processor.claimConcurrency, "processor.claimConcurrency")
    .check(
      iteratorAge > 0,
      "iteratorAgeAlarmMs",
      `${iteratorAge} is not positive`,
      "use a number of milliseconds above 0",
    );
  errors.check(
    args.kmsKeyArn === undefined || args.transform?.key === undefined,
    "transform.key/kmsKeyArn",
    "both given: transform.key edits the pipeline's own key, which is not created when kmsKeyArn names one",
    "drop transform.key (configure the key you pass), or drop kmsKeyArn to let the pipeline own its key",
  );
  checkStreamConsumer(errors, "processor", processor);
  // Every stage is checked here too, so nothing is created when any of them is invalid.
  checkIngestArgs(errors, "ingest", args.ingest ?? {});
  checkAnalyticsArgs(errors, "analytics", args.analytics ?? {});
  checkNotifierArgs(errors, "notifications", args.notifications ?? {});
  checkArchiveArgs(errors, "archive", `${name}-archive`, args.archive ?? {});
  errors.checkLogRetention(args.logRetentionDays).throwIfAny();
  return { mode, shards, retention, dedupeHours, processor, processorTimeout, iteratorAge };
}
