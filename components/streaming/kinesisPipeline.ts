import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlannedComponent } from "../core/component";
import { metricAlarm } from "../observability/alarms";
import { ChangeNotifier } from "./changeNotifier";
import { KINESIS_SHARD_LEVEL_METRICS } from "../core/defaults";
import type { DashboardRow } from "../observability/flowDashboard";
import { KinesisIngestApi } from "./kinesisIngestApi";
import { ServiceKey } from "../security/kmsKey";
import { SecureQueue } from "../messaging/secureQueue";
import { SecureTable, SecureTableArgs, tableGrants, tableItemStatement } from "../data/secureTable";
import { StreamAnalytics } from "./streamAnalytics";
import { StreamArchive } from "./streamArchive";
import { StreamConsumer } from "./streamConsumer";
import { transform } from "../core/transform";
import type { KinesisPipelineArgs, StreamMode } from "./kinesisPipelineArgs";
import { KinesisPipelinePlan, planKinesisPipeline } from "./kinesisPipelinePlan";
import { kinesisStreamWidgets, pipelineAlarmSpecs } from "./kinesisPipelineMonitoring";

// The args, the pure planning and the monitoring live in their own modules; one import for users.
export type { KinesisPipelineArgs, ProcessorSettings, StreamMode } from "./kinesisPipelineArgs";
export { planKinesisPipeline } from "./kinesisPipelinePlan";
export { kinesisStreamWidgets, pipelineAlarmSpecs } from "./kinesisPipelineMonitoring";
import { OperationsContext, operationsOf } from "../core/operations";
import { streamProcessorEnvironment } from "../../functions/stream-processor/env";

/**
 * The real-time analytics chain as one component:
 * API Gateway (Kinesis proxy) -> Kinesis stream (KMS, shard-level metrics) -> analytics stage
 * (per-window aggregates: Lambda tumbling window, or Flink) and the stream processor (dedupe ->
 * data table) -> DynamoDB Streams -> notifier -> SNS (email/SMS); and Firehose -> S3 (raw, by day)
 * -> Glue -> Athena. Every stream consumer reports partial failures, bisects, retries a bounded
 * number of times and sends what it gives up on to one on-failure queue; alarms cover iterator
 * age, throttling, consumer errors, failed destinations and Firehose delivery.
 */
export class KinesisPipeline extends PlannedComponent<KinesisPipelineArgs, KinesisPipelinePlan> {
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

  /** Every stage logs and alarms the same way. */
  private readonly observability: OperationsContext;

