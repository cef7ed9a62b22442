import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS,
  NONCURRENT_VERSION_EXPIRATION_DAYS,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { Statement, denyInsecureTransport, policyDocument } from "../security/iam";
import { transform, Transforms } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

type LifecycleRule = aws.types.input.s3.BucketLifecycleConfigurationRule;
type CorsRule = aws.types.input.s3.BucketCorsConfigurationCorsRule;

/** IDs of the lifecycle rules every bucket gets; extra rules must use other IDs. */
export const NONCURRENT_RULE_ID = "expire-noncurrent-versions";
export const ABORT_UPLOADS_RULE_ID = "abort-incomplete-multipart-uploads";

export interface SecureBucketArgs {
  /**
   * Customer-managed KMS key for SSE-KMS (with an S3 Bucket Key, which cuts KMS requests). Readers
   * and writers then also need `kms:Decrypt` / `kms:GenerateDataKey` on it.
   * @default SSE-S3 (AES256)
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Bucket-policy statements (e.g. a service allowed to write under a prefix). Pass a function to
   * build them from the bucket's ARN. Merged with the TLS-only deny into the bucket's one policy.
   * @default only the TLS-only deny
   */
  policyStatements?:
    pulumi.Input<Statement>[] | ((bucketArn: pulumi.Output<string>) => pulumi.Input<Statement>[]);
  /**
   * CORS rules, e.g. for browser uploads with presigned PUT URLs.
   * @default no CORS configuration
   */
  corsRules?: pulumi.Input<CorsRule>[];
  /**
   * Days before noncurrent object versions expire.
   * @default 30 (`NONCURRENT_VERSION_EXPIRATION_DAYS`)
   */
  noncurrentVersionExpirationDays?: number;
  /**
   * Lifecycle rules added to the two built-in ones (noncurrent expiry, abort uploads).
   * @default none
   */
  lifecycleRules?: LifecycleRule[];
  /**
   * Let `pulumi destroy` delete a bucket that still holds objects.
   * @default false (flows set true in dev)
   */
  forceDestroy?: boolean;
  /**
   * Keep the bucket and its configuration in AWS when removed from the program.
   * @default false
   */
  retainOnDelete?: boolean;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    bucket: aws.s3.BucketArgs;
    publicAccessBlock: aws.s3.BucketPublicAccessBlockArgs;
    ownershipControls: aws.s3.BucketOwnershipControlsArgs;
    encryption: aws.s3.BucketServerSideEncryptionConfigurationArgs;
    versioning: aws.s3.BucketVersioningArgs;
    lifecycle: aws.s3.BucketLifecycleConfigurationArgs;
    policy: aws.s3.BucketPolicyArgs;
    cors: aws.s3.BucketCorsConfigurationArgs;
  }>;
}

/**
 * An S3 bucket that is private and owner-enforced (no ACLs, public access blocked), encrypted,
 * versioned, cleaned by lifecycle rules (noncurrent versions, stale multipart uploads) and
 * reachable only over TLS.
 */
