import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { streamProcessorEnvironment } from "../../functions/stream-processor/env";
import { metricAlarm } from "../observability/alarms";
import { ChangeNotifier, ChangeNotifierArgs, checkNotifierArgs } from "./changeNotifier";
import {
  DEDUPE_TTL_HOURS,
  ITERATOR_AGE_ALARM_MS,
  KINESIS_MAX_SHARDS,
  KINESIS_RETENTION_HOURS,
  KINESIS_RETENTION_HOURS_RANGE,
  KINESIS_SHARD_COUNT,
  KINESIS_SHARD_LEVEL_METRICS,
  LAMBDA_TIMEOUT_SECONDS,
} from "../core/defaults";
import { DashboardRow, MetricWidget, metric } from "../observability/flowDashboard";
import { KinesisIngestApi, KinesisIngestApiArgs, checkIngestArgs } from "./kinesisIngestApi";
import { ServiceKey, ServiceKeyArgs } from "../security/kmsKey";
import { SecureQueue, SecureQueueArgs } from "../messaging/secureQueue";
import { SecureTable, SecureTableArgs, tableGrants, tableItemStatement } from "../data/secureTable";
import { StreamAnalytics, StreamAnalyticsArgs, checkAnalyticsArgs } from "./streamAnalytics";
import { StreamArchive, StreamArchiveArgs, checkArchiveArgs } from "./streamArchive";
import {
  StreamBatchSettings,
  StreamConsumer,
  StreamConsumerArgs,
  checkStreamConsumer,
} from "./streamConsumer";
import { Transform, applyTransform } from "../core/transform";
import { operationsOf } from "../core/operations";
import { ArgumentErrors } from "../core/validate";

export type StreamMode = "PROVISIONED" | "ON_DEMAND";

const RETENTION_HOURS = KINESIS_RETENTION_HOURS_RANGE;
const MAX_SHARDS = KINESIS_MAX_SHARDS;