  constructor(
    name: string,
    args: KinesisPipelineArgs = {},
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("serverless:streaming:KinesisPipeline", name, args, planKinesisPipeline, opts);
    this.observability = operationsOf(args);
    this.logicalName = name;
    this.iteratorAgeAlarmMs = this.plan.iteratorAge;
    this.streamMode = this.plan.mode;
    this.shardCount = this.plan.mode === "PROVISIONED" ? this.plan.shards : undefined;

    if (args.kmsKeyArn === undefined) this.key = this.createKey();
    this.kmsKeyArn = pulumi.output(args.kmsKeyArn ?? this.key!.arn);
    this.stream = this.createStream();
    this.streamName = this.stream.name;
    this.streamArn = this.stream.arn;
    this.ingest = this.createIngest();
    // Stream sources send metadata (not records) here; SSE-SQS so no key grant is needed.
    this.onFailureQueue = new SecureQueue(
      `${name}-failed`,
      { alarmTopicArn: args.alarmTopicArn, transform: this.t.onFailureQueue },
      { parent: this },
    );
    this.dedupeTable = this.createEventTable("dedupe", {
      ttlAttribute: "expiresAt",
      transform: this.t.dedupeTable,
    });
    this.dataTable = this.createEventTable("events", {
      stream: "NEW_AND_OLD_IMAGES",
      transform: this.t.dataTable,
    });
    if (this.plan.processor.enhancedFanOut) this.streamConsumer = this.createStreamConsumer();
    this.processor = this.createProcessor();
    this.analytics = this.createAnalytics();
    this.notifier = this.createNotifier();
    this.archive = this.createArchive();
    if (args.alarmTopicArn) this.alarms.push(...this.createAlarms(args.alarmTopicArn));

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

  private createKey(): ServiceKey {
    const name = this.logicalName;
    return new ServiceKey(
      `${name}-key`,
      {
        description: `Encrypts pipeline ${name}: stream, tables, topic, buckets`,
        retainOnDelete: this.args.retainOnDelete,
        transform: this.t.key,
      },
      { parent: this },
    );
  }

  private createStream(): aws.kinesis.Stream {
    const { mode, shards, retention } = this.plan;
    return new aws.kinesis.Stream(
      ...transform(
        this.t.stream,
        this.logicalName,
        {
          streamModeDetails: { streamMode: mode },
          shardCount: mode === "PROVISIONED" ? shards : undefined,
          retentionPeriod: retention,
          encryptionType: "KMS",
          kmsKeyId: this.kmsKeyArn,
          shardLevelMetrics: [...(this.args.shardLevelMetrics ?? KINESIS_SHARD_LEVEL_METRICS)],
          // Consumers registered outside Pulumi must not block a replacement or destroy.
          enforceConsumerDeletion: true,
        },
        {
          parent: this,
          // The autoscaler resizes the stream; a deployment must not undo that.
          ignoreChanges: this.args.shardCountManagedExternally ? ["shardCount"] : undefined,
          retainOnDelete: this.args.retainOnDelete,
        },
      ),
    );
  }

  private createIngest(): KinesisIngestApi {
    return new KinesisIngestApi(
      `${this.logicalName}-ingest`,
      {
        ...this.args.ingest,
        streamName: this.stream.name,
        streamArn: this.stream.arn,
        streamKmsKeyArn: this.kmsKeyArn,
        ...this.observability,
        transform: this.t.ingest,
      },
      { parent: this },
    );
  }

  /** Both tables hold one row per event, under the pipeline's key and protection. */
  private createEventTable(suffix: string, extra: Partial<SecureTableArgs>): SecureTable {
    return new SecureTable(
      `${this.logicalName}-${suffix}`,
      {
        hashKey: { name: "eventId", type: "S" },
        ...extra,
        kmsKeyArn: this.kmsKeyArn,
        deletionProtection: this.args.deletionProtection,
        retainOnDelete: this.args.retainOnDelete,
      },
      { parent: this },
    );
  }

  private createStreamConsumer(): aws.kinesis.StreamConsumer {
    const n = `${this.logicalName}-processor`;
    return new aws.kinesis.StreamConsumer(
      ...transform(
        this.t.streamConsumer,
        n,
        { name: n, streamArn: this.stream.arn },
        { parent: this },
      ),
    );
  }

  /** The business logic: dedupe by event id, then one row per event in the data table. */
  private createProcessor(): StreamConsumer {
    const keyArn = this.kmsKeyArn;
    const {
      memorySize,
      claimConcurrency,
      enhancedFanOut: _efo,
      vpc,
      timeout: _timeout,
      ...batch
    } = this.plan.processor;
    return new StreamConsumer(
      `${this.logicalName}-processor`,
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
          dedupeTtlSeconds: this.plan.dedupeHours * 3600,
          claimConcurrency,
        }),
        timeout: this.plan.processorTimeout,
        memorySize,
        vpc,
        ...this.observability,
        transform: this.t.processor,
      },
      { parent: this },
    );
  }

  /** What every stream-fed stage shares: the key, the on-failure queue, logs and alarms. */
  private stageArgs() {
    return {
      onFailureQueueArn: this.onFailureQueue.arn,
      kmsKeyArn: this.kmsKeyArn,
      ...this.observability,
    };
  }

  private createAnalytics(): StreamAnalytics {
    return new StreamAnalytics(
      `${this.logicalName}-analytics`,
      {
        ...this.args.analytics,
        stream: { name: this.stream.name, arn: this.stream.arn, kmsKeyArn: this.kmsKeyArn },
        ...this.stageArgs(),
        deletionProtection: this.args.deletionProtection,
        retainOnDelete: this.args.retainOnDelete,
        transform: this.t.analytics,
      },
      { parent: this },
    );
  }

  private createNotifier(): ChangeNotifier {
    return new ChangeNotifier(
      `${this.logicalName}-notify`,
      {
        ...this.args.notifications,
        table: { streamArn: this.dataTable.streamArn!, kmsKeyArn: this.kmsKeyArn },
        ...this.stageArgs(),
        transform: this.t.notifier,
      },
      { parent: this },
    );
  }

  private createArchive(): StreamArchive {
    return new StreamArchive(
      `${this.logicalName}-archive`,
      {
        ...this.args.archive,
        streamArn: this.stream.arn,
        streamKmsKeyArn: this.kmsKeyArn,
        kmsKeyArn: this.kmsKeyArn,
        forceDestroy: this.args.forceDestroy,
        retainOnDelete: this.args.retainOnDelete,
        ...this.observability,
        transform: this.t.archive,
      },
      { parent: this },
    );
  }

  private createAlarms(topicArn: pulumi.Input<string>): aws.cloudwatch.MetricAlarm[] {
    const specs = pipelineAlarmSpecs(this.logicalName, this.plan.iteratorAge, {
      streamName: this.stream.name,
      processorFunctionName: this.processor.function.name,
      onFailureQueueName: this.onFailureQueue.name,
    });
    return specs.map(([suffix, spec]) =>
      metricAlarm(`${this.logicalName}-${suffix}`, spec, topicArn, this, this.t.alarm),
    );
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