export class SecureBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly ownershipControls: aws.s3.BucketOwnershipControls;
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
  readonly versioning: aws.s3.BucketVersioning;
  readonly lifecycle: aws.s3.BucketLifecycleConfiguration;
  /** The bucket's one policy (caller statements + TLS-only deny). */
  readonly policy: aws.s3.BucketPolicy;
  /** CORS configuration; undefined without `corsRules`. */
  readonly cors?: aws.s3.BucketCorsConfiguration;
  readonly arn: pulumi.Output<string>;
  /** The bucket name (its id). */
  readonly name: pulumi.Output<string>;
  /** The key used for SSE-KMS, if any (for grants). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  private readonly logicalName: string;

  constructor(name: string, args: SecureBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:storage:SecureBucket", name, {}, opts);
    const noncurrentDays =
      args.noncurrentVersionExpirationDays ?? NONCURRENT_VERSION_EXPIRATION_DAYS;
    const extraRules = args.lifecycleRules ?? [];
    const reserved = [NONCURRENT_RULE_ID, ABORT_UPLOADS_RULE_ID];
    const clashing = extraRules.map((r) => r.id).filter((id) => reserved.includes(id as string));
    new ArgumentErrors("SecureBucket", name)
      .check(
        Number.isInteger(noncurrentDays) && noncurrentDays >= 1,
        "noncurrentVersionExpirationDays",
        `${noncurrentDays} is not a positive whole number of days`,
        "use 1 or more",
      )
      .check(
        clashing.length === 0,
        "lifecycleRules",
        `rule id(s) ${clashing.join(", ")} are reserved for the built-in rules`,
        "give your rules other ids, or change the built-ins with transform.lifecycle",
      )
      .check(
        args.corsRules === undefined || args.corsRules.length > 0,
        "corsRules",
        "is an empty list (S3 rejects an empty CORS configuration)",
        "omit corsRules or add a rule",
      )
      .throwIfAny();
    this.kmsKeyArn = args.kmsKeyArn;
    this.logicalName = name;
    // Retaining the bucket but deleting its configuration would leave it unprotected: keep all.
    const child: pulumi.CustomResourceOptions = {
      parent: this,
      retainOnDelete: args.retainOnDelete,
    };

    this.bucket = new aws.s3.Bucket(
      ...transform(
        args.transform?.bucket,
        name,
        { forceDestroy: args.forceDestroy ?? false },
        child,
      ),
    );
    this.arn = this.bucket.arn;
    this.name = this.bucket.id;
    const bucket = this.bucket.id;

    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      ...transform(
        args.transform?.publicAccessBlock,
        name,
        {
          bucket,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        child,
      ),
    );

    this.ownershipControls = new aws.s3.BucketOwnershipControls(
      ...transform(
        args.transform?.ownershipControls,
        name,
        { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
        child,
      ),
    );

    this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      ...transform(
        args.transform?.encryption,
        name,
        {
          bucket,
          rules: [
            args.kmsKeyArn
              ? {
                  applyServerSideEncryptionByDefault: {
                    sseAlgorithm: "aws:kms",
                    kmsMasterKeyId: args.kmsKeyArn,
                  },
                  bucketKeyEnabled: true,
                }
              : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
          ],
        },
        child,
      ),
    );

    this.versioning = new aws.s3.BucketVersioning(
      ...transform(
        args.transform?.versioning,
        name,
        { bucket, versioningConfiguration: { status: "Enabled" } },
        child,
      ),
    );

    this.lifecycle = new aws.s3.BucketLifecycleConfiguration(
      ...transform(
        args.transform?.lifecycle,
        name,
        {
          bucket,
          rules: [
            {
              id: NONCURRENT_RULE_ID,
              status: "Enabled",
              // An empty filter is the documented way to cover the whole bucket.
              filter: {},
              noncurrentVersionExpiration: { noncurrentDays },
              // Delete markers left with no versions behind them are clutter in every listing.
              expiration: { expiredObjectDeleteMarker: true },
            },
            {
              id: ABORT_UPLOADS_RULE_ID,
              status: "Enabled",
              filter: {},
              abortIncompleteMultipartUpload: {
                daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS,
              },
            },
            ...extraRules,
          ],
        },
        { ...child, dependsOn: [this.versioning] },
      ),
    );

    const callerStatements =
      typeof args.policyStatements === "function"
        ? args.policyStatements(this.bucket.arn)
        : (args.policyStatements ?? []);
    this.policy = new aws.s3.BucketPolicy(
      ...transform(
        args.transform?.policy,
        name,
        {
          bucket,
          policy: policyDocument([
            ...callerStatements,
            denyInsecureTransport("s3:*", [
              this.bucket.arn,
              pulumi.interpolate`${this.bucket.arn}/*`,
            ]),
          ]),
        },
        { ...child, dependsOn: [this.publicAccessBlock] },
      ),
    );

    if (args.corsRules) {
      this.cors = new aws.s3.BucketCorsConfiguration(
        ...transform(args.transform?.cors, name, { bucket, corsRules: args.corsRules }, child),
      );
    }

    this.registerOutputs({ arn: this.arn, name: this.name });
  }

  /**
   * Dashboard row: objects and bytes stored. These are S3's free daily storage metrics; request
   * metrics would need a billed metrics configuration on the bucket.
   */
  widgets(title = `Bucket ${this.logicalName}`): DashboardRow[] {
    const storage = (metricName: string, storageType: string, label: string, rightAxis = false) =>
      metric(
        "AWS/S3",
        metricName,
        { BucketName: this.bucket.id, StorageType: storageType },
        { label, rightAxis },
      );
    return [
      {
        title,
        widgets: [
          {
            title: "Objects and bytes stored (daily)",
            stat: "Average",
            period: 86400,
            lines: [
              storage("NumberOfObjects", "AllStorageTypes", "objects"),
              storage("BucketSizeBytes", "StandardStorage", "bytes (Standard)", true),
            ],
          },
        ],
      },
    ];
  }
}