/** Settings of the business-logic consumer (`functions/stream-processor`). */
export interface ProcessorSettings extends StreamBatchSettings {
  /** MB. Default: 256. */
  memorySize?: number;
  /** Seconds. Default: 30. */
  timeout?: number;
  /** Conditional dedupe writes in flight per invocation. Default: 16 (functions/stream-processor/env.ts). */
  claimConcurrency?: number;
  /** Read through an enhanced fan-out consumer (dedicated throughput per shard). Default: false. */
  enhancedFanOut?: boolean;
  /** Run in these private subnets (it only needs DynamoDB: a gateway endpoint). Default: no VPC. */
  vpc?: {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
}

export interface KinesisPipelineArgs {
  /** "PROVISIONED" (fixed shards, scaled by you or the shard autoscaler) or "ON_DEMAND". Default: "PROVISIONED". */
  streamMode?: StreamMode;
  /** Shards of a provisioned stream (1-500). Default: 1 (`KINESIS_SHARD_COUNT`). */
  shardCount?: number;
  /**
   * Leave the shard count to something else (the shard autoscaler's UpdateShardCount): later
   * deployments do not reset it. Default: false.
   */
  shardCountManagedExternally?: boolean;
  /** Hours records stay readable (`KINESIS_RETENTION_HOURS_RANGE`). Default: 24 (`KINESIS_RETENTION_HOURS`). */
  retentionHours?: number;
  /** Shard-level metrics to enable. Default: `KINESIS_SHARD_LEVEL_METRICS` (what the autoscaler reads). */
  shardLevelMetrics?: string[];
  /**
   * Customer-managed key for the stream, tables, topic and buckets. Default: a new `ServiceKey`
   * with rotation, owned by the pipeline.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** The ingest API (stage, auth, throttle, quota, account logging role). Default: see `KinesisIngestApi`. */
  ingest?: Omit<
    KinesisIngestApiArgs,
    | "streamName"
    | "streamArn"
    | "streamKmsKeyArn"
    | "logRetentionDays"
    | "logKmsKeyArn"
    | "alarmTopicArn"
  >;
  /** The stream processor. Default: see `ProcessorSettings`. */
  processor?: ProcessorSettings;
  /** Hours an event id is remembered; at least `retentionHours`. Default: 24 (`DEDUPE_TTL_HOURS`). */
  dedupeTtlHours?: number;
  /** The analytics stage (window, aggregate retention, optional Flink). Default: a per-minute Lambda aggregator. */
  analytics?: Pick<StreamAnalyticsArgs, "windowSeconds" | "aggregatesTtlDays" | "flink" | "batch">;
  /** Who is notified of which changes. Default: no subscribers; INSERTs of high and critical events. */
  notifications?: Pick<
    ChangeNotifierArgs,
    | "emails"
    | "phoneNumbers"
    | "smsSeverities"
    | "eventNames"
    | "severities"
    | "displayName"
    | "batch"
  >;
  /** The raw archive (buffering, retention, Athena limits). Default: see `StreamArchive`. */
  archive?: Pick<
    StreamArchiveArgs,
    | "bufferingSizeMb"
    | "bufferingIntervalSeconds"
    | "keepRawJson"
    | "rawExpirationDays"
    | "resultsExpirationDays"
    | "bytesScannedCutoffPerQuery"
    | "columns"
    | "databaseName"
    | "workgroupName"
  >;
  /** Deletion protection of the tables. Default: true. */
  deletionProtection?: boolean;
  /**
   * Keep the data in AWS when the pipeline is removed, replaced or destroyed (Pulumi
   * `retainOnDelete`): the stream, the tables, the raw-events bucket and the pipeline's key that
   * encrypts them. Default: false.
   */
  retainOnDelete?: boolean;
  /** Let `pulumi destroy` empty the buckets and the workgroup. Default: false. */
  forceDestroy?: boolean;
  /** Retention of every log group. Default: 14 days. */
  logRetentionDays?: number;
  /** KMS key of every log group. Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Topic every alarm notifies. Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Iterator age (ms) at which the stream's consumers count as behind. Default: 60000. */
  iteratorAgeAlarmMs?: number;
  /** Override hooks, one per child. Default: none. */
  transform?: {
    key?: ServiceKeyArgs["transform"];
    stream?: Transform<aws.kinesis.StreamArgs>;
    onFailureQueue?: SecureQueueArgs["transform"];
    dedupeTable?: SecureTableArgs["transform"];
    dataTable?: SecureTableArgs["transform"];
    ingest?: KinesisIngestApiArgs["transform"];
    processor?: StreamConsumerArgs["transform"];
    analytics?: StreamAnalyticsArgs["transform"];
    notifier?: ChangeNotifierArgs["transform"];
    archive?: StreamArchiveArgs["transform"];
  };
}

/**
 * The real-time analytics chain as one component:
 * API Gateway (Kinesis proxy) -> Kinesis stream (KMS, shard-level metrics) -> analytics stage
 * (per-window aggregates: Lambda tumbling window, or Flink) and the stream processor (dedupe ->
 * data table) -> DynamoDB Streams -> notifier -> SNS (email/SMS); and Firehose -> S3 (raw, by day)
 * -> Glue -> Athena. Every stream consumer reports partial failures, bisects, retries a bounded
 * number of times and sends what it gives up on to one on-failure queue; alarms cover iterator
 * age, throttling, consumer errors, failed destinations and Firehose delivery.
 */
export class KinesisPipeline extends pulumi.ComponentResource {
  /** The pipeline's own key; undefined when `kmsKeyArn` was given. */
  readonly key?: ServiceKey;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly stream: aws.kinesis.Stream;
  /** Enhanced fan-out consumer of the processor; only with `processor.enhancedFanOut`. */
  readonly streamConsumer?: aws.kinesis.StreamConsumer;
  readonly ingest: KinesisIngestApi;
  /** Receives what any stream consumer gave up on (shard and sequence numbers, to replay). */
  readonly onFailureQueue: SecureQueue;
  readonly dedupeTable: SecureTable;
  readonly dataTable: SecureTable;
  readonly processor: StreamConsumer;
  readonly analytics: StreamAnalytics;
  readonly notifier: ChangeNotifier;
  readonly archive: StreamArchive;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  readonly streamName: pulumi.Output<string>;
  readonly streamArn: pulumi.Output<string>;
  readonly streamMode: StreamMode;
  /** Shard count at deployment (undefined on demand); the autoscaler may change it later. */
  readonly shardCount?: number;
  private readonly logicalName: string;
  private readonly iteratorAgeAlarmMs: number;

