import { expect } from "chai";
import { stackFindings } from "../../scripts/harness/runStack";
import { NS, runFlowBefore } from "../support/flowRun";
import { actionsOf, resourcesOf } from "../support/iam";
import { s3EventsFanout } from "../../stacks/s3-events-fanout";
import { withoutKnownGrantFindings } from "../policy/expectedFailures";

const QUEUE = "aws:sqs/queue:Queue";
const FUNCTION = "aws:lambda/function:Function";
const ESM = "aws:lambda/eventSourceMapping:EventSourceMapping";
const TABLE = "aws:dynamodb/table:Table";

describe("flow s3-events-fanout", () => {
  const flow = runFlowBefore(
    s3EventsFanout,
    { checksumTimeoutSeconds: 40 },
    { [`${NS}:environment`]: "prod" },
  );
  const { get, grants } = flow;

  it("notifies the topic of ObjectCreated under the upload prefix, in one configuration", () => {
    const notifications = flow.run.recorder.byType("aws:s3/bucketNotification:BucketNotification");
    expect(notifications).to.have.length(1);
    expect(notifications[0].inputs.bucket).to.equal(
      get("aws:s3/bucket:Bucket", "fanout-uploads").state.bucket,
    );
    expect(notifications[0].inputs.topics).to.deep.equal([
      {
        id: "object-created",
        topicArn: get("aws:sns/topic:Topic", "object-created").state.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "uploads/",
      },
    ]);
  });

  it("fans out to two consumers, each with its own queue, DLQ and function writing its own table", () => {
    for (const [sub, table] of [
      ["metadata-indexer", "object-metadata"],
      ["checksum-summary", "object-checksums"],
    ]) {
      const q = get(QUEUE, `object-created-${sub}`);
      const dlq = get(QUEUE, `object-created-${sub}-dlq`);
      expect(JSON.parse(q.inputs.redrivePolicy as string).deadLetterTargetArn).to.equal(
        dlq.state.arn,
      );
      const esm = get(ESM, `object-created-${sub}`).inputs;
      expect(esm.eventSourceArn).to.equal(q.state.arn);
      expect(esm.functionResponseTypes).to.deep.equal(["ReportBatchItemFailures"]);
      const fn = get(FUNCTION, `object-created-${sub}`).inputs;
      const tableName = get(TABLE, table).state.name;
      expect(
        (fn.environment as { variables: Record<string, string> }).variables.TABLE_NAME,
      ).to.equal(tableName);
      const writes = grants(`object-created-${sub}`).find((s) =>
        actionsOf(s).includes("dynamodb:PutItem"),
      );
      expect(resourcesOf(writes!)).to.deep.equal([get(TABLE, table).state.arn]);
      expect(
        get("aws:sns/topicSubscription:TopicSubscription", `object-created-${sub}`).inputs,
      ).to.have.property("rawMessageDelivery", true);
    }
  });

  it("sizes each queue's visibility timeout from its consumer's timeout", () => {
    expect(get(QUEUE, "object-created-checksum-summary").inputs.visibilityTimeoutSeconds).to.equal(
      240,
    );
    expect(get(FUNCTION, "object-created-checksum-summary").inputs.timeout).to.equal(40);
    expect(get(QUEUE, "object-created-metadata-indexer").inputs.visibilityTimeoutSeconds).to.equal(
      60,
    );
  });

  it("lets consumers read only the upload prefix of the bucket", () => {
    const bucketArn = get("aws:s3/bucket:Bucket", "fanout-uploads").state.arn;
    const read = grants("object-created-checksum-summary").find((s) =>
      actionsOf(s).includes("s3:GetObject"),
    )!;
    expect(resourcesOf(read)).to.deep.equal([`${bucketArn}/uploads/*`]);
  });

  it("runs consumers in the private subnets", () => {
    const fn = get(FUNCTION, "object-created-metadata-indexer").inputs;
    const vpc = fn.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
    expect(vpc.subnetIds).to.have.length(2);
    expect(vpc.securityGroupIds).to.have.length(1);
  });

  it("serves the presign route with the shared files-api handler and the read routes", () => {
    const routes = flow.run.recorder
      .byType("aws:apigatewayv2/route:Route")
      .map((r) => r.inputs.routeKey)
      .sort();
    expect(routes).to.deep.equal(["GET /objects", "GET /objects/{ref}", "POST /files"]);
    const uploads = get(FUNCTION, "fanout-api-uploads").inputs;
    const env = (uploads.environment as { variables: Record<string, string> }).variables;
    expect(env).to.deep.include({
      BUCKET_NAME: get("aws:s3/bucket:Bucket", "fanout-uploads").state.bucket,
      UPLOAD_KEY_PREFIX: "uploads/",
    });
    const put = grants("fanout-api-uploads").find((s) => actionsOf(s).includes("s3:PutObject"))!;
    expect(resourcesOf(put)[0]).to.match(/^arn:aws:s3:::fanout-uploads-[0-9a-f]+\/uploads\/\*$/);
    // Outside dev the API requires a Cognito JWT on every route.
    for (const r of flow.run.recorder.byType("aws:apigatewayv2/route:Route")) {
      expect(r.inputs.authorizationType).to.equal("JWT");
    }
  });

  it("keeps tables protected outside dev and exports what a user needs", () => {
    expect(get(TABLE, "object-metadata").inputs.deletionProtectionEnabled).to.equal(true);
    const out = flow.run.outputs.s3EventsFanout as Record<string, unknown>;
    expect(out.uploadUrlEndpoint).to.match(/^https:\/\/.+\/files$/);
    expect(out.topicArn).to.match(/^arn:aws:sns:us-east-1:\d{12}:object-created/);
    expect(Object.keys(out.queues as object)).to.deep.equal([
      "metadata-indexer",
      "checksum-summary",
    ]);
  });

  it("has no policy findings", () => {
    expect(
      withoutKnownGrantFindings(stackFindings(flow.run)).map((v) => `${v.policy}: ${v.message}`),
    ).to.deep.equal([]);
  });
});
