import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { streamAggregatorEnvironment } from "../../functions/stream-aggregator/env";
import {
  AGGREGATES_TTL_DAYS,
  LAMBDA_TIMEOUT_SECONDS,
  LOG_RETENTION_DAYS,
  TUMBLING_WINDOW_SECONDS,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { Statement, allow, assumeRolePolicy, policyDocument } from "../security/iam";
import { SecureTable, tableGrants } from "../data/secureTable";
import { StreamConsumer, streamReadStatements } from "./streamConsumer";
import { transform } from "../core/transform";
import { operationsOf } from "../core/operations";
import { ArgumentErrors } from "../core/validate";
import {
  DEFAULT_FLINK_RUNTIME,
  FLINK_PROPERTY_GROUP,
  StreamAnalyticsArgs,
  checkAnalyticsArgs,
} from "./streamAnalyticsArgs";

// The args and their checks live in streamAnalyticsArgs.ts; one import for users.
export {
  DEFAULT_FLINK_RUNTIME,
  FLINK_PROPERTY_GROUP,
  FLINK_RUNTIMES,
  checkAnalyticsArgs,
} from "./streamAnalyticsArgs";
export type {
  FlinkApplicationArgs,
  FlinkRuntime,
  StreamAnalyticsArgs,
} from "./streamAnalyticsArgs";

/**
 * The analytics stage between the stream and its consumers: per-window aggregates (count, sum, min,
 * max per event type and key) in a DynamoDB table. By default a Lambda function with a Kinesis
 * tumbling window computes them (no servers, pay per invocation); given a Flink artifact, an Amazon
 * Managed Service for Apache Flink application does instead. Kinesis Data Analytics for SQL is
 * discontinued and not offered.
 */
export class StreamAnalytics extends pulumi.ComponentResource {
  readonly aggregatesTable: SecureTable;
  /** The Lambda aggregator; undefined when Flink runs the stage. */
  readonly aggregator?: StreamConsumer;
  /** The Flink application; undefined by default. */
  readonly application?: aws.kinesisanalyticsv2.Application;
  readonly applicationRole?: aws.iam.Role;
  private readonly logicalName: string;

  constructor(name: string, args: StreamAnalyticsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:StreamAnalytics", name, {}, opts);
    const windowSeconds = args.windowSeconds ?? TUMBLING_WINDOW_SECONDS;
    const ttlDays = args.aggregatesTtlDays ?? AGGREGATES_TTL_DAYS;
    const flink = args.flink;
    checkAnalyticsArgs(new ArgumentErrors("StreamAnalytics", name), "", args).throwIfAny();
    this.logicalName = name;

    const parent = { parent: this };
    this.aggregatesTable = new SecureTable(
      `${name}-aggregates`,
      {
        hashKey: { name: "metric", type: "S" },
        rangeKey: { name: "windowShard", type: "S" },
        ttlAttribute: "expiresAt",
        kmsKeyArn: args.kmsKeyArn,
        deletionProtection: args.deletionProtection,
        retainOnDelete: args.retainOnDelete,
        transform: args.transform?.table,
      },
      parent,
    );
    const tableRef = { arn: this.aggregatesTable.arn, kmsKeyArn: args.kmsKeyArn };

    if (!flink) {
      this.aggregator = new StreamConsumer(
        `${name}-aggregator`,
        {
          code: "stream-aggregator",
          description: `Per-${windowSeconds}s aggregates of the stream (tumbling window)`,
          source: { kind: "kinesis", streamArn: args.stream.arn, kmsKeyArn: args.stream.kmsKeyArn },
          onFailureQueueArn: args.onFailureQueueArn,
          tumblingWindowInSeconds: windowSeconds,
          ...args.batch,
          // functions/stream-aggregator writes each window's aggregates with BatchWriteItem, and
          // the items of a refused chunk one by one with PutItem (functions/lib/dynamoBatch.ts).
          statements: tableGrants(tableRef, ["BatchWriteItem", "PutItem"]),
          environment: streamAggregatorEnvironment<pulumi.Output<string>>({
            aggregatesTable: this.aggregatesTable.name,
            aggregatesTtlSeconds: ttlDays * 86_400,
          }),
          timeout: LAMBDA_TIMEOUT_SECONDS * 3,
          ...operationsOf(args),
          transform: args.transform?.aggregator,
        },
        parent,
      );
    } else {
      const account = aws.getCallerIdentityOutput({}, parent).accountId;
      const region = aws.getRegionOutput({}, parent).region;
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-flink`,
        {
          name: `/aws/kinesis-analytics/${pulumi.getProject()}-${pulumi.getStack()}/${name}`,
          retentionInDays: args.logRetentionDays ?? LOG_RETENTION_DAYS,
          kmsKeyId: args.logKmsKeyArn,
        },
        parent,
      );
      const logStream = new aws.cloudwatch.LogStream(
        `${name}-flink`,
        { logGroupName: logGroup.name, name: "application" },
        parent,
      );
      const artifact = pulumi.interpolate`${flink.artifactBucketArn}/${flink.artifactKey}`;
      const statements: Statement[] = [
        allow(["s3:GetObject", "s3:GetObjectVersion"], [artifact]),
        ...streamReadStatements({
          kind: "kinesis",
          streamArn: args.stream.arn,
          kmsKeyArn: args.stream.kmsKeyArn,
        }),
        // The Flink application's DynamoDB sink writes with BatchWriteItem.
        ...tableGrants(tableRef, ["BatchWriteItem"]),
        allow(
          ["logs:DescribeLogGroups"],
          [pulumi.interpolate`arn:aws:logs:${region}:${account}:log-group:*`],
        ),
        allow(
          ["logs:DescribeLogStreams", "logs:PutLogEvents"],
          [pulumi.interpolate`${logGroup.arn}:*`],
        ),
        // Flink reports its own metrics; PutMetricData has no resource-level permissions.
        allow(["cloudwatch:PutMetricData"], ["*"]),
      ];
      this.applicationRole = new aws.iam.Role(
        ...transform(
          args.transform?.applicationRole,
          `${name}-flink`,
          {
            assumeRolePolicy: assumeRolePolicy("kinesisanalytics.amazonaws.com", account),
            description: `Flink application ${name}: reads the stream, writes aggregates`,
          },
          parent,
        ),
      );
      const rolePolicy = new aws.iam.RolePolicy(
        `${name}-flink`,
        {
          role: this.applicationRole.id,
          policy: policyDocument(statements, `StreamAnalytics "${name}" role policy`),
        },
        parent,
      );
      this.application = new aws.kinesisanalyticsv2.Application(
        ...transform(
          args.transform?.application,
          `${name}-flink`,
          {
            description: `Per-window aggregates of the stream (Apache Flink)`,
            runtimeEnvironment: flink.runtime ?? DEFAULT_FLINK_RUNTIME,
            serviceExecutionRole: this.applicationRole.arn,
            startApplication: flink.start ?? true,
            applicationConfiguration: {
              applicationCodeConfiguration: {
                codeContentType: "ZIPFILE",
                codeContent: {
                  s3ContentLocation: {
                    bucketArn: flink.artifactBucketArn,
                    fileKey: flink.artifactKey,
                    objectVersion: flink.artifactObjectVersion,
                  },
                },
              },
              applicationSnapshotConfiguration: { snapshotsEnabled: true },
              environmentProperties: {
                propertyGroups: [
                  {
                    propertyGroupId: FLINK_PROPERTY_GROUP,
                    propertyMap: {
                      "aws.region": region,
                      "input.stream.name": args.stream.name,
                      "input.stream.arn": args.stream.arn,
                      "input.stream.initial.position": "TRIM_HORIZON",
                      "aggregates.table.name": this.aggregatesTable.name,
                      "aggregates.ttl.seconds": String(ttlDays * 86_400),
                      "window.seconds": String(windowSeconds),
                      ...flink.properties,
                    },
                  },
                ],
              },
              flinkApplicationConfiguration: {
                checkpointConfiguration: {
                  configurationType: "CUSTOM",
                  checkpointingEnabled: true,
                  checkpointInterval: flink.checkpointIntervalMs ?? 60_000,
                  minPauseBetweenCheckpoints: 5_000,
                },
                monitoringConfiguration: {
                  configurationType: "CUSTOM",
                  logLevel: "WARN",
                  metricsLevel: "APPLICATION",
                },
                parallelismConfiguration: {
                  configurationType: "CUSTOM",
                  autoScalingEnabled: flink.autoScaling ?? true,
                  parallelism: flink.parallelism ?? 1,
                  parallelismPerKpu: flink.parallelismPerKpu ?? 1,
                },
              },
            },
            cloudwatchLoggingOptions: { logStreamArn: logStream.arn },
          },
          { parent: this, dependsOn: [rolePolicy] },
        ),
      );
    }

    this.registerOutputs({
      aggregatesTableName: this.aggregatesTable.name,
      aggregatorArn: this.aggregator?.function.arn,
      applicationArn: this.application?.arn,
    });
  }

  /**
   * Dashboard rows: the aggregator (or the Flink application: records in/out, lag behind the
   * stream, checkpoints, KPUs), then the aggregates table.
   */
  widgets(): DashboardRow[] {
    const stage: DashboardRow[] = this.aggregator
      ? this.aggregator.widgets(`Analytics ${this.logicalName}: aggregator`)
      : [];
    if (this.application) {
      const app = { Application: this.application.name };
      const m = (metricName: string, label: string, stat?: string) =>
        metric("AWS/KinesisAnalytics", metricName, app, { label, stat });
      stage.push({
        title: `Analytics ${this.logicalName}: Flink application`,
        widgets: [
          {
            title: "Records per second",
            stat: "Average",
            lines: [
              m("numRecordsInPerSecond", "in"),
              m("numRecordsOutPerSecond", "out"),
              m("numLateRecordsDropped", "late, dropped", "Sum"),
            ],
          },
          {
            title: "Behind the stream (ms)",
            stat: "Maximum",
            unit: "ms",
            lines: [m("millisBehindLatest", "behind latest")],
          },
          {
            title: "Health",
            stat: "Maximum",
            lines: [
              m("downtime", "downtime (ms)"),
              m("numberOfFailedCheckpoints", "failed checkpoints"),
              m("KPUs", "KPUs", "Average"),
            ],
          },
        ],
      });
    }
    return [...stage, ...this.aggregatesTable.widgets()];
  }
}
