import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FIREHOSE_FRESHNESS_ALARM_SECONDS } from "../core/defaults";
import { PlannedComponent } from "../core/component";
import type { DashboardRow } from "../observability/flowDashboard";
import { createArchiveAlarms, streamArchiveWidgets } from "./streamArchiveMonitoring";
import { assumeRolePolicy, policyDocument } from "../security/iam";
import { SecureBucket } from "../storage/secureBucket";
import { BundledFunction } from "../compute/lambdaFunction";
import { transform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import { PARQUET_STORAGE, parquetDelivery } from "./parquetArchive";
import { ArchivePlan, StreamArchiveArgs, checkArchiveArgs, planArchive } from "./streamArchiveArgs";
import {
  ERROR_PREFIX,
  EVENT_COLUMNS,
  RAW_PREFIX,
  firehoseStatements,
  namedQueries,
  projectionParameters,
} from "./streamArchivePlan";

// The args and the pure planning live in their own modules; one import for users.
export { checkArchiveArgs, planArchive } from "./streamArchiveArgs";
export type { ArchivePlan, StreamArchiveArgs } from "./streamArchiveArgs";
export * from "./streamArchivePlan";

/**
 * The raw archive of a stream: Firehose reads the stream and writes newline-delimited, GZIP-compressed
 * JSON to an S3 bucket in one prefix per UTC day (failures under an error prefix), with delivery
 * logging; a Glue table over it whose `dt` partitions are projected (no crawler); and an Athena
 * workgroup that enforces encrypted results in its own bucket, a scan limit and engine v3, with
 * named queries to start from.
 */
/** Checks every arg (throwing one error listing each problem), then resolves the defaults. */
function checkedArchivePlan(name: string, args: StreamArchiveArgs): ArchivePlan {
  checkArchiveArgs(new ArgumentErrors("StreamArchive", name), "", name, args).throwIfAny();
  return planArchive(name, args);
}

export class StreamArchive extends PlannedComponent<StreamArchiveArgs, ArchivePlan> {
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
  private readonly account: pulumi.Output<string>;
  private readonly region: pulumi.Output<string>;

  constructor(name: string, args: StreamArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:StreamArchive", name, args, checkedArchivePlan, opts);
    this.logicalName = name;
    this.account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    this.region = aws.getRegionOutput({}, { parent: this }).region;

    this.rawBucket = this.createRawBucket();
    this.resultsBucket = this.createResultsBucket();
    const delivery = this.createDeliveryLog();
    this.logGroup = delivery.group;
    this.transformFunction = this.createTransformFunction();
    this.role = new aws.iam.Role(
      ...transform(
        this.t.role,
        `${name}-firehose`,
        {
          assumeRolePolicy: assumeRolePolicy("firehose.amazonaws.com", this.account),
          description: `Firehose ${name} reads the stream and writes the raw bucket`,
        },
        { parent: this },
      ),
    );
    const rolePolicy = this.createRolePolicy();
    this.database = new aws.glue.CatalogDatabase(
      ...transform(
        this.t.database,
        name,
        { name: this.plan.databaseName, description: `Raw events archived by ${name}` },
        { parent: this },
      ),
    );
    this.table = this.createTable();
    this.deliveryStream = this.createDeliveryStream(delivery.stream, rolePolicy);
    this.workgroup = this.createWorkgroup();
    this.namedQueries = this.createNamedQueries();
    if (args.alarmTopicArn) {
      this.freshnessAlarmSeconds = Math.max(
        FIREHOSE_FRESHNESS_ALARM_SECONDS,
        2 * this.plan.bufferSeconds,
      );
      createArchiveAlarms(name, {
        deliveryStream: this.deliveryStream,
        topicArn: args.alarmTopicArn,
        freshnessSeconds: this.freshnessAlarmSeconds,
        parent: this,
        hook: this.t.alarm,
      });
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

  private createRawBucket(): SecureBucket {
    const days = this.args.rawExpirationDays;
    return new SecureBucket(
      `${this.logicalName}-raw`,
      {
        kmsKeyArn: this.args.kmsKeyArn,
        forceDestroy: this.args.forceDestroy,
        retainOnDelete: this.args.retainOnDelete,
        lifecycleRules: days
          ? [
              {
                id: "expire-raw-events",
                status: "Enabled",
                filter: { prefix: "raw/" },
                expiration: { days },
              },
            ]
          : [],
        transform: this.t.rawBucket,
      },
      { parent: this },
    );
  }

  private createResultsBucket(): SecureBucket {
    return new SecureBucket(
      `${this.logicalName}-results`,
      {
        kmsKeyArn: this.args.kmsKeyArn,
        forceDestroy: this.args.forceDestroy,
        lifecycleRules: [
          {
            id: "expire-query-results",
            status: "Enabled",
            filter: {},
            expiration: { days: this.plan.resultsDays },
          },
        ],
        transform: this.t.resultsBucket,
      },
      { parent: this },
    );
  }

  /** Firehose's delivery-error log: a retained group and the stream it writes to. */
  private createDeliveryLog() {
    const name = this.logicalName;
    const group = new aws.cloudwatch.LogGroup(
      ...transform(
        this.t.logGroup,
        `${name}-delivery`,
        {
          name: `/aws/kinesisfirehose/${pulumi.getProject()}-${pulumi.getStack()}/${name}`,
          retentionInDays: this.plan.retention,
          kmsKeyId: this.args.logKmsKeyArn,
        },
        { parent: this },
      ),
    );
    const stream = new aws.cloudwatch.LogStream(
      ...transform(
        this.t.logStream,
        `${name}-delivery`,
        { logGroupName: group.name, name: "DestinationDelivery" },
        { parent: this },
      ),
    );
    return { group, stream };
  }

  /**
   * Firehose hands each buffer to this function, which adds the effective event id and a
   * normalised time (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html).
   */
  private createTransformFunction(): BundledFunction {
    return new BundledFunction(
      `${this.logicalName}-transform`,
      {
        code: "archive-transform",
        timeout: 60,
        logRetentionDays: this.plan.retention,
        logKmsKeyArn: this.args.logKmsKeyArn,
        alarmTopicArn: this.args.alarmTopicArn,
        transform: this.t.transformFunction,
      },
      { parent: this },
    );
  }

  private createRolePolicy(): aws.iam.RolePolicy {
    const statements = firehoseStatements({
      transformFunctionArn: this.transformFunction.function.arn,
      streamArn: this.args.streamArn,
      bucketArn: this.rawBucket.arn,
      logGroupArn: this.logGroup.arn,
      region: this.region,
      account: this.account,
      databaseName: this.plan.databaseName,
      tableName: this.plan.tableName,
      streamKmsKeyArn: this.args.streamKmsKeyArn,
      kmsKeyArn: this.args.kmsKeyArn,
    });
    return new aws.iam.RolePolicy(
      ...transform(
        this.t.rolePolicy,
        `${this.logicalName}-firehose`,
        {
          role: this.role.id,
          policy: policyDocument(statements, `StreamArchive "${this.logicalName}" role policy`),
        },
        { parent: this },
      ),
    );
  }

  private createDeliveryStream(
    logStream: aws.cloudwatch.LogStream,
    rolePolicy: aws.iam.RolePolicy,
  ): aws.kinesis.FirehoseDeliveryStream {
    return new aws.kinesis.FirehoseDeliveryStream(
      ...transform(
        this.t.deliveryStream,
        this.logicalName,
        {
          destination: "extended_s3",
          // The stream is the source and is encrypted itself; Firehose-side SSE does not apply.
          kinesisSourceConfiguration: {
            kinesisStreamArn: this.args.streamArn,
            roleArn: this.role.arn,
          },
          extendedS3Configuration: {
            roleArn: this.role.arn,
            bucketArn: this.rawBucket.arn,
            prefix: RAW_PREFIX,
            errorOutputPrefix: ERROR_PREFIX,
            bufferingSize: this.plan.bufferMb,
            bufferingInterval: this.plan.bufferSeconds,
            kmsKeyArn: this.args.kmsKeyArn,
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
              ...{ region: this.region, account: this.account, roleArn: this.role.arn },
              ...{ databaseName: this.plan.databaseName, tableName: this.plan.tableName },
              ...{ bucketArn: this.rawBucket.arn, kmsKeyArn: this.args.kmsKeyArn },
              keepRawJson: this.args.keepRawJson ?? false,
              ...{
                bufferingSizeMb: this.plan.bufferMb,
                bufferingIntervalSeconds: this.plan.bufferSeconds,
              },
            }),
            cloudwatchLoggingOptions: {
              enabled: true,
              logGroupName: this.logGroup.name,
              logStreamName: logStream.name,
            },
          },
        },
        // Firehose checks its role, and reads the table's schema, when the stream is created.
        { parent: this, dependsOn: [rolePolicy, this.table] },
      ),
    );
  }

  /** The raw events as an external table whose `dt` partitions are projected (no crawler). */
  private createTable(): aws.glue.CatalogTable {
    const raw = this.rawBucket.name;
    return new aws.glue.CatalogTable(
      ...transform(
        this.t.table,
        `${this.logicalName}-raw-events`,
        {
          databaseName: this.database.name,
          name: this.plan.tableName,
          description: "Raw events as received (duplicates included), one folder per UTC day",
          tableType: "EXTERNAL_TABLE",
          parameters: raw.apply((b) => projectionParameters(b, this.args.rawExpirationDays)),
          partitionKeys: [
            {
              name: "dt",
              type: "string",
              comment: "UTC day Firehose received the record (yyyy-MM-dd)",
            },
          ],
          storageDescriptor: {
            location: pulumi.interpolate`s3://${raw}/raw/`,
            ...PARQUET_STORAGE,
            columns: (this.args.columns ?? EVENT_COLUMNS).map((c) => ({ ...c })),
          },
        },
        { parent: this },
      ),
    );
  }

  /** Encrypted results in their own bucket, a scan limit and engine v3, all enforced. */
  private createWorkgroup(): aws.athena.Workgroup {
    const kmsKeyArn = this.args.kmsKeyArn;
    return new aws.athena.Workgroup(
      ...transform(
        this.t.workgroup,
        this.logicalName,
        {
          name: this.plan.workgroupName,
          description: `Queries over the raw events of ${this.logicalName}`,
          state: "ENABLED",
          forceDestroy: this.args.forceDestroy ?? false,
          configuration: {
            // Clients cannot override the result location, encryption or scan limit.
            enforceWorkgroupConfiguration: true,
            publishCloudwatchMetricsEnabled: true,
            bytesScannedCutoffPerQuery: this.plan.cutoff,
            engineVersion: { selectedEngineVersion: "Athena engine version 3" },
            resultConfiguration: {
              outputLocation: pulumi.interpolate`s3://${this.resultsBucket.name}/athena/`,
              expectedBucketOwner: this.account,
              aclConfiguration: { s3AclOption: "BUCKET_OWNER_FULL_CONTROL" },
              encryptionConfiguration: kmsKeyArn
                ? { encryptionOption: "SSE_KMS", kmsKeyArn }
                : { encryptionOption: "SSE_S3" },
            },
          },
        },
        { parent: this },
      ),
    );
  }

  private createNamedQueries(): aws.athena.NamedQuery[] {
    return namedQueries(this.plan.databaseName, this.plan.tableName).map(
      (q) =>
        new aws.athena.NamedQuery(
          ...transform(
            this.t.namedQuery,
            `${this.logicalName}-${q.name}`,
            {
              name: q.name,
              description: q.description,
              database: this.database.name,
              workgroup: this.workgroup.name,
              query: q.query,
            },
            { parent: this, dependsOn: [this.table] },
          ),
        ),
    );
  }

  /**
   * Dashboard rows: Firehose, its transformation function, the raw bucket's storage, and the
   * Athena workgroup's queries.
   */
  widgets(): DashboardRow[] {
    return streamArchiveWidgets(this, this.logicalName, this.freshnessAlarmSeconds);
  }
}
