import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KMS_DELETION_WINDOW_DAYS } from "../core/defaults";
import { Conditions, Statement, policyDocument } from "./iam";
import { Transform, applyTransform } from "../core/transform";

/** A service that must use the key (publish to an encrypted topic/queue, write encrypted logs). */
export interface KeyUser {
  /** Service principal, e.g. `sns.amazonaws.com`, `s3.amazonaws.com`, `cloudwatch.amazonaws.com`. */
  service: string;
  /**
   * Conditions narrowing the grant, only for a service AWS documents as sending those keys with
   * its KMS requests. Default: none, AWS's documented statement for services that encrypt SNS
   * topics and SQS queues they publish to (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services,
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html):
   * a condition the request cannot meet makes the service drop every message. The topic or queue
   * policy, whose requests do carry `aws:SourceArn`, limits the sender.
   */
  condition?: Conditions | "none";
}

export interface ServiceKeyArgs {
  /** Human description stored on the key. */
  description: string;
  /** Services granted `kms:GenerateDataKey*` and `kms:Decrypt`. Default: none. */
  users?: KeyUser[];
  /** Let CloudWatch Logs in this region encrypt log groups of this account with the key. Default: false. */
  allowLogs?: boolean;
  /** Days in the pending-deletion window. Default: 7 (`KMS_DELETION_WINDOW_DAYS`). */
  deletionWindowInDays?: number;
  /**
   * Keep the key when it is removed from the program or the stack destroyed (Pulumi
   * `retainOnDelete`): give it to the key of retained data, which a deleted key makes unreadable.
   * Default: false.
   */
  retainOnDelete?: boolean;
  /** Override hooks. Default: none. */
  transform?: { key?: Transform<aws.kms.KeyArgs> };
}

/**
 * A customer-managed KMS key with rotation whose key policy lets the account administer it and
 * lets the named service principals use it. AWS-managed keys cannot be shared with service
 * principals, which is why topics and queues that S3 or SNS publish to need one of these.
 */
export class ServiceKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: ServiceKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:security:ServiceKey", name, {}, opts);
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const account = identity.accountId;

    const statements: pulumi.Input<Statement>[] = [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` },
        Action: "kms:*",
        // Key policies may only name the key itself, written "*".
        Resource: "*",
      },
      ...(args.users ?? []).map((u): Statement => ({
        Sid: `Use${u.service.split(".")[0].replace(/[^A-Za-z0-9]/g, "")}`,
        Effect: "Allow",
        Principal: { Service: u.service },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        ...(u.condition === undefined || u.condition === "none" ? {} : { Condition: u.condition }),
      })),
    ];
    if (args.allowLogs) {
      statements.push({
        Sid: "CloudWatchLogsEncrypt",
        Effect: "Allow",
        Principal: { Service: pulumi.interpolate`logs.${region.region}.amazonaws.com` },
        Action: [
          "kms:Encrypt*",
          "kms:Decrypt*",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:Describe*",
        ],
        Resource: "*",
        Condition: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${region.region}:${account}:log-group:*`,
          },
        },
      });
    }

    this.key = new aws.kms.Key(
      name,
      applyTransform<aws.kms.KeyArgs>(
        {
          description: args.description,
          enableKeyRotation: true,
          deletionWindowInDays: args.deletionWindowInDays ?? KMS_DELETION_WINDOW_DAYS,
          policy: policyDocument(statements),
        },
        args.transform?.key,
        name,
      ),
      { parent: this, retainOnDelete: args.retainOnDelete },
    );
    this.arn = this.key.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
