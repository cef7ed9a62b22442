import { expect } from "chai";
import { notificationFilterPatterns } from "../../components/streaming/changeNotifier";
import {
  DEDUPE_TTL_HOURS,
  ITERATOR_AGE_ALARM_MS,
  KINESIS_SHARD_LEVEL_METRICS,
  STREAM_BATCH_SIZE,
  STREAM_MAX_RECORD_AGE_SECONDS,
  STREAM_MAX_RETRY_ATTEMPTS,
} from "../../components/core/defaults";
import { KinesisPipeline } from "../../components/streaming/kinesisPipeline";
import {
  ERROR_PREFIX,
  EVENT_COLUMNS,
  RAW_PREFIX,
  namedQueries,
} from "../../components/streaming/streamArchive";
import { RAW_JSON_PREFIX } from "../../components/streaming/parquetArchive";
import { Recorder, RecordedResource, installMocks } from "../../scripts/harness/recorder";
import { ALARMS_TOPIC_ARN as ALARMS } from "../support/componentFixtures";

/** What the function component adds for Powertools: the function's service, the stack's namespace. */
const powertools = (service: string) => ({
  POWERTOOLS_SERVICE_NAME: service,
  POWERTOOLS_METRICS_NAMESPACE: "aws-serverless-flows/pipeline-test",
});
const LOG_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const GIVEN_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555";
const ARTIFACTS = "arn:aws:s3:::flink-artifacts";

const T = {
  stream: "aws:kinesis/stream:Stream",
  esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
  fn: "aws:lambda/function:Function",
  table: "aws:dynamodb/table:Table",
  queue: "aws:sqs/queue:Queue",
  topic: "aws:sns/topic:Topic",
  sub: "aws:sns/topicSubscription:TopicSubscription",
  policy: "aws:iam/rolePolicy:RolePolicy",
  role: "aws:iam/role:Role",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  glueTable: "aws:glue/catalogTable:CatalogTable",
  glueDb: "aws:glue/catalogDatabase:CatalogDatabase",
  workgroup: "aws:athena/workgroup:Workgroup",
  query: "aws:athena/namedQuery:NamedQuery",
  bucket: "aws:s3/bucket:Bucket",
  key: "aws:kms/key:Key",
  flink: "aws:kinesisanalyticsv2/application:Application",
  consumer: "aws:kinesis/streamConsumer:StreamConsumer",
};

interface Stmt {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}
const actions = (s: Stmt) => ([] as string[]).concat(s.Action);
const resources = (s: Stmt) => ([] as string[]).concat(s.Resource);

