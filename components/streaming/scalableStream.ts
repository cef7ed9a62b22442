import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { STREAM_SHARD_LIMIT } from "../../functions/shard-autoscaler/rules";
import {
  KINESIS_RETENTION_HOURS,
  KINESIS_RETENTION_HOURS_RANGE,
  KINESIS_SHARD_COUNT,
  KINESIS_SHARD_LEVEL_METRICS,
} from "../core/defaults";
import { Transform, transform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import { ServiceKey, ServiceKeyArgs } from "../security/kmsKey";

const [MIN_RETENTION, MAX_RETENTION] = KINESIS_RETENTION_HOURS_RANGE;

export interface ScalableStreamArgs {
  /**
   * Shards at creation; the autoscaler owns the count afterwards.
   * @default 1
   */
  shardCount?: number;
  /**
   * Hours records stay readable (`KINESIS_RETENTION_HOURS_RANGE`).
   * @default 24
   */
  retentionHours?: number;
  /**
   * Keep the stream and its key in AWS on removal, replacement or destroy.
   * @default false
   */
  retainOnDelete?: boolean;
  /**
   * Override hooks.
   * @default none
   */
  transform?: { key?: ServiceKeyArgs["transform"]; stream?: Transform<aws.kinesis.StreamArgs> };
}

/**
 * A provisioned Kinesis stream made to be autoscaled: KMS-encrypted with its own rotating key,
 * shard-level metrics on, and `shardCount` left to the scaler after creation.
 */
export class ScalableStream extends pulumi.ComponentResource {
  readonly key: ServiceKey;
  readonly stream: aws.kinesis.Stream;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly shardCount: number;

  constructor(name: string, args: ScalableStreamArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:ScalableStream", name, {}, opts);
    const shards = args.shardCount ?? KINESIS_SHARD_COUNT;
    const retention = args.retentionHours ?? KINESIS_RETENTION_HOURS;
    new ArgumentErrors("ScalableStream", name)
      .check(
        Number.isInteger(shards) && shards >= 1 && shards <= STREAM_SHARD_LIMIT,
        "shardCount",
        `${shards} is not a shard count`,
        `use an integer 1-${STREAM_SHARD_LIMIT}`,
      )
      .check(
        Number.isInteger(retention) && retention >= MIN_RETENTION && retention <= MAX_RETENTION,
        "retentionHours",
        `${retention} is outside ${MIN_RETENTION}-${MAX_RETENTION}`,
        `use ${MIN_RETENTION} to ${MAX_RETENTION} hours`,
      )
      .throwIfAny();
    this.shardCount = shards;
    this.key = new ServiceKey(
      name,
      {
        description: `Encrypts Kinesis stream ${name}`,
        retainOnDelete: args.retainOnDelete,
        transform: args.transform?.key,
      },
      { parent: this },
    );
    this.stream = new aws.kinesis.Stream(
      ...transform(
        args.transform?.stream,
        name,
        {
          streamModeDetails: { streamMode: "PROVISIONED" },
          shardCount: shards,
          retentionPeriod: retention,
          encryptionType: "KMS",
          kmsKeyId: this.key.arn,
          shardLevelMetrics: [...KINESIS_SHARD_LEVEL_METRICS],
        },
        { parent: this, ignoreChanges: ["shardCount"], retainOnDelete: args.retainOnDelete },
      ),
    );
    this.name = this.stream.name;
    this.arn = this.stream.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
