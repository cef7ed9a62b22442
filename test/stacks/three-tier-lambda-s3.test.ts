import { expect } from "chai";
import { StackRun, runStack, stackFindings } from "../../scripts/harness/runStack";
import { actionsOf, resourcesOf, roleGrants, statementsOf } from "../support/iam";
import { threeTierLambdaS3 } from "../../stacks/three-tier-lambda-s3";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";

/** What the function component adds for Powertools: the function's service, the stack's namespace. */
const powertools = (service: string) => ({
  POWERTOOLS_SERVICE_NAME: service,
  POWERTOOLS_METRICS_NAMESPACE: "aws-serverless-flows/dev",
});

const NS = "aws-serverless-flows";
const SLUG = "three-tier-lambda-s3";
const FUNCTION = "aws:lambda/function:Function";
const QUEUE = "aws:sqs/queue:Queue";
const ACCOUNT = "123456789012";

describe("flow three-tier-lambda-s3", () => {
  let run: StackRun;
  const get = (type: string, name: string) => run.recorder.get(type, name);
  const statements = (type: string, name: string, key = "policy") =>
    statementsOf(get(type, name), key);
  const grants = (fn: string) => roleGrants(run.recorder, fn);
  const bucketArn = () => get("aws:s3/bucket:Bucket", `${SLUG}-files`).state.arn as string;

  before(async () => {
    run = await runStack({
      stack: "dev",
      config: {
        [`${NS}:flows`]: `["${SLUG}"]`,
        [`${NS}:environment`]: "dev",
        [`${NS}:${SLUG}`]: JSON.stringify({
          corsOrigins: ["https://app.example.com"],
          maxUploadBytes: 1048576,
          allowedContentTypes: ["image/png", "application/pdf"],
          indexerTimeout: 20,
          indexerBatchSize: 5,
        }),
      },
      flows: [threeTierLambdaS3],
    });
  });

  it("creates a private, encrypted, versioned, TLS-only files bucket with lifecycle and upload CORS", () => {
    const name = `${SLUG}-files`;
    expect(get("aws:s3/bucket:Bucket", name).inputs.forceDestroy).to.equal(true); // dev
    expect(get("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name).inputs).to.include({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      get("aws:s3/bucketVersioning:BucketVersioning", name).inputs.versioningConfiguration,
    ).to.deep.equal({ status: "Enabled" });
    const sse = get(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name,
    ).inputs.rules as object[];
    expect(sse).to.have.length(1);
    const rules = get("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name)
      .inputs.rules as { noncurrentVersionExpiration?: { noncurrentDays: number } }[];
    expect(rules.some((r) => r.noncurrentVersionExpiration?.noncurrentDays === 30)).to.equal(true);
    const deny = statements("aws:s3/bucketPolicy:BucketPolicy", name).find(
      (s) => s.Sid === "DenyInsecureTransport",
    )!;
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
    expect(
      get("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", name).inputs.corsRules,
    ).to.deep.equal([
      {
        allowedMethods: ["PUT"],
        allowedOrigins: ["https://app.example.com"],
        allowedHeaders: ["content-type"],
        exposeHeaders: ["etag"],
        maxAgeSeconds: 3600,
      },
    ]);
  });

  it("adds POST /files to the API, presigning PUTs under uploads/ only, with the limits in its env", () => {
    const route = run.resources.find(
      (r) => r.type === "aws:apigatewayv2/route:Route" && r.inputs.routeKey === "POST /files",
    )!;
    expect(route.inputs.authorizationType).to.equal("JWT"); // default auth
    const fn = get(FUNCTION, `${SLUG}-api-files`).inputs;
    expect((fn.environment as { variables: object }).variables).to.deep.equal({
      BUCKET_NAME: get("aws:s3/bucket:Bucket", `${SLUG}-files`).state.bucket,
      ALLOWED_CONTENT_TYPES: "image/png,application/pdf",
      MAX_UPLOAD_BYTES: "1048576",
      UPLOAD_URL_TTL_SECONDS: "300",
      UPLOAD_KEY_PREFIX: "uploads/",
      ...powertools(`${SLUG}-api-files`),
    });
    const g = grants(`${SLUG}-api-files`);
    const puts = g.filter((s) => actionsOf(s).includes("s3:PutObject"));
    expect(puts.map((s) => s.Resource)).to.deep.equal([[`${bucketArn()}/uploads/*`]]);
    expect(g.flatMap((s) => actionsOf(s)).some((a) => a.startsWith("dynamodb:"))).to.equal(false);
  });

  it("encrypts the work queue with a rotated key S3 may use (as AWS documents the grant)", () => {
    const queue = get(QUEUE, `${SLUG}-uploads`);
    const key = get("aws:kms/key:Key", `${SLUG}-uploads`);
    expect(queue.inputs.kmsMasterKeyId).to.equal(key.state.arn);
    expect(get(QUEUE, `${SLUG}-uploads-dlq`).inputs.kmsMasterKeyId).to.equal(key.state.arn);
    expect(key.inputs.enableKeyRotation).to.equal(true);
    const s3Use = statements("aws:kms/key:Key", `${SLUG}-uploads`).find(
      (s) => (s.Principal as { Service?: string })?.Service === "s3.amazonaws.com",
    )!;
    expect(actionsOf(s3Use)).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
    // No condition S3 may not meet; the queue policy (next test) limits bucket and account.
    expect(s3Use).to.not.have.property("Condition");
  });

  it("lets only this bucket (and account) send to the queue, over TLS", () => {
    const queue = get(QUEUE, `${SLUG}-uploads`);
    const policy = statements("aws:sqs/queuePolicy:QueuePolicy", `${SLUG}-uploads`);
    const allowS3 = policy.find((s) => s.Effect === "Allow")!;
    expect(allowS3).to.deep.include({
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queue.state.arn,
      Condition: {
        ArnEquals: { "aws:SourceArn": bucketArn() },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    });
    expect(policy.some((s) => s.Sid === "DenyInsecureTransport")).to.equal(true);
  });

  it("notifies the queue of ObjectCreated under uploads/, after the queue policy exists", () => {
    const [n] = run.recorder.byType("aws:s3/bucketNotification:BucketNotification");
    expect(n.inputs.queues).to.deep.equal([
      {
        id: "index-uploads",
        queueArn: get(QUEUE, `${SLUG}-uploads`).state.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "uploads/",
      },
    ]);
    expect(n.dependsOn).to.include(get("aws:sqs/queuePolicy:QueuePolicy", `${SLUG}-uploads`).urn);
  });

  it("drains the queue into the file-indexer with batch failure reporting, a DLQ and a 6x visibility timeout", () => {
    const queue = get(QUEUE, `${SLUG}-uploads`);
    expect(queue.inputs.visibilityTimeoutSeconds).to.equal(120);
    expect(JSON.parse(queue.inputs.redrivePolicy as string)).to.deep.include({
      deadLetterTargetArn: get(QUEUE, `${SLUG}-uploads-dlq`).state.arn,
    });
    const [esm] = run.recorder.byType("aws:lambda/eventSourceMapping:EventSourceMapping");
    const indexer = get(FUNCTION, `${SLUG}-file-indexer`);
    expect(esm.inputs).to.deep.include({
      eventSourceArn: queue.state.arn,
      functionName: indexer.state.arn,
      batchSize: 5,
      functionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(indexer.inputs.timeout).to.equal(20);
    const dlqAlarm = get("aws:cloudwatch/metricAlarm:MetricAlarm", `${SLUG}-uploads-dlq-depth`);
    expect(dlqAlarm.inputs.alarmActions).to.deep.equal([run.outputs.alarmTopicArn]);
  });

  it("grants the indexer conditional puts on its table, reads under uploads/ and its queue only", () => {
    const table = get("aws:dynamodb/table:Table", `${SLUG}-files`);
    const queue = get(QUEUE, `${SLUG}-uploads`);
    const key = get("aws:kms/key:Key", `${SLUG}-uploads`);
    const g = grants(`${SLUG}-file-indexer`);
    const on = (action: string) =>
      g.filter((s) => actionsOf(s).includes(action)).flatMap((s) => resourcesOf(s));
    expect(on("dynamodb:PutItem")).to.deep.equal([table.state.arn]);
    expect(g.flatMap((s) => actionsOf(s)).filter((a) => a.startsWith("dynamodb:"))).to.deep.equal([
      "dynamodb:PutItem",
    ]);
    expect(on("s3:GetObject")).to.deep.equal([`${bucketArn()}/uploads/*`]);
    expect(on("sqs:ReceiveMessage")).to.deep.equal([queue.state.arn]);
    expect(on("kms:Decrypt")).to.deep.equal([key.state.arn]);
    expect(
      (get(FUNCTION, `${SLUG}-file-indexer`).inputs.environment as { variables: object }).variables,
    ).to.deep.equal({ TABLE_NAME: table.state.name, ...powertools(`${SLUG}-file-indexer`) });
  });

  it("outputs what a user needs to upload and inspect", () => {
    const out = run.outputs.threeTierLambdaS3 as Record<string, string>;
    const api = get("aws:apigatewayv2/api:Api", `${SLUG}-api`).state;
    expect(out).to.include({
      filesUrl: `${api.apiEndpoint}/files`,
      uploadQueueUrl: get(QUEUE, `${SLUG}-uploads`).state.url,
      uploadDlqUrl: get(QUEUE, `${SLUG}-uploads-dlq`).state.url,
      fileTableName: get("aws:dynamodb/table:Table", `${SLUG}-files`).state.name,
      tableName: get("aws:dynamodb/table:Table", `${SLUG}-api`).state.name,
    });
    expect(out.filesBucket).to.equal(get("aws:s3/bucket:Bucket", `${SLUG}-files`).state.bucket);
    expect(out.userPoolId).to.match(/^us-east-1_/);
  });

  it("has no policy findings", () => {
    expect(
      withoutKnownGrantFindings(stackFindings(run)).map((v) => `${v.policy}: ${v.message}`),
    ).to.deep.equal([]);
  });
});