describe("KinesisPipeline", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "pipeline-test" });
    new KinesisPipeline("rt", {
      shardCount: 2,
      retentionHours: 48,
      dedupeTtlHours: 72,
      notifications: {
        emails: ["ops@example.com"],
        phoneNumbers: ["+4915123456789"],
        smsSeverities: ["critical"],
      },
      archive: { bufferingSizeMb: 96, bufferingIntervalSeconds: 120, rawExpirationDays: 90 },
      deletionProtection: false,
      forceDestroy: true,
      logRetentionDays: 30,
      logKmsKeyArn: LOG_KEY,
      alarmTopicArn: ALARMS,
    });
    await rec.settle();
  });

  const stream = () => rec.get(T.stream, "rt");
  const key = () => rec.get(T.key, "rt-key");
  const fnArn = (name: string) => rec.get(T.fn, name).state.arn as string;
  const esmOf = (fn: string) => {
    const esm = rec.byType(T.esm).find((e) => e.inputs.functionName === fnArn(fn));
    if (!esm) throw new Error(`no mapping for ${fn}`);
    return esm;
  };
  const statementsOf = (fn: string): Stmt[] =>
    JSON.parse(rec.get(T.policy, fn).inputs.policy as string).Statement;
  const grantsTo = (fn: string, resource: string) =>
    statementsOf(fn)
      .filter((s) => resources(s).includes(resource))
      .flatMap(actions);
  const alarm = (name: string) => rec.get(T.alarm, name).inputs;

  it("creates a provisioned, KMS-encrypted stream with retention and shard-level metrics", () => {
    const s = stream().inputs;
    expect(s).to.include({
      shardCount: 2,
      retentionPeriod: 48,
      encryptionType: "KMS",
      kmsKeyId: key().state.arn,
    });
    expect(s.streamModeDetails).to.deep.equal({ streamMode: "PROVISIONED" });
    expect(s.shardLevelMetrics).to.have.members([...KINESIS_SHARD_LEVEL_METRICS]);
    expect(key().inputs.enableKeyRotation).to.equal(true);
  });

  it("feeds the processor with bisect, retries, record age, an on-failure queue and partial failures", () => {
    const esm = esmOf("rt-processor").inputs;
    const failed = rec.get(T.queue, "rt-failed").state.arn;
    expect(esm).to.include({
      eventSourceArn: stream().state.arn,
      startingPosition: "TRIM_HORIZON",
      batchSize: STREAM_BATCH_SIZE,
      maximumBatchingWindowInSeconds: 1,
      parallelizationFactor: 1,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: STREAM_MAX_RETRY_ATTEMPTS,
      maximumRecordAgeInSeconds: STREAM_MAX_RECORD_AGE_SECONDS,
    });
    expect(esm.functionResponseTypes).to.deep.equal(["ReportBatchItemFailures"]);
    expect(esm.destinationConfig).to.deep.equal({ onFailure: { destinationArn: failed } });
  });

  it("gives every stream consumer the same failure handling", () => {
    const failed = rec.get(T.queue, "rt-failed").state.arn;
    const mappings = rec.byType(T.esm);
    expect(mappings).to.have.length(3);
    for (const m of mappings) {
      expect(m.inputs.bisectBatchOnFunctionError, m.name).to.equal(true);
      expect(m.inputs.functionResponseTypes, m.name).to.deep.equal(["ReportBatchItemFailures"]);
      expect(m.inputs.destinationConfig, m.name).to.deep.equal({
        onFailure: { destinationArn: failed },
      });
      expect(m.inputs.maximumRetryAttempts, m.name).to.be.a("number").within(0, 10000);
    }
  });

  it("wires the processor to a TTL dedupe table and the data table with stream images", () => {
    const dedupe = rec.get(T.table, "rt-dedupe");
    const data = rec.get(T.table, "rt-events");
    expect(dedupe.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
    expect(dedupe.inputs.hashKey).to.equal("eventId");
    expect(data.inputs).to.include({
      hashKey: "eventId",
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
    });
    for (const t of [dedupe, data]) {
      expect(t.inputs.serverSideEncryption).to.deep.equal({
        enabled: true,
        kmsKeyArn: key().state.arn,
      });
      expect(t.inputs.deletionProtectionEnabled).to.equal(false);
    }
    const fn = rec.get(T.fn, "rt-processor").inputs;
    expect((fn.environment as { variables: Record<string, string> }).variables).to.deep.equal({
      DEDUPE_TABLE: dedupe.state.name,
      DATA_TABLE: data.state.name,
      DEDUPE_TTL_SECONDS: String(72 * 3600),
      CLAIM_CONCURRENCY: "16",
      ...powertools("rt-processor"),
    });
    expect(fn).to.include({ runtime: "nodejs24.x", timeout: 30 });
  });

  it("grants the processor exactly what it uses", () => {
    const streamArn = stream().state.arn as string;
    expect(grantsTo("rt-processor", streamArn)).to.have.members([
      "kinesis:DescribeStream",
      "kinesis:DescribeStreamSummary",
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kinesis:ListShards",
    ]);
    // What functions/stream-processor calls: claim/release markers; check, batch-write and (for a
    // refused chunk) put rows one by one.
    const on = (t: string) => grantsTo("rt-processor", rec.get(T.table, t).state.arn as string);
    expect(on("rt-dedupe")).to.have.members(["dynamodb:PutItem", "dynamodb:DeleteItem"]);
    expect(on("rt-events")).to.have.members([
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:PutItem",
    ]);
    expect(
      grantsTo("rt-processor", rec.get(T.queue, "rt-failed").state.arn as string),
    ).to.deep.equal(["sqs:SendMessage"]);
    expect(grantsTo("rt-processor", key().state.arn as string)).to.include("kms:Decrypt");
    const wildcard = statementsOf("rt-processor").filter((s) => resources(s).includes("*"));
    expect(wildcard.flatMap(actions)).to.have.members([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "kinesis:ListStreams",
    ]);
  });

  it("aggregates per minute with a tumbling window into a TTL table", () => {
    const esm = esmOf("rt-analytics-aggregator").inputs;
    expect(esm).to.include({ eventSourceArn: stream().state.arn, tumblingWindowInSeconds: 60 });
    const table = rec.get(T.table, "rt-analytics-aggregates");
    expect(table.inputs).to.include({ hashKey: "metric", rangeKey: "windowShard" });
    expect(table.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
    const env = (
      rec.get(T.fn, "rt-analytics-aggregator").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).to.deep.equal({
      AGGREGATES_TABLE: table.state.name,
      AGGREGATES_TTL_SECONDS: String(30 * 86400),
      ...powertools("rt-analytics-aggregator"),
    });
    expect(rec.byType(T.flink)).to.have.length(0);
  });

  it("notifies from the data table's stream through a filtered mapping to an encrypted topic", () => {
    const esm = esmOf("rt-notify-notifier").inputs;
    expect(esm.eventSourceArn).to.equal(rec.get(T.table, "rt-events").state.streamArn);
    expect(esm).to.include({ startingPosition: "LATEST", batchSize: 10 });
    const patterns = (esm.filterCriteria as { filters: { pattern: string }[] }).filters.map((f) =>
      JSON.parse(f.pattern),
    );
    expect(patterns).to.deep.equal(notificationFilterPatterns());
    expect(patterns).to.deep.equal([
      { eventName: ["INSERT"], dynamodb: { NewImage: { severity: { S: ["high", "critical"] } } } },
    ]);
    const topic = rec.get(T.topic, "rt-notify");
    expect(topic.inputs.kmsMasterKeyId).to.equal(key().state.arn);
    expect(grantsTo("rt-notify-notifier", topic.state.arn as string)).to.deep.equal([
      "sns:Publish",
    ]);
    expect(grantsTo("rt-notify-notifier", key().state.arn as string)).to.include.members([
      "kms:GenerateDataKey",
      "kms:Decrypt",
    ]);
    const env = (
      rec.get(T.fn, "rt-notify-notifier").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).to.deep.equal({
      TOPIC_ARN: topic.state.arn,
      NOTIFY_EVENT_NAMES: "INSERT",
      NOTIFY_SEVERITIES: "high,critical",
      ...powertools("rt-notify-notifier"),
    });
  });

  it("subscribes the email and SMS endpoints, SMS filtered by severity", () => {
    const email = rec.get(T.sub, "rt-notify-email-0").inputs;
    expect(email).to.include({ protocol: "email", endpoint: "ops@example.com" });
    expect(email.filterPolicy).to.equal(undefined);
    const sms = rec.get(T.sub, "rt-notify-sms-0").inputs;
    expect(sms).to.include({
      protocol: "sms",
      endpoint: "+4915123456789",
      filterPolicyScope: "MessageAttributes",
    });
    expect(JSON.parse(sms.filterPolicy as string)).to.deep.equal({ severity: ["critical"] });
    const topicPolicy = JSON.parse(
      rec.get("aws:sns/topicPolicy:TopicPolicy", "rt-notify").inputs.policy as string,
    );
    expect(topicPolicy.Statement[0]).to.include({ Sid: "DenyInsecureTransport", Effect: "Deny" });
  });

  it("archives the stream with Firehose: Parquet, daily prefixes, error prefix, buffering, logging", () => {
    const f = rec.get(T.firehose, "rt-archive").inputs;
    const role = rec.get(T.role, "rt-archive-firehose").state.arn;
    const raw = rec.get(T.bucket, "rt-archive-raw").state;
    expect(f.destination).to.equal("extended_s3");
    expect(f.kinesisSourceConfiguration).to.deep.equal({
      kinesisStreamArn: stream().state.arn,
      roleArn: role,
    });
    const s3 = f.extendedS3Configuration as Record<string, unknown>;
    expect(s3).to.include({
      bucketArn: raw.arn,
      prefix: RAW_PREFIX,
      errorOutputPrefix: ERROR_PREFIX,
      // Parquet compresses its pages; conversion needs the object itself uncompressed.
      compressionFormat: "UNCOMPRESSED",
      bufferingSize: 96,
      bufferingInterval: 120,
      kmsKeyArn: key().state.arn,
      roleArn: role,
    });
    expect(RAW_PREFIX).to.equal("raw/dt=!{timestamp:yyyy-MM-dd}/");
    expect(ERROR_PREFIX).to.include("!{firehose:error-output-type}");
    const db = rec.get(T.glueDb, "rt-archive").state.name as string;
    expect(s3.dataFormatConversionConfiguration).to.deep.equal({
      enabled: true,
      inputFormatConfiguration: { deserializer: { openXJsonSerDe: { caseInsensitive: true } } },
      outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
      schemaConfiguration: {
        roleArn: role,
        region: "us-east-1",
        catalogId: "123456789012",
        databaseName: db,
        tableName: "raw_events",
        versionId: "LATEST",
      },
    });
    // Raw JSON is off by default: no source backup.
    expect(s3.s3BackupMode).to.equal("Disabled");
    expect(s3.s3BackupConfiguration).to.equal(undefined);
    // The role reads the schema from the table, its database and the catalog.
    const glue = statementsOf("rt-archive-firehose").find((s) =>
      actions(s).includes("glue:GetTable"),
    );
    expect(glue && actions(glue)).to.deep.equal([
      "glue:GetTable",
      "glue:GetTableVersion",
      "glue:GetTableVersions",
    ]);
    expect(glue && resources(glue)).to.deep.equal([
      "arn:aws:glue:us-east-1:123456789012:catalog",
      `arn:aws:glue:us-east-1:123456789012:database/${db}`,
      `arn:aws:glue:us-east-1:123456789012:table/${db}/raw_events`,
    ]);
    // Created after the table whose schema it converts with.
    const firehose = rec.get(T.firehose, "rt-archive");
    expect(firehose.dependsOn).to.include(rec.get(T.glueTable, "rt-archive-raw-events").urn);
    // Defect 10: the transformation Lambda writes the effective event id and normalised time.
    const transform = rec.get(T.fn, "rt-archive-transform");
    expect(s3.processingConfiguration).to.deep.equal({
      enabled: true,
      processors: [
        {
          type: "Lambda",
          parameters: [
            { parameterName: "LambdaArn", parameterValue: transform.state.arn },
            { parameterName: "BufferSizeInMBs", parameterValue: "1" },
            { parameterName: "BufferIntervalInSeconds", parameterValue: "60" },
          ],
        },
      ],
    });
    // No delimiter processor: the Parquet conversion reads each record as one JSON document.
    expect(grantsTo("rt-archive-firehose", transform.state.arn as string)).to.have.members([
      "lambda:InvokeFunction",
      "lambda:GetFunctionConfiguration",
    ]);
    const logging = s3.cloudwatchLoggingOptions as Record<string, unknown>;
    expect(logging).to.include({ enabled: true, logStreamName: "DestinationDelivery" });
    expect(logging.logGroupName).to.equal(
      rec.get("aws:cloudwatch/logGroup:LogGroup", "rt-archive-delivery").state.name,
    );
    // The role reads this stream (decrypting through Kinesis only) and writes this bucket.
    const stmts = statementsOf("rt-archive-firehose");
    expect(grantsTo("rt-archive-firehose", stream().state.arn as string)).to.include(
      "kinesis:GetRecords",
    );
    expect(grantsTo("rt-archive-firehose", `${raw.arn}/*`)).to.include("s3:PutObject");
    const kms = stmts.find((s) => actions(s).includes("kms:Decrypt") && s.Condition);
    expect(JSON.stringify(kms?.Condition)).to.include("kinesis.us-east-1.amazonaws.com");
    const lifecycle = rec.get(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "rt-archive-raw",
    ).inputs.rules as { id: string; expiration?: { days?: number } }[];
    expect(lifecycle.find((r) => r.id === "expire-raw-events")?.expiration).to.deep.equal({
      days: 90,
    });
  });

  it("describes the Parquet data in Glue with date partition projection", () => {
    const raw = rec.get(T.bucket, "rt-archive-raw").state.bucket;
    const db = rec.get(T.glueDb, "rt-archive");
    expect(db.inputs.name).to.equal("aws_serverless_flows_pipeline_test_rt_archive");
    const t = rec.get(T.glueTable, "rt-archive-raw-events").inputs;
    expect(t).to.include({
      databaseName: db.state.name,
      name: "raw_events",
      tableType: "EXTERNAL_TABLE",
    });
    expect(t.partitionKeys).to.deep.equal([
      { name: "dt", type: "string", comment: "UTC day Firehose received the record (yyyy-MM-dd)" },
    ]);
    expect(t.parameters).to.include({
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": "NOW-90DAYS,NOW",
      "storage.location.template": `s3://${raw}/raw/dt=\${dt}/`,
      classification: "parquet",
    });
    expect(t.parameters).to.not.have.property("compressionType");
    const sd = t.storageDescriptor as {
      location: string;
      inputFormat: string;
      outputFormat: string;
      serDeInfo: { serializationLibrary: string };
      columns: { name: string }[];
    };
    expect(sd.location).to.equal(`s3://${raw}/raw/`);
    expect(sd).to.include({
      inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    });
    expect(sd.serDeInfo.serializationLibrary).to.equal(
      "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    );
    // One schema: the columns Firehose converts with are the ones Athena reads.
    expect(sd.columns.map((c) => c.name)).to.deep.equal(EVENT_COLUMNS.map((c) => c.name));
  });

  it("queries with an Athena workgroup that enforces encrypted results, a scan limit and engine v3", () => {
    const wg = rec.get(T.workgroup, "rt-archive");
    const results = rec.get(T.bucket, "rt-archive-results").state.bucket;
    const cfg = wg.inputs.configuration as Record<string, unknown>;
    expect(cfg).to.include({
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
    });
    expect(cfg.engineVersion).to.deep.equal({ selectedEngineVersion: "Athena engine version 3" });
    expect(cfg.resultConfiguration).to.deep.include({
      outputLocation: `s3://${results}/athena/`,
      encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key().state.arn },
    });
    expect(wg.inputs.forceDestroy).to.equal(true);
    // Both buckets are SecureBuckets with the pipeline key.
    for (const b of ["rt-archive-raw", "rt-archive-results"]) {
      const sse = rec.get(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        b,
      ).inputs.rules as { applyServerSideEncryptionByDefault: Record<string, string> }[];
      expect(sse[0].applyServerSideEncryptionByDefault).to.deep.equal({
        sseAlgorithm: "aws:kms",
        kmsMasterKeyId: key().state.arn,
      });
    }
    const queries = rec.byType(T.query);
    const db = rec.get(T.glueDb, "rt-archive").state.name as string;
    expect(queries.map((q) => q.inputs.name)).to.have.members(
      namedQueries(db, "raw_events").map((q) => q.name),
    );
    for (const q of queries) {
      expect(q.inputs).to.include({ database: db, workgroup: wg.state.name });
      expect(q.inputs.query).to.include(`"${db}"."raw_events"`);
    }
  });

  it("alarms on iterator age (stream dimension), throttling, consumer errors, give-ups and delivery", () => {
    const streamName = stream().state.name;
    const age = alarm("rt-iterator-age");
    expect(age).to.include({
      namespace: "AWS/Kinesis",
      metricName: "GetRecords.IteratorAgeMilliseconds",
      statistic: "Maximum",
      threshold: ITERATOR_AGE_ALARM_MS,
    });
    expect(age.dimensions).to.deep.equal({ StreamName: streamName });
    for (const [name, metric] of [
      ["rt-write-throttled", "WriteProvisionedThroughputExceeded"],
      ["rt-read-throttled", "ReadProvisionedThroughputExceeded"],
    ]) {
      expect(alarm(name)).to.include({ namespace: "AWS/Kinesis", metricName: metric });
      expect(alarm(name).dimensions).to.deep.equal({ StreamName: streamName });
    }
    for (const fn of ["rt-processor", "rt-analytics-aggregator", "rt-notify-notifier"]) {
      expect(alarm(`${fn}-errors`)).to.include({ namespace: "AWS/Lambda", metricName: "Errors" });
    }
    expect(alarm("rt-processor-iterator-age").dimensions).to.deep.equal({
      FunctionName: rec.get(T.fn, "rt-processor").state.name,
    });
    expect(alarm("rt-consumer-gave-up").dimensions).to.deep.equal({
      QueueName: rec.get(T.queue, "rt-failed").state.name,
    });
    const delivery = alarm("rt-archive-delivery-failures");
    expect(delivery).to.include({
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.Success",
      comparisonOperator: "LessThanThreshold",
    });
    expect(delivery.dimensions).to.deep.equal({
      DeliveryStreamName: rec.get(T.firehose, "rt-archive").state.name,
    });
    expect(alarm("rt-archive-freshness").metricName).to.equal("DeliveryToS3.DataFreshness");
    expect(alarm("rt-notify-delivery-failed").metricName).to.equal("NumberOfNotificationsFailed");
    for (const a of rec.byType(T.alarm))
      expect(a.inputs.alarmActions, a.name).to.deep.equal([ALARMS]);
  });

  it("encrypts every log group with the stack's log key and its retention", () => {
    const groups = rec.byType("aws:cloudwatch/logGroup:LogGroup");
    expect(groups.length).to.be.at.least(6);
    for (const g of groups) {
      expect(g.inputs.kmsKeyId, g.name).to.equal(LOG_KEY);
      expect(g.inputs.retentionInDays, g.name).to.equal(30);
    }
  });

  it("parents every resource under the pipeline", () => {
    const root = rec.byType("serverless:streaming:KinesisPipeline")[0];
    const below = new Set(rec.descendants(root.urn).map((r: RecordedResource) => r.urn));
    const custom = rec.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"));
    for (const r of custom) expect(below.has(r.urn), `${r.type} ${r.name}`).to.equal(true);
  });
});

