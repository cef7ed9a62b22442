import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { ofType, prop, targeting } from "./graph";
import { type Rule, UNKNOWN, asArray } from "./util";

const BUCKETS = [aws.s3.Bucket, aws.s3.BucketV2];

/**
 * Runs `check` on each bucket with the configuration resources of `types` that target it (their
 * `bucket` property); buckets whose configurations cannot be matched yet (preview) are skipped.
 */
function eachBucket(
  args: StackValidationArgs,
  types: Parameters<typeof ofType>[1][],
  check: (bucket: PolicyResource, configs: PolicyResource[]) => void,
): void {
  for (const bucket of ofType(args.resources, ...BUCKETS)) {
    const configs = targeting(args.resources, bucket, "bucket", ...types);
    if (configs === UNKNOWN) continue;
    check(bucket, configs);
  }
}

const BLOCK_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/** Flags of a public access block that are not true; UNKNOWN during preview. */
function openFlags(block: PolicyResource): string[] | typeof UNKNOWN {
  const values = BLOCK_FLAGS.map((f) => prop(block, f));
  if (values.includes(UNKNOWN)) return UNKNOWN;
  return BLOCK_FLAGS.filter((_f, i) => values[i] !== true);
}

/**
 * All four public-access-block flags, per bucket (or for the whole account): a bucket policy or
 * ACL written later cannot make objects public by mistake.
 */
export const s3PublicAccessBlock: Rule = {
  name: "s3-public-access-block",
  description:
    "Every S3 bucket has a BucketPublicAccessBlock (or the account one) with all four flags true.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const account = ofType(args.resources, aws.s3.AccountPublicAccessBlock).map(openFlags);
    // The account-wide block covers every bucket.
    if (account.some((f) => f !== UNKNOWN && f.length === 0)) return;
    eachBucket(args, [aws.s3.BucketPublicAccessBlock], (bucket, blocks) => {
      if (blocks.length === 0) {
        report(
          `Bucket ${bucket.name} has no public access block; add an aws.s3.BucketPublicAccessBlock with ` +
            `${BLOCK_FLAGS.join(", ")} all true.`,
          bucket.urn,
        );
        return;
      }
      const open = blocks.map(openFlags);
      if (open.includes(UNKNOWN) || open.some((f) => f !== UNKNOWN && f.length === 0)) return;
      const missing = [...new Set(open.flatMap((f) => (f === UNKNOWN ? [] : f)))];
      report(
        `The public access block of bucket ${bucket.name} leaves ${missing.join(", ")} off; set all four to true.`,
        bucket.urn,
      );
    });
  },
};

/** Versioning is what lets an overwritten or deleted object be recovered. */
export const s3BucketVersioning: Rule = {
  name: "s3-bucket-versioning",
  description: "Every S3 bucket has versioning Enabled (aws.s3.BucketVersioning).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) =>
    eachBucket(args, [aws.s3.BucketVersioning, aws.s3.BucketVersioningV2], (bucket, configs) => {
      // The bucket's deprecated inline block, when set, reads back what AWS has.
      const inline = prop(bucket, "versioning");
      if (inline === UNKNOWN) return;
      if ((inline as { enabled?: unknown } | undefined)?.enabled === true) return;
      const configured = configs.map((c) => prop(c, "versioningConfiguration"));
      if (configured.includes(UNKNOWN)) return;
      if (configured.some((v) => (v as { status?: unknown } | undefined)?.status === "Enabled")) {
        return;
      }
      report(
        configs.length === 0
          ? `Bucket ${bucket.name} has no versioning; add an aws.s3.BucketVersioning with versioningConfiguration: { status: "Enabled" }.`
          : `Versioning of bucket ${bucket.name} is not Enabled; set versioningConfiguration.status to "Enabled".`,
        bucket.urn,
      );
    }),
};

interface LifecycleRule {
  status?: string;
  prefix?: string;
  filter?: Record<string, unknown>;
  noncurrentVersionExpiration?: { noncurrentDays?: number; days?: number } | null;
}

/** A lifecycle rule that applies to every object (no prefix, tag or size filter). */
function wholeBucket(rule: LifecycleRule): boolean {
  if (rule.prefix) return false;
  const filters = asArray(rule.filter as unknown);
  return filters.every((f) =>
    Object.entries((f ?? {}) as Record<string, unknown>).every(
      ([, v]) => v === undefined || v === null || v === "",
    ),
  );
}

/**
 * With versioning on, every overwrite keeps the old object forever unless a lifecycle rule expires
 * noncurrent versions: storage grows silently.
 */
export const s3NoncurrentVersionExpiration: Rule = {
  name: "s3-noncurrent-version-expiration",
  description:
    "Every S3 bucket has an enabled lifecycle rule, for the whole bucket, that expires noncurrent versions.",
  enforcementLevel: "advisory",
  validateStack: (args, report) =>
    eachBucket(
      args,
      [aws.s3.BucketLifecycleConfiguration, aws.s3.BucketLifecycleConfigurationV2],
      (bucket, configs) => {
        const rules = configs.map((c) => prop(c, "rules"));
        if (rules.includes(UNKNOWN)) return;
        const expiring = rules
          .flatMap((r) => asArray(r as LifecycleRule[]))
          .some((r) => {
            const n = r.noncurrentVersionExpiration;
            const days = n?.noncurrentDays ?? n?.days;
            return r.status === "Enabled" && typeof days === "number" && days > 0 && wholeBucket(r);
          });
        if (expiring) return;
        report(
          `Bucket ${bucket.name} keeps noncurrent object versions forever; add a BucketLifecycleConfiguration ` +
            "rule (status Enabled, empty filter) with noncurrentVersionExpiration.noncurrentDays " +
            "(NONCURRENT_VERSION_EXPIRATION_DAYS in components/core/defaults.ts).",
          bucket.urn,
        );
      },
    ),
};

export const S3_RULES: Rule[] = [
  s3PublicAccessBlock,
  s3BucketVersioning,
  s3NoncurrentVersionExpiration,
];