  constructor(
    name: string,
    args: KinesisPipelineArgs = {},
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("serverless:streaming:KinesisPipeline", name, {}, opts);
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
      .check(
        processor.claimConcurrency === undefined ||
          (Number.isInteger(processor.claimConcurrency) && processor.claimConcurrency >= 1),
        "processor.claimConcurrency",
        `${processor.claimConcurrency} is not a positive integer`,
        "use 1 or more",
      )
      .check(
        iteratorAge > 0,
        "iteratorAgeAlarmMs",
        `${iteratorAge} is not positive`,
        "use a number of milliseconds above 0",
      );
    checkStreamConsumer(errors, "processor", processor);
    // Every stage is checked here too, so nothing is created when any of them is invalid.
    checkIngestArgs(errors, "ingest", args.ingest ?? {});
    checkAnalyticsArgs(errors, "analytics", args.analytics ?? {});
    checkNotifierArgs(errors, "notifications", args.notifications ?? {});
    checkArchiveArgs(errors, "archive", `${name}-archive`, args.archive ?? {});
    errors.checkLogRetention(args.logRetentionDays).throwIfAny();

    const parent = { parent: this };
    const t = args.transform ?? {};
    const retain = args.retainOnDelete;
    this.logicalName = name;
    this.iteratorAgeAlarmMs = iteratorAge;
    this.streamMode = mode;
    this.shardCount = mode === "PROVISIONED" ? shards : undefined;

    if (args.kmsKeyArn === undefined) {
      this.key = new ServiceKey(
        `${name}-key`,
        {
          description: `Encrypts pipeline ${name}: stream, tables, topic, buckets`,
          retainOnDelete: retain,
          transform: t.key,
        },
        parent,
      );
    }
    this.kmsKeyArn = pulumi.output(args.kmsKeyArn ?? this.key!.arn);
    const keyArn = this.kmsKeyArn;

    this.stream = new aws.kinesis.Stream(
      name,
      applyTransform<aws.kinesis.StreamArgs>(
        {
          streamModeDetails: { streamMode: mode },
          shardCount: mode === "PROVISIONED" ? shards : undefined,
          retentionPeriod: retention,
          encryptionType: "KMS",
          kmsKeyId: keyArn,
          shardLevelMetrics: [...(args.shardLevelMetrics ?? KINESIS_SHARD_LEVEL_METRICS)],
          // Consumers registered outside Pulumi must not block a replacement or destroy.
          enforceConsumerDeletion: true,
        },
        t.stream,
        name,
      ),
      {
        parent: this,
        // The autoscaler resizes the stream; a deployment must not undo that.
        ignoreChanges: args.shardCountManagedExternally ? ["shardCount"] : undefined,
        retainOnDelete: retain,
      },
    );
    this.streamName = this.stream.name;
    this.streamArn = this.stream.arn;
    const streamRef = { name: this.stream.name, arn: this.stream.arn, kmsKeyArn: keyArn };

    // Every child logs and alarms the same way.
    const observability = operationsOf(args);
    this.ingest = new KinesisIngestApi(
      `${name}-ingest`,
      {
        ...args.ingest,
        streamName: this.stream.name,
        streamArn: this.stream.arn,
        streamKmsKeyArn: keyArn,
        ...observability,
        transform: t.ingest,
      },
      parent,
    );

    // Stream sources send metadata (not records) here; SSE-SQS so no key grant is needed.
    this.onFailureQueue = new SecureQueue(
      `${name}-failed`,
      { alarmTopicArn: args.alarmTopicArn, transform: t.onFailureQueue },
      parent,
    );

    // Both tables hold one row per event, under the pipeline's key and protection.
    const eventTable = (suffix: string, extra: Partial<SecureTableArgs>) =>
      new SecureTable(
        `${name}-${suffix}`,
        {
          hashKey: { name: "eventId", type: "S" },
          ...extra,
          kmsKeyArn: keyArn,
          deletionProtection: args.deletionProtection,
          retainOnDelete: retain,
        },
        parent,
      );
    this.dedupeTable = eventTable("dedupe", {
      ttlAttribute: "expiresAt",
      transform: t.dedupeTable,
    });
    this.dataTable = eventTable("events", {
      stream: "NEW_AND_OLD_IMAGES",
      transform: t.dataTable,
    });

    if (processor.enhancedFanOut) {
      this.streamConsumer = new aws.kinesis.StreamConsumer(
        `${name}-processor`,
        { name: `${name}-processor`, streamArn: this.stream.arn },
        parent,
      );
    }
    const {
      memorySize,
      claimConcurrency,
      enhancedFanOut: _efo,
      vpc,
      timeout: _timeout,
      ...batch
    } = processor;
    this.processor = new StreamConsumer(
      `${name}-processor`,
      {
        code: "stream-processor",
        description: "Drops duplicate events and stores one row per event",
        source: {
          kind: "kinesis",
          streamArn: this.stream.arn,
          kmsKeyArn: keyArn,
          consumerArn: this.streamConsumer?.arn,
        },
        onFailureQueueArn: this.onFailureQueue.arn,
        ...batch,
        statements: [
          // functions/stream-processor: conditional claim (Put) and release (Delete) of markers;
          // BatchGet of rows that may exist already, BatchWrite of the new rows, and PutItem for
          // the rows of a refused chunk, retried one by one (functions/lib/dynamoBatch.ts).
          tableItemStatement({ arn: this.dedupeTable.arn }, ["PutItem", "DeleteItem"]),
          // Both tables share the key: one Decrypt statement covers them.
          ...tableGrants({ arn: this.dataTable.arn, kmsKeyArn: keyArn }, [
            "BatchGetItem",
            "BatchWriteItem",
            "PutItem",
          ]),
        ],
        environment: streamProcessorEnvironment<pulumi.Output<string>>({
          dedupeTable: this.dedupeTable.name,
          dataTable: this.dataTable.name,
          dedupeTtlSeconds: dedupeHours * 3600,
          claimConcurrency,
        }),
        timeout: processorTimeout,
        memorySize,
        vpc,
        ...observability,
        transform: t.processor,
      },
      parent,
    );

    this.analytics = new StreamAnalytics(
      `${name}-analytics`,
      {
        ...args.analytics,
        stream: streamRef,
        onFailureQueueArn: this.onFailureQueue.arn,
        kmsKeyArn: keyArn,
        deletionProtection: args.deletionProtection,
        retainOnDelete: retain,
        ...observability,
        transform: t.analytics,
      },
      parent,
    );

    this.notifier = new ChangeNotifier(
      `${name}-notify`,
      {
        ...args.notifications,
        table: { streamArn: this.dataTable.streamArn!, kmsKeyArn: keyArn },
        onFailureQueueArn: this.onFailureQueue.arn,
        kmsKeyArn: keyArn,
        ...observability,
        transform: t.notifier,
      },
      parent,
    );

    this.archive = new StreamArchive(
      `${name}-archive`,
      {
        ...args.archive,
        streamArn: this.stream.arn,
        streamKmsKeyArn: keyArn,
        kmsKeyArn: keyArn,
        forceDestroy: args.forceDestroy,
        retainOnDelete: retain,
        ...observability,
        transform: t.archive,
      },
      parent,
    );

    if (args.alarmTopicArn) {
      const topic = args.alarmTopicArn;
      const stream = { StreamName: this.stream.name };
      this.alarms.push(
        metricAlarm(
          `${name}-iterator-age`,
          {
            description: `Consumers of stream ${name} fall behind: the oldest unread record is older than ${iteratorAge} ms`,
            namespace: "AWS/Kinesis",
            metricName: "GetRecords.IteratorAgeMilliseconds",
            dimensions: stream,
            statistic: "Maximum",
            threshold: iteratorAge,
            comparisonOperator: "GreaterThanThreshold",
            datapointsToAlarm: 3,
          },
          topic,
          this,
        ),
        metricAlarm(
          `${name}-write-throttled`,
          {
            description: `Producers of stream ${name} are throttled (add shards or spread partition keys)`,
            namespace: "AWS/Kinesis",
            metricName: "WriteProvisionedThroughputExceeded",
            dimensions: stream,
          },
          topic,
          this,
        ),
        metricAlarm(
          `${name}-read-throttled`,
          {
            description: `Consumers of stream ${name} are throttled for minutes (too many consumers per shard: use enhanced fan-out, or add shards)`,
            namespace: "AWS/Kinesis",
            metricName: "ReadProvisionedThroughputExceeded",
            dimensions: stream,
            // Brief read throttling with several polling consumers is normal and retried.
            datapointsToAlarm: 3,
          },
          topic,
          this,
        ),
        metricAlarm(
          `${name}-processor-iterator-age`,
          {
            description: `The stream processor of ${name} falls behind (errors, throttles or too few shards)`,
            namespace: "AWS/Lambda",
            metricName: "IteratorAge",
            dimensions: { FunctionName: this.processor.function.name },
            statistic: "Maximum",
            threshold: iteratorAge,
            comparisonOperator: "GreaterThanThreshold",
            datapointsToAlarm: 3,
          },
          topic,
          this,
        ),
        metricAlarm(
          `${name}-consumer-gave-up`,
          {
            description: `A consumer of ${name} gave up on records: the on-failure queue holds their shard and sequence numbers (replay them from the stream)`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: this.onFailureQueue.name },
            statistic: "Maximum",
          },
          topic,
          this,
        ),
      );
    }