describe("KinesisPipeline options", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "pipeline-options" });
    new KinesisPipeline("od", {
      streamMode: "ON_DEMAND",
      kmsKeyArn: GIVEN_KEY,
      processor: { enhancedFanOut: true, batchSize: 500, parallelizationFactor: 4 },
      analytics: {
        flink: {
          artifactBucketArn: ARTIFACTS,
          artifactKey: "apps/aggregates-1.0.jar",
          parallelism: 2,
        },
      },
      notifications: { severities: [], eventNames: ["INSERT", "REMOVE"] },
      archive: { keepRawJson: true },
      transform: { stream: { tags: { team: "data" } } },
    });
    await rec.settle();
  });

  it("keeps the source JSON beside the Parquet only when asked (keepRawJson)", () => {
    const s3 = rec.get(T.firehose, "od-archive").inputs.extendedS3Configuration as Record<
      string,
      unknown
    >;
    expect(s3.s3BackupMode).to.equal("Enabled");
    expect(s3.s3BackupConfiguration).to.deep.include({
      bucketArn: rec.get(T.bucket, "od-archive-raw").state.arn,
      roleArn: rec.get(T.role, "od-archive-firehose").state.arn,
      prefix: RAW_JSON_PREFIX,
      compressionFormat: "GZIP",
      kmsKeyArn: GIVEN_KEY,
    });
    // Inside raw/ (expires with it), outside the dt= folders the table reads.
    expect(RAW_JSON_PREFIX.startsWith("raw/")).to.equal(true);
    expect(RAW_JSON_PREFIX.startsWith("raw/dt=")).to.equal(false);
  });

  it("creates an on-demand stream with the given key and no pipeline key", () => {
    const s = rec.get(T.stream, "od").inputs;
    expect(s.streamModeDetails).to.deep.equal({ streamMode: "ON_DEMAND" });
    expect(s.shardCount).to.equal(undefined);
    expect(s.kmsKeyId).to.equal(GIVEN_KEY);
    expect(s.tags).to.deep.equal({ team: "data" });
    expect(rec.byType(T.key)).to.have.length(0);
  });

  it("reads the processor's records through an enhanced fan-out consumer", () => {
    const consumer = rec.get(T.consumer, "od-processor");
    expect(consumer.inputs.streamArn).to.equal(rec.get(T.stream, "od").state.arn);
    const fn = rec.get(T.fn, "od-processor").state.arn;
    const esm = rec.byType(T.esm).find((e) => e.inputs.functionName === fn)!;
    expect(esm.inputs).to.include({
      eventSourceArn: consumer.state.arn,
      batchSize: 500,
      parallelizationFactor: 4,
    });
    const doc = JSON.parse(rec.get(T.policy, "od-processor").inputs.policy as string);
    const efo = (doc.Statement as Stmt[]).find((s) =>
      actions(s).includes("kinesis:SubscribeToShard"),
    );
    expect(efo && resources(efo)).to.deep.equal([consumer.state.arn]);
  });

  it("runs the analytics stage on Managed Flink instead of the Lambda aggregator", () => {
    expect(rec.byType(T.fn).map((f) => f.name)).to.have.members([
      "od-processor",
      "od-archive-transform",
      "od-notify-notifier",
    ]);
    const app = rec.get(T.flink, "od-analytics-flink").inputs;
    expect(app.runtimeEnvironment).to.equal("FLINK-1_20");
    expect(app.runtimeEnvironment).not.to.match(/^SQL/);
    const cfg = app.applicationConfiguration as {
      applicationCodeConfiguration: { codeContent: { s3ContentLocation: Record<string, string> } };
      environmentProperties: {
        propertyGroups: { propertyGroupId: string; propertyMap: Record<string, string> }[];
      };
      flinkApplicationConfiguration: { parallelismConfiguration: Record<string, unknown> };
    };
    expect(cfg.applicationCodeConfiguration.codeContent.s3ContentLocation).to.include({
      bucketArn: ARTIFACTS,
      fileKey: "apps/aggregates-1.0.jar",
    });
    const props = cfg.environmentProperties.propertyGroups[0];
    expect(props.propertyGroupId).to.equal("FlowProperties");
    expect(props.propertyMap).to.include({
      "input.stream.arn": rec.get(T.stream, "od").state.arn,
      "aggregates.table.name": rec.get(T.table, "od-analytics-aggregates").state.name,
      "window.seconds": "60",
    });
    expect(cfg.flinkApplicationConfiguration.parallelismConfiguration).to.include({
      parallelism: 2,
    });
    const trust = JSON.parse(
      rec.get(T.role, "od-analytics-flink").inputs.assumeRolePolicy as string,
    );
    expect(trust.Statement[0].Principal).to.deep.equal({
      Service: "kinesisanalytics.amazonaws.com",
    });
    const doc = JSON.parse(rec.get(T.policy, "od-analytics-flink").inputs.policy as string);
    const s3 = (doc.Statement as Stmt[]).find((s) => actions(s).includes("s3:GetObject"))!;
    expect(resources(s3)).to.deep.equal([`${ARTIFACTS}/apps/aggregates-1.0.jar`]);
  });

  it("filters the notifier by event name only when every severity notifies", () => {
    const fn = rec.get(T.fn, "od-notify-notifier").state.arn;
    const esm = rec.byType(T.esm).find((e) => e.inputs.functionName === fn)!;
    const patterns = (esm.inputs.filterCriteria as { filters: { pattern: string }[] }).filters.map(
      (f) => JSON.parse(f.pattern),
    );
    expect(patterns).to.deep.equal([{ eventName: ["INSERT", "REMOVE"] }]);
  });
});

