import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import {
  ATHENA_BYTES_SCANNED_CUTOFF,
  ATHENA_RESULTS_EXPIRATION_DAYS,
  FIREHOSE_BUFFER_INTERVAL_SECONDS,
  FIREHOSE_BUFFER_SIZE_MB,
  FIREHOSE_FRESHNESS_ALARM_SECONDS,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { BundledFunction, BundledFunctionArgs } from "../compute/lambdaFunction";
import { Statement, allow, assumeRolePolicy, policyDocument } from "../security/iam";
import { SecureBucket, SecureBucketArgs } from "../storage/secureBucket";
import { Transform, applyTransform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import {
  PARQUET_MIN_BUFFER_MB,
  PARQUET_STORAGE,
  PARQUET_TABLE_PARAMETERS,
  parquetDelivery,
  schemaReadStatement,
} from "./parquetArchive";

/** Firehose limits for S3 buffering. */
const BUFFER_MB = [1, 128] as const;
const BUFFER_SECONDS = [0, 900] as const;

/** Where Firehose writes: one folder per UTC day, the partition Athena projects. */
export const RAW_PREFIX = "raw/dt=!{timestamp:yyyy-MM-dd}/";
/** Records Firehose could not deliver, by failure type, so they can be inspected and replayed. */
export const ERROR_PREFIX = "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";

/** A column of the raw-events Glue table. */
export interface GlueColumn {
  name: string;
  /** Hive type: string, double, bigint, boolean, map<string,string>, ... */
  type: string;
  comment?: string;
}

/**
 * The columns of an archived line, as functions/archive-transform writes them: the effective event
 * id and normalised time computed exactly as the stream processor does, the record's stream
 * position, and the data's JSON text. Lower-case keys: what the OpenX JSON SerDe reads.
 */
export const EVENT_COLUMNS: GlueColumn[] = [
  {
    name: "eventid",
    type: "string",
    comment: "Effective event id: the client's eventId, else sha256: content hash (the dedupe key)",
  },
  { name: "idsource", type: "string", comment: "client or content" },
  { name: "type", type: "string", comment: "Event type" },
  { name: "severity", type: "string", comment: "info, low, medium, high or critical" },
  {
    name: "occurredat",
    type: "string",
    comment: "ISO-8601 UTC, normalised from the client's ISO text or epoch ms (else arrival time)",
  },
  { name: "key", type: "string", comment: "Grouping key" },
  { name: "value", type: "double", comment: "Measured value" },
  { name: "attributes", type: "map<string,string>", comment: "Free-form string attributes" },
  { name: "partitionkey", type: "string", comment: "Kinesis partition key" },
  { name: "sequencenumber", type: "string", comment: "Kinesis sequence number" },
  { name: "shardid", type: "string", comment: "Kinesis shard" },
  { name: "arrivedat", type: "string", comment: "ISO-8601 UTC time Kinesis received the record" },
  {
    name: "valid",
    type: "boolean",
    comment: "false: the processor refuses this record (see error)",
  },
  { name: "error", type: "string", comment: "Why the record is not a valid event" },
  { name: "payload", type: "string", comment: "The data's JSON text as sent" },
];

/** Glue table parameters for partition projection on `dt` (no crawler, no MSCK REPAIR). */
export function projectionParameters(
  bucket: string,
  retentionDays: number | undefined,
): Record<string, string> {
  return {
    EXTERNAL: "TRUE",
    ...PARQUET_TABLE_PARAMETERS,
    "projection.enabled": "true",
    "projection.dt.type": "date",
    "projection.dt.format": "yyyy-MM-dd",
    // Relative to the query time: partitions older than the raw data's retention do not exist.
    "projection.dt.range": `NOW-${retentionDays ?? 3 * 365}DAYS,NOW`,
    "projection.dt.interval": "1",
    "projection.dt.interval.unit": "DAYS",
    "storage.location.template": `s3://${bucket}/raw/dt=\${dt}/`,
  };
}

/** The named queries users start from: daily mix, per-minute trend, duplicates, latest events. */
export function namedQueries(
  database: string,
  table: string,
): { name: string; description: string; query: string }[] {
  const t = `"${database}"."${table}"`;
  const today = "date_format(current_date, '%Y-%m-%d')";
  return [
    {
      name: "events-by-type-today",
      description: "Events and distinct event ids per type and severity, today (UTC)",
      query: [
        "SELECT type, severity, count(*) AS events, count(DISTINCT eventid) AS distinct_ids",
        `FROM ${t}`,
        `WHERE dt = ${today} AND valid`,
        "GROUP BY type, severity",
        "ORDER BY events DESC",
      ].join("\n"),
    },
    {
      name: "events-per-minute-last-hour",
      description: "Per-minute counts and value totals per type over the last hour",
      query: [
        // occurredat is normalised to ISO-8601 UTC at archive time, epoch-ms events included.
        "SELECT date_trunc('minute', from_iso8601_timestamp(occurredat)) AS minute, type,",
        "       count(*) AS events, sum(value) AS total",
        `FROM ${t}`,
        "WHERE dt >= date_format(current_date - interval '1' day, '%Y-%m-%d') AND valid",
        "  AND from_iso8601_timestamp(occurredat) > current_timestamp - interval '1' hour",
        "GROUP BY 1, 2",
        "ORDER BY 1 DESC, 3 DESC",
      ].join("\n"),
    },
    {
      name: "duplicate-event-ids",
      description:
        "Event ids the raw stream carried more than once in the last 7 days (the processor stored each once)",
      query: [
        "SELECT eventid, count(*) AS copies, min(dt) AS first_day, max(dt) AS last_day",
        `FROM ${t}`,
        // eventid is the effective id, content hashes included: the duplicates the processor drops.
        "WHERE dt >= date_format(current_date - interval '7' day, '%Y-%m-%d') AND valid",
        "GROUP BY eventid",
        "HAVING count(*) > 1",
        "ORDER BY copies DESC",
        "LIMIT 100",
      ].join("\n"),
    },
    {
      name: "latest-events",
      description: "A sample of today's raw events",
      query: [`SELECT *`, `FROM ${t}`, `WHERE dt = ${today}`, "LIMIT 100"].join("\n"),
    },
  ];
}

/** `project_stack_name` in Glue's alphabet (lowercase letters, digits, underscores). */
export function glueName(...parts: string[]): string {
  return parts
    .join("_")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 255);
}

export interface StreamArchiveArgs {
  /** The Kinesis stream to archive. Required. */
  streamArn: pulumi.Input<string>;
  /** Key the stream is encrypted with; Firehose may decrypt with it (through Kinesis only). Default: none. */
  streamKmsKeyArn?: pulumi.Input<string>;
  /**
   * Customer-managed key for the raw and results buckets (SSE-KMS with bucket keys) and the Athena
   * results. Readers need `kms:Decrypt` on it. Default: SSE-S3.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * MB Firehose buffers before writing an object (64-128: Parquet conversion needs 64 or more).
   * Default: 64 (`FIREHOSE_BUFFER_SIZE_MB`).
   */
  bufferingSizeMb?: number;
  /** Seconds Firehose buffers before writing (0-900). Default: 300 (`FIREHOSE_BUFFER_INTERVAL_SECONDS`). */
  bufferingIntervalSeconds?: number;
  /**
   * Also keep the source JSON (GZIP, under `RAW_JSON_PREFIX`) beside the Parquet archive, through
   * Firehose's source-record backup. Default: false.
   */
  keepRawJson?: boolean;
  /** Days raw objects are kept. Default: kept until deleted. */
  rawExpirationDays?: number;
  /** Days Athena results are kept. Default: 30 (`ATHENA_RESULTS_EXPIRATION_DAYS`). */
  resultsExpirationDays?: number;
  /** Columns of the raw-events table. Default: `EVENT_COLUMNS`. */
  columns?: GlueColumn[];
  /** Glue database name. Default: `<project>_<stack>_<name>` in Glue's alphabet. */
  databaseName?: string;
  /** Glue table name. Default: "raw_events". */
  tableName?: string;
  /** Athena workgroup name. Default: `<project>-<stack>-<name>`. */
  workgroupName?: string;
  /** Athena cancels queries scanning more bytes. Default: 10 GiB (`ATHENA_BYTES_SCANNED_CUTOFF`). */
  bytesScannedCutoffPerQuery?: number;
  /** Let `pulumi destroy` remove buckets with objects and the workgroup with its history. Default: false. */
  forceDestroy?: boolean;
  /** Keep the raw-events bucket in AWS on removal, replacement or destroy. Default: false. */
  retainOnDelete?: boolean;
  /** Retention of Firehose's error log group. Default: 14 days. */
  logRetentionDays?: number;
  /** KMS key of the log group. Default: CloudWatch Logs' own encryption. */
  logKmsKeyArn?: pulumi.Input<string>;
  /** Topic for the delivery alarms. Default: no alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Override hooks, one per child. Default: none. */
  transform?: {
    deliveryStream?: Transform<aws.kinesis.FirehoseDeliveryStreamArgs>;
    role?: Transform<aws.iam.RoleArgs>;
    rawBucket?: SecureBucketArgs["transform"];
    resultsBucket?: SecureBucketArgs["transform"];
    database?: Transform<aws.glue.CatalogDatabaseArgs>;
    table?: Transform<aws.glue.CatalogTableArgs>;
    workgroup?: Transform<aws.athena.WorkgroupArgs>;
    /** The Firehose transformation Lambda (functions/archive-transform). */
    transformFunction?: BundledFunctionArgs["transform"];
  };
}

/** Defaulted names of an archive's Glue database and Athena workgroup. */
function archiveNames(name: string, args: Partial<StreamArchiveArgs>) {
  return {
    databaseName: args.databaseName ?? glueName(pulumi.getProject(), pulumi.getStack(), name),
    tableName: args.tableName ?? "raw_events",
    workgroupName: args.workgroupName ?? `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
  };
}

/**
 * Records every problem with an archive's arguments (`field` prefixes the names; `name` is the
 * archive's, which its default database and workgroup names derive from).
 */
export function checkArchiveArgs(
  errors: ArgumentErrors,
  field: string,
  name: string,
  args: Partial<StreamArchiveArgs>,
): ArgumentErrors {
  const f = (n: string) => (field ? `${field}.${n}` : n);
  const { databaseName, tableName, workgroupName } = archiveNames(name, args);
  const bufferMb = args.bufferingSizeMb ?? FIREHOSE_BUFFER_SIZE_MB;
  const bufferSeconds = args.bufferingIntervalSeconds ?? FIREHOSE_BUFFER_INTERVAL_SECONDS;
  const retention = args.logRetentionDays ?? LOG_RETENTION_DAYS;
  const resultsDays = args.resultsExpirationDays ?? ATHENA_RESULTS_EXPIRATION_DAYS;
  const cutoff = args.bytesScannedCutoffPerQuery ?? ATHENA_BYTES_SCANNED_CUTOFF;
  const positiveDays = (d: number | undefined) =>
    d === undefined || (Number.isInteger(d) && d >= 1);
  return errors
    .check(
      Number.isInteger(bufferMb) && bufferMb >= PARQUET_MIN_BUFFER_MB && bufferMb <= BUFFER_MB[1],
      f("bufferingSizeMb"),
      `${bufferMb} is outside ${PARQUET_MIN_BUFFER_MB}-${BUFFER_MB[1]} MB (Parquet conversion needs at least ${PARQUET_MIN_BUFFER_MB})`,
      `use ${PARQUET_MIN_BUFFER_MB} to ${BUFFER_MB[1]}`,
    )
    .check(
      Number.isInteger(bufferSeconds) &&
        bufferSeconds >= BUFFER_SECONDS[0] &&
        bufferSeconds <= BUFFER_SECONDS[1],
      f("bufferingIntervalSeconds"),
      `${bufferSeconds} is outside ${BUFFER_SECONDS.join("-")} s`,
      `use ${BUFFER_SECONDS.join(" to ")}`,
    )
    .check(
      positiveDays(args.rawExpirationDays),
      f("rawExpirationDays"),
      `${args.rawExpirationDays} is not a positive number of days`,
      "use 1 or more, or leave it unset to keep raw data",
    )
    .check(
      positiveDays(resultsDays),
      f("resultsExpirationDays"),
      `${resultsDays} is not a positive number of days`,
      "use 1 or more",
    )
    .check(
      /^[a-z0-9_]{1,255}$/.test(databaseName),
      f("databaseName"),
      `"${databaseName}" is not a Glue database name`,
      "use lowercase letters, digits and underscores",
    )
    .check(
      /^[a-z0-9_]{1,255}$/.test(tableName),
      f("tableName"),
      `"${tableName}" is not a Glue table name`,
      "use lowercase letters, digits and underscores",
    )
    .check(
      /^[A-Za-z0-9._-]{1,128}$/.test(workgroupName),
      f("workgroupName"),
      `"${workgroupName}" is not an Athena workgroup name`,
      "use up to 128 letters, digits, '.', '-' and '_'",
    )
    .check(
      cutoff >= 10 * 1024 ** 2,
      f("bytesScannedCutoffPerQuery"),
      `${cutoff} is below Athena's minimum of 10 MB`,
      "use 10485760 or more",
    )
    .checkLogRetention(retention, f("logRetentionDays"));
}

/**
 * The raw archive of a stream: Firehose reads the stream and converts its JSON records to Parquet
 * (the Glue table's schema; the source JSON too only with `keepRawJson`) in an S3 bucket, one
 * prefix per UTC day (failures under an error prefix), with delivery logging; a Glue table over
 * it whose `dt` partitions are projected (no crawler); and an Athena
 * workgroup that enforces encrypted results in its own bucket, a scan limit and engine v3, with
 * named queries to start from.
 */
export class StreamArchive extends pulumi.ComponentResource {
  readonly rawBucket: SecureBucket;
  readonly resultsBucket: SecureBucket;
  readonly role: aws.iam.Role;
  /** Firehose's transformation Lambda: the archived columns (EVENT_COLUMNS). */
  readonly transformFunction: BundledFunction;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;
  readonly database: aws.glue.CatalogDatabase;
  readonly table: aws.glue.CatalogTable;
  readonly workgroup: aws.athena.Workgroup;
  readonly namedQueries: aws.athena.NamedQuery[];
  readonly databaseName: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly workgroupName: pulumi.Output<string>;
  private readonly logicalName: string;
  private readonly freshnessAlarmSeconds?: number;

  constructor(name: string, args: StreamArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:StreamArchive", name, {}, opts);
    const bufferMb = args.bufferingSizeMb ?? FIREHOSE_BUFFER_SIZE_MB;
    const bufferSeconds = args.bufferingIntervalSeconds ?? FIREHOSE_BUFFER_INTERVAL_SECONDS;
    const retention = args.logRetentionDays ?? LOG_RETENTION_DAYS;
    const resultsDays = args.resultsExpirationDays ?? ATHENA_RESULTS_EXPIRATION_DAYS;
    const cutoff = args.bytesScannedCutoffPerQuery ?? ATHENA_BYTES_SCANNED_CUTOFF;
    const { databaseName, tableName, workgroupName } = archiveNames(name, args);
    checkArchiveArgs(new ArgumentErrors("StreamArchive", name), "", name, args).throwIfAny();
    this.logicalName = name;

    const parent = { parent: this };
    const region = aws.getRegionOutput({}, parent).region;
    const account = aws.getCallerIdentityOutput({}, parent).accountId;

    this.rawBucket = new SecureBucket(
      `${name}-raw`,
      {
        kmsKeyArn: args.kmsKeyArn,
        forceDestroy: args.forceDestroy,
        retainOnDelete: args.retainOnDelete,
        lifecycleRules: args.rawExpirationDays
          ? [
              {
                id: "expire-raw-events",
                status: "Enabled",
                filter: { prefix: "raw/" },
                expiration: { days: args.rawExpirationDays },
              },
            ]
          : [],
        transform: args.transform?.rawBucket,
      },
      parent,
    );
    this.resultsBucket = new SecureBucket(
      `${name}-results`,
      {
        kmsKeyArn: args.kmsKeyArn,
        forceDestroy: args.forceDestroy,
        lifecycleRules: [
          {
            id: "expire-query-results",
            status: "Enabled",
            filter: {},
            expiration: { days: resultsDays },
          },
        ],
        transform: args.transform?.resultsBucket,
      },
      parent,
    );

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-delivery`,
      {
        name: `/aws/kinesisfirehose/${pulumi.getProject()}-${pulumi.getStack()}/${name}`,
        retentionInDays: retention,
        kmsKeyId: args.logKmsKeyArn,
      },
      parent,
    );
    const logStream = new aws.cloudwatch.LogStream(
      `${name}-delivery`,
      { logGroupName: this.logGroup.name, name: "DestinationDelivery" },
      parent,
    );

    // Firehose hands each buffer to this function, which adds the effective event id and a
    // normalised time (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html).
    this.transformFunction = new BundledFunction(
      `${name}-transform`,
      {
        code: "archive-transform",
        timeout: 60,
        logRetentionDays: retention,
        logKmsKeyArn: args.logKmsKeyArn,
        alarmTopicArn: args.alarmTopicArn,
        transform: args.transform?.transformFunction,
      },
      parent,
    );
    const bucketArn = this.rawBucket.arn;
    const statements: Statement[] = [
      // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
      allow(
        ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
        [this.transformFunction.function.arn],
      ),
      allow(
        [
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:GetShardIterator",
          "kinesis:GetRecords",
          "kinesis:ListShards",
        ],
        [args.streamArn],
      ),
      // Firehose's S3 destination actions
      // (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3),
      // each on the resource type the reference gives it: bucket actions on the bucket, object
      // actions on its objects.
      allow(
        ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
        [bucketArn],
      ),
      allow(
        ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
        [pulumi.interpolate`${bucketArn}/*`],
      ),
      allow(["logs:PutLogEvents"], [pulumi.interpolate`${this.logGroup.arn}:*`]),
      schemaReadStatement({ region, account, databaseName, tableName }),
    ];
    if (args.streamKmsKeyArn) {
      statements.push(
        allow(["kms:Decrypt"], [args.streamKmsKeyArn], {
          StringEquals: { "kms:ViaService": pulumi.interpolate`kinesis.${region}.amazonaws.com` },
        }),
      );
    }
    if (args.kmsKeyArn) {
      statements.push(
        allow(["kms:GenerateDataKey", "kms:Decrypt"], [args.kmsKeyArn], {
          StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` },
        }),
      );
    }
    this.role = new aws.iam.Role(
      `${name}-firehose`,
      applyTransform<aws.iam.RoleArgs>(
        {
          assumeRolePolicy: assumeRolePolicy("firehose.amazonaws.com", account),
          description: `Firehose ${name} reads the stream and writes the raw bucket`,
        },
        args.transform?.role,
        `${name}-firehose`,
      ),
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-firehose`,
      {
        role: this.role.id,
        policy: policyDocument(statements, `StreamArchive "${name}" role policy`),
      },
      parent,
    );

    this.database = new aws.glue.CatalogDatabase(
      name,
      applyTransform<aws.glue.CatalogDatabaseArgs>(
        { name: databaseName, description: `Raw events archived by ${name}` },
        args.transform?.database,
        name,
      ),
      parent,
    );
    this.table = new aws.glue.CatalogTable(
      `${name}-raw-events`,
      applyTransform<aws.glue.CatalogTableArgs>(
        {
          databaseName: this.database.name,
          name: tableName,
          description: "Raw events as received (duplicates included), one folder per UTC day",
          tableType: "EXTERNAL_TABLE",
          parameters: this.rawBucket.name.apply((b) =>
            projectionParameters(b, args.rawExpirationDays),
          ),
          partitionKeys: [
            {
              name: "dt",
              type: "string",
              comment: "UTC day Firehose received the record (yyyy-MM-dd)",
            },
          ],
          storageDescriptor: {
            location: pulumi.interpolate`s3://${this.rawBucket.name}/raw/`,
            ...PARQUET_STORAGE,
            columns: (args.columns ?? EVENT_COLUMNS).map((c) => ({ ...c })),
          },
        },
        args.transform?.table,
        `${name}-raw-events`,
      ),
      parent,
    );

    this.deliveryStream = new aws.kinesis.FirehoseDeliveryStream(
      name,
      applyTransform<aws.kinesis.FirehoseDeliveryStreamArgs>(
        {
          destination: "extended_s3",
          // The stream is the source and is encrypted itself; Firehose-side SSE does not apply.
          kinesisSourceConfiguration: { kinesisStreamArn: args.streamArn, roleArn: this.role.arn },
          extendedS3Configuration: {
            roleArn: this.role.arn,
            bucketArn,
            prefix: RAW_PREFIX,
            errorOutputPrefix: ERROR_PREFIX,
            bufferingSize: bufferMb,
            bufferingInterval: bufferSeconds,
            kmsKeyArn: args.kmsKeyArn,
            // The transformation returns one JSON document per record, which the conversion
            // then reads. 1 MB buffers keep each invocation's response under Lambda's 6 MB.
            processingConfiguration: {
              enabled: true,
              processors: [
                {
                  type: "Lambda",
                  parameters: [
                    {
                      parameterName: "LambdaArn",
                      parameterValue: this.transformFunction.function.arn,
                    },
                    { parameterName: "BufferSizeInMBs", parameterValue: "1" },
                    { parameterName: "BufferIntervalInSeconds", parameterValue: "60" },
                  ],
                },
              ],
            },
            ...parquetDelivery({
              ...{ region, account, databaseName, tableName, roleArn: this.role.arn },
              ...{ bucketArn, kmsKeyArn: args.kmsKeyArn, keepRawJson: args.keepRawJson ?? false },
              ...{ bufferingSizeMb: bufferMb, bufferingIntervalSeconds: bufferSeconds },
            }),
            cloudwatchLoggingOptions: {
              enabled: true,
              logGroupName: this.logGroup.name,
              logStreamName: logStream.name,
            },
          },
        },
        args.transform?.deliveryStream,
        name,
      ),
      // Firehose checks its role, and reads the table's schema, when the stream is created.
      { parent: this, dependsOn: [rolePolicy, this.table] },
    );

    this.workgroup = new aws.athena.Workgroup(
      name,
      applyTransform<aws.athena.WorkgroupArgs>(
        {
          name: workgroupName,
          description: `Queries over the raw events of ${name}`,
          state: "ENABLED",
          forceDestroy: args.forceDestroy ?? false,
          configuration: {
            // Clients cannot override the result location, encryption or scan limit.
            enforceWorkgroupConfiguration: true,
            publishCloudwatchMetricsEnabled: true,
            bytesScannedCutoffPerQuery: cutoff,
            engineVersion: { selectedEngineVersion: "Athena engine version 3" },
            resultConfiguration: {
              outputLocation: pulumi.interpolate`s3://${this.resultsBucket.name}/athena/`,
              expectedBucketOwner: account,
              aclConfiguration: { s3AclOption: "BUCKET_OWNER_FULL_CONTROL" },
              encryptionConfiguration: args.kmsKeyArn
                ? { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn }
                : { encryptionOption: "SSE_S3" },
            },
          },
        },
        args.transform?.workgroup,
        name,
      ),
      parent,
    );

    this.namedQueries = namedQueries(databaseName, tableName).map(
      (q) =>
        new aws.athena.NamedQuery(
          `${name}-${q.name}`,
          {
            name: q.name,
            description: q.description,
            database: this.database.name,
            workgroup: this.workgroup.name,
            query: q.query,
          },
          { parent: this, dependsOn: [this.table] },
        ),
    );

    if (args.alarmTopicArn) {
      this.freshnessAlarmSeconds = Math.max(FIREHOSE_FRESHNESS_ALARM_SECONDS, 2 * bufferSeconds);
      const dimensions = { DeliveryStreamName: this.deliveryStream.name };
      metricAlarm(
        `${name}-delivery-failures`,
        {
          description: `Firehose ${name} failed to deliver to S3 (see its log group and the errors/ prefix)`,
          namespace: "AWS/Firehose",
          metricName: "DeliveryToS3.Success",
          dimensions,
          // 1 while every delivery succeeds; any failed put pulls the minimum below 1.
          statistic: "Minimum",
          threshold: 1,
          comparisonOperator: "LessThanThreshold",
        },
        args.alarmTopicArn,
        this,
      );
      metricAlarm(
        `${name}-freshness`,
        {
          description: `Firehose ${name} holds records older than expected (delivery stuck or throttled)`,
          namespace: "AWS/Firehose",
          metricName: "DeliveryToS3.DataFreshness",
          dimensions,
          statistic: "Maximum",
          threshold: this.freshnessAlarmSeconds,
          comparisonOperator: "GreaterThanThreshold",
        },
        args.alarmTopicArn,
        this,
      );
    }

    this.databaseName = this.database.name;
    this.tableName = this.table.name;
    this.workgroupName = this.workgroup.name;
    this.registerOutputs({
      rawBucket: this.rawBucket.name,
      resultsBucket: this.resultsBucket.name,
      deliveryStreamName: this.deliveryStream.name,
      databaseName: this.databaseName,
      tableName: this.tableName,
      workgroupName: this.workgroupName,
    });
  }

  /**
   * Dashboard rows: Firehose (records read from the stream, delivered to S3, success rate, data
   * freshness), its transformation function, the raw bucket's storage, and the Athena workgroup's
   * queries.
   */
  widgets(): DashboardRow[] {
    const m = (metricName: string, label: string, stat?: string, rightAxis?: boolean) =>
      metric(
        "AWS/Firehose",
        metricName,
        { DeliveryStreamName: this.deliveryStream.name },
        { label, stat, rightAxis },
      );
    const athena = (queryState: string, label: string) =>
      metric(
        "AWS/Athena",
        "ProcessedBytes",
        { QueryState: queryState, QueryType: "DML", WorkGroup: this.workgroup.name },
        { label },
      );
    return [
      {
        title: `Firehose ${this.logicalName}`,
        widgets: [
          {
            title: "Records read and delivered",
            lines: [
              m("DataReadFromKinesisStream.Records", "read from the stream"),
              m("DeliveryToS3.Records", "delivered to S3"),
            ],
          },
          {
            title: "Delivery to S3 success (0-1)",
            stat: "Minimum",
            lines: [m("DeliveryToS3.Success", "success")],
            thresholds: [{ label: "alarm below", value: 1 }],
          },
          {
            title: "Data freshness and lag (s / ms)",
            stat: "Maximum",
            lines: [
              m("DeliveryToS3.DataFreshness", "oldest record not in S3 (s)"),
              m("KinesisMillisBehindLatest", "behind the stream (ms)", undefined, true),
            ],
            thresholds:
              this.freshnessAlarmSeconds !== undefined
                ? [{ label: "freshness alarm", value: this.freshnessAlarmSeconds }]
                : undefined,
          },
        ],
      },
      ...this.transformFunction.widgets(`Archive transformation ${this.logicalName}`),
      ...this.rawBucket.widgets(`Raw events bucket ${this.logicalName}`),
      {
        title: `Athena workgroup ${this.logicalName}`,
        widgets: [
          {
            title: "Bytes scanned by queries",
            lines: [athena("SUCCEEDED", "succeeded"), athena("FAILED", "failed")],
          },
        ],
      },
    ];
  }
}