    this.registerOutputs({
      streamName: this.streamName,
      streamArn: this.streamArn,
      ingestUrl: this.ingest.url,
      apiKeyId: this.ingest.apiKeyId,
      dataTableName: this.dataTable.name,
      dedupeTableName: this.dedupeTable.name,
      aggregatesTableName: this.analytics.aggregatesTable.name,
      topicArn: this.notifier.topicArn,
      rawBucket: this.archive.rawBucket.name,
      workgroup: this.archive.workgroupName,
      database: this.archive.databaseName,
    });
  }

  /**
   * Dashboard rows along the pipeline: ingest API -> stream -> processor -> its tables ->
   * analytics -> notifier -> archive (Firehose, S3, Athena), then the on-failure queue every
   * consumer gives up into.
   */
  widgets(): DashboardRow[] {
    return [
      ...this.ingest.widgets(),
      {
        title: `Stream ${this.logicalName}`,
        widgets: kinesisStreamWidgets(this.stream.name, this.iteratorAgeAlarmMs),
      },
      ...this.processor.widgets(`Processor ${this.logicalName}`),
      ...this.dedupeTable.widgets(),
      ...this.dataTable.widgets(),
      ...this.analytics.widgets(),
      ...this.notifier.widgets(),
      ...this.archive.widgets(),
      ...this.onFailureQueue.widgets(`On-failure queue ${this.logicalName}`),
    ];
  }
}