describe("KinesisPipeline argument checks", () => {
  before(() => {
    installMocks({ stack: "pipeline-invalid" });
  });

  const fails = (args: ConstructorParameters<typeof KinesisPipeline>[1], ...fields: string[]) => {
    let message = "";
    try {
      new KinesisPipeline("bad", args);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message, JSON.stringify(args)).to.match(/^KinesisPipeline "bad" has invalid arguments/);
    for (const f of fields) expect(message).to.include(`${f}:`);
  };

  it("refuses a Firehose buffer below the 64 MiB Parquet conversion needs", () => {
    fails({ archive: { bufferingSizeMb: 8 } }, "archive.bufferingSizeMb");
    let message = "";
    try {
      new KinesisPipeline("bad", { archive: { bufferingSizeMb: 63 } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.include("Parquet conversion needs at least 64");
  });

  it("rejects stream settings AWS refuses", () => {
    fails({ shardCount: 0 }, "shardCount");
    fails({ streamMode: "ON_DEMAND", shardCount: 2 }, "shardCount");
    fails({ retentionHours: 12 }, "retentionHours");
    fails({ retentionHours: 9000, dedupeTtlHours: 9000 }, "retentionHours");
  });

  it("refuses transform.key together with kmsKeyArn (the hook would edit no key), before any child", async () => {
    const rec = installMocks({ stack: "pipeline-key-conflict" });
    const kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/0f6b1a4e-aaaa-4bbb-8ccc-123456789012";
    fails(
      { kmsKeyArn, transform: { key: { key: { description: "x" } } } },
      "transform.key/kmsKeyArn",
    );
    expect(() => new KinesisPipeline("bad", { kmsKeyArn, transform: { key: {} } })).to.throw(
      /fix: drop transform.key \(configure the key you pass\), or drop kmsKeyArn/,
    );
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom)).to.deep.equal([]);
  });

  it("rejects a dedupe window shorter than the replay window", () => {
    fails({ retentionHours: 48, dedupeTtlHours: DEDUPE_TTL_HOURS }, "dedupeTtlHours");
  });

  it("rejects consumer settings outside Lambda's limits, all at once", () => {
    fails(
      {
        processor: {
          batchSize: 20000,
          parallelizationFactor: 11,
          maximumRecordAgeInSeconds: 30,
          maximumRetryAttempts: -2,
          timeout: 901,
        },
      },
      "processor.batchSize",
      "processor.parallelizationFactor",
      "processor.maximumRecordAgeInSeconds",
      "processor.maximumRetryAttempts",
      "processor.timeout",
    );
  });

  it("rejects invalid stages before creating any resource", async () => {
    const rec = installMocks({ stack: "pipeline-invalid-stages" });
    fails(
      {
        notifications: { emails: ["not-an-email"], phoneNumbers: ["0151 234"] },
        analytics: {
          flink: {
            artifactBucketArn: ARTIFACTS,
            artifactKey: "app.zip",
            runtime: "SQL-1_0" as never,
          },
        },
        archive: { bufferingSizeMb: 500 },
        ingest: { quotaLimit: 0 },
        logRetentionDays: 8,
      },
      "notifications.emails",
      "notifications.phoneNumbers",
      "analytics.flink.runtime",
      "archive.bufferingSizeMb",
      "ingest.quotaLimit",
      "logRetentionDays",
    );
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom)).to.deep.equal([]);
  });

  it("names the discontinued SQL runtime as such", () => {
    expect(
      () =>
        new KinesisPipeline("bad-flink", {
          analytics: {
            flink: {
              artifactBucketArn: ARTIFACTS,
              artifactKey: "app.zip",
              runtime: "SQL-1_0" as never,
            },
          },
        }),
    ).to.throw(/analytics\.flink\.runtime: Kinesis Data Analytics for SQL is discontinued/);
  });
});
