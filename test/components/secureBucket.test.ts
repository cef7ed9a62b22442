import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS,
  NONCURRENT_VERSION_EXPIRATION_DAYS,
} from "../../components/core/defaults";
import { allow } from "../../components/security/iam";
import {
  ABORT_UPLOADS_RULE_ID,
  NONCURRENT_RULE_ID,
  SecureBucket,
} from "../../components/storage/secureBucket";
import { Recorder, installMocks } from "../../scripts/harness/recorder";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "arn:aws:iam::123456789012:role/uploader";
const S3 = "aws:s3/";

interface PolicyStatement {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}
interface Rule {
  id: string;
  status: string;
  filter?: unknown;
  noncurrentVersionExpiration?: { noncurrentDays: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  expiration?: Record<string, unknown>;
}

describe("SecureBucket", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "bucket-test" });
    new SecureBucket("plain");
    new SecureBucket("uploads", {
      kmsKeyArn: KEY,
      forceDestroy: true,
      retainOnDelete: false,
      policyStatements: (arn) => [
        {
          Effect: "Allow",
          Principal: { AWS: ROLE },
          Action: "s3:PutObject",
          Resource: pulumi.interpolate`${arn}/incoming/*`,
        },
      ],
      corsRules: [
        {
          allowedMethods: ["PUT"],
          allowedOrigins: ["https://app.example.com"],
          maxAgeSeconds: 300,
        },
      ],
      lifecycleRules: [
        {
          id: "expire-tmp",
          status: "Enabled",
          filter: { prefix: "tmp/" },
          expiration: { days: 1 },
        },
      ],
      transform: { bucket: { bucketPrefix: "uploads-" } },
    });
    await rec.settle();
  });

  const child = (type: string, name: string) => rec.get(`${S3}${type}`, name);
  const bucket = (name: string) => child("bucket:Bucket", name);
  const policy = (name: string) =>
    JSON.parse(child("bucketPolicy:BucketPolicy", name).inputs.policy as string) as {
      Statement: PolicyStatement[];
    };
  const rules = (name: string) =>
    child("bucketLifecycleConfiguration:BucketLifecycleConfiguration", name).inputs.rules as Rule[];

  it("blocks every kind of public access and enforces bucket-owner ownership", () => {
    for (const name of ["plain", "uploads"]) {
      const pab = child("bucketPublicAccessBlock:BucketPublicAccessBlock", name).inputs;
      expect(pab).to.deep.include({
        bucket: bucket(name).state.bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const own = child("bucketOwnershipControls:BucketOwnershipControls", name).inputs;
      expect(own.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
    }
  });

  it("turns versioning on", () => {
    const v = child("bucketVersioning:BucketVersioning", "plain").inputs;
    expect(v.versioningConfiguration).to.deep.equal({ status: "Enabled" });
  });

  it("encrypts with AES256 by default and SSE-KMS with a bucket key when given a key", () => {
    const sse = (name: string) =>
      child("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name)
        .inputs.rules;
    expect(sse("plain")).to.deep.equal([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    expect(sse("uploads")).to.deep.equal([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("expires noncurrent versions, aborts stale uploads, and appends extra rules", () => {
    const plain = rules("plain");
    expect(plain.map((r) => r.id)).to.deep.equal([NONCURRENT_RULE_ID, ABORT_UPLOADS_RULE_ID]);
    expect(plain[0].noncurrentVersionExpiration).to.deep.equal({
      noncurrentDays: NONCURRENT_VERSION_EXPIRATION_DAYS,
    });
    expect(plain[1].abortIncompleteMultipartUpload).to.deep.equal({
      daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS,
    });
    expect(ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS).to.equal(7);
    expect(plain.every((r) => r.status === "Enabled")).to.equal(true);
    expect(rules("uploads").map((r) => r.id)).to.deep.equal([
      NONCURRENT_RULE_ID,
      ABORT_UPLOADS_RULE_ID,
      "expire-tmp",
    ]);
    const lifecycle = child("bucketLifecycleConfiguration:BucketLifecycleConfiguration", "plain");
    expect(lifecycle.dependsOn).to.include(child("bucketVersioning:BucketVersioning", "plain").urn);
  });

  it("denies non-TLS access to the bucket and its objects in its one policy", () => {
    const arn = bucket("plain").state.arn as string;
    const [deny] = policy("plain").Statement;
    expect(policy("plain").Statement).to.have.length(1);
    expect(deny).to.deep.include({ Effect: "Deny", Principal: "*", Action: "s3:*" });
    expect(deny.Resource).to.deep.equal([arn, `${arn}/*`]);
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("merges the caller's statements into that same policy, set after the public access block", () => {
    const arn = bucket("uploads").state.arn as string;
    const policies = rec
      .byType(`${S3}bucketPolicy:BucketPolicy`)
      .filter((p) => p.inputs.bucket === bucket("uploads").state.bucket);
    expect(policies).to.have.length(1);
    const statements = policy("uploads").Statement;
    expect(statements.map((s) => s.Effect)).to.deep.equal(["Allow", "Deny"]);
    expect(statements[0]).to.deep.include({
      Action: "s3:PutObject",
      Resource: `${arn}/incoming/*`,
    });
    expect(policies[0].dependsOn).to.include(
      child("bucketPublicAccessBlock:BucketPublicAccessBlock", "uploads").urn,
    );
  });

  it("adds CORS only when asked, and passes forceDestroy (default false) and transforms", () => {
    const cors = child("bucketCorsConfiguration:BucketCorsConfiguration", "uploads").inputs;
    expect(cors.corsRules).to.deep.equal([
      { allowedMethods: ["PUT"], allowedOrigins: ["https://app.example.com"], maxAgeSeconds: 300 },
    ]);
    expect(rec.byType(`${S3}bucketCorsConfiguration:BucketCorsConfiguration`)).to.have.length(1);
    expect(bucket("plain").inputs.forceDestroy).to.equal(false);
    expect(bucket("uploads").inputs.forceDestroy).to.equal(true);
    expect(bucket("uploads").inputs.bucketPrefix).to.equal("uploads-");
  });

  it("parents every child to the component", () => {
    const component = rec.get("serverless:storage:SecureBucket", "plain");
    const types = rec.descendants(component.urn).map((r) => r.type.replace(S3, ""));
    expect(types.sort()).to.deep.equal(
      [
        "bucket:Bucket",
        "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "bucketOwnershipControls:BucketOwnershipControls",
        "bucketPolicy:BucketPolicy",
        "bucketPublicAccessBlock:BucketPublicAccessBlock",
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "bucketVersioning:BucketVersioning",
      ].sort(),
    );
  });

  it("rejects bad arguments before creating anything", () => {
    const before = rec.resources.length;
    expect(
      () =>
        new SecureBucket("bad", {
          noncurrentVersionExpirationDays: 0,
          corsRules: [],
          lifecycleRules: [{ id: NONCURRENT_RULE_ID, status: "Enabled" }],
        }),
    )
      .to.throw(/SecureBucket "bad"/)
      .with.property("message")
      .that.matches(/noncurrentVersionExpirationDays/)
      .and.matches(/corsRules/)
      .and.matches(/reserved/);
    expect(rec.resources.length).to.equal(before);
  });
});

describe("SecureBucket with a plain statement list", () => {
  it("merges the list into the policy (retainOnDelete accepted)", async () => {
    const rec = installMocks({ stack: "bucket-list-test" });
    const b = new SecureBucket("kept", {
      retainOnDelete: true,
      policyStatements: [allow(["s3:GetObject"], ["arn:aws:s3:::kept/*"])],
    });
    await rec.settle();
    expect(b.cors).to.equal(undefined);
    const doc = JSON.parse(
      rec.get(`${S3}bucketPolicy:BucketPolicy`, "kept").inputs.policy as string,
    );
    expect(doc.Statement[0]).to.deep.equal({
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::kept/*"],
    });
    expect(doc.Statement[1].Effect).to.equal("Deny");
  });
});