/**
 * Widgets of a Kinesis stream: records and bytes in, write and read throttling, the oldest
 * unread record's age (against `iteratorAgeAlarmMs` when given), and the shards reporting
 * shard-level metrics each minute (the open shards, as resharding changes them).
 */
export function kinesisStreamWidgets(
  streamName: pulumi.Input<string>,
  iteratorAgeAlarmMs?: number,
): MetricWidget[] {
  const stream = { StreamName: streamName };
  const m = (metricName: string, label: string, rightAxis?: boolean) =>
    metric("AWS/Kinesis", metricName, stream, { label, rightAxis });
  return [
    {
      title: "Incoming records and bytes",
      lines: [m("IncomingRecords", "records"), m("IncomingBytes", "bytes", true)],
    },
    {
      title: "Throttled requests",
      lines: [
        m("WriteProvisionedThroughputExceeded", "writes throttled"),
        m("ReadProvisionedThroughputExceeded", "reads throttled"),
      ],
    },
    {
      title: "Iterator age (ms)",
      stat: "Maximum",
      unit: "ms",
      lines: [m("GetRecords.IteratorAgeMilliseconds", "oldest unread record")],
      thresholds:
        iteratorAgeAlarmMs !== undefined
          ? [{ label: "alarm", value: iteratorAgeAlarmMs }]
          : undefined,
    },
    {
      title: "Open shards",
      stat: "SampleCount",
      lines: [
        {
          id: "shards",
          label: "shards reporting",
          // One series per shard (shard-level metrics are on); each present datapoint counts 1.
          expression: pulumi.interpolate`SUM(SEARCH('{AWS/Kinesis,ShardId,StreamName} StreamName="${streamName}" MetricName="IncomingRecords"', 'SampleCount', 60) * 0 + 1)`,
        },
      ],
    },
  ];
}
