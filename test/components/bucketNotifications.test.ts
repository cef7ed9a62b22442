import * as aws from "@pulumi/aws";
import { expect } from "chai";
import {
  BucketNotifications,
  allowS3ToPublish,
  overlappingFilters,
} from "../../components/storage/bucketNotifications";
import { policyDocument } from "../../components/security/iam";
import { SecureBucket } from "../../components/storage/secureBucket";
import { SecureQueue } from "../../components/messaging/secureQueue";
import { Recorder, installMocks } from "../../scripts/harness/recorder";

const ACCOUNT = "123456789012";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbnailer`;
const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const PERMISSION = "aws:lambda/permission:Permission";

describe("BucketNotifications", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "notify-test" });
    const bucket = new SecureBucket("uploads");
    const queue = new SecureQueue("ingest", {
      policyStatements: (arn) => [allowS3ToPublish({ queueArn: arn }, bucket.arn, ACCOUNT)],
    });
    const topic = new aws.sns.Topic("deleted");
    const topicPolicy = new aws.sns.TopicPolicy("deleted", {
      arn: topic.arn,
      policy: policyDocument([allowS3ToPublish({ topicArn: topic.arn }, bucket.arn, ACCOUNT)]),
    });
    new BucketNotifications("uploads", {
      bucket,
      queues: [
        {
          queueArn: queue.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "incoming/",
          dependsOn: [queue.policy],
        },
      ],
      topics: [
        {
          id: "deletions",
          topicArn: topic.arn,
          events: ["s3:ObjectRemoved:*"],
          dependsOn: [topicPolicy],
        },
      ],
      functions: [
        {
          id: "thumbnails",
          functionArn: FN,
          events: ["s3:ObjectCreated:Put"],
          filterPrefix: "images/",
          filterSuffix: ".jpg",
        },
      ],
    });
    await rec.settle();
  });

  it("creates ONE notification for the bucket holding every target", () => {
    const notifications = rec.byType(NOTIFICATION);
    expect(notifications).to.have.length(1);
    const n = notifications[0].inputs;
    expect(n.bucket).to.equal(rec.get("aws:s3/bucket:Bucket", "uploads").state.bucket);
    expect(n.queues).to.deep.equal([
      {
        id: "queue-0",
        queueArn: rec.get("aws:sqs/queue:Queue", "ingest").state.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "incoming/",
      },
    ]);
    expect(n.topics).to.deep.equal([
      {
        id: "deletions",
        topicArn: rec.get("aws:sns/topic:Topic", "deleted").state.arn,
        events: ["s3:ObjectRemoved:*"],
      },
    ]);
    expect(n.lambdaFunctions).to.deep.equal([
      {
        id: "thumbnails",
        lambdaFunctionArn: FN,
        events: ["s3:ObjectCreated:Put"],
        filterPrefix: "images/",
        filterSuffix: ".jpg",
      },
    ]);
  });

  it("lets S3 invoke each function, only for this bucket and account", () => {
    const p = rec.get(PERMISSION, "uploads-thumbnails").inputs;
    expect(p).to.deep.include({
      function: FN,
      action: "lambda:InvokeFunction",
      principal: "s3.amazonaws.com",
      sourceArn: rec.get("aws:s3/bucket:Bucket", "uploads").state.arn,
      sourceAccount: ACCOUNT,
    });
  });

  it("waits for the permission and the target policies S3 validates", () => {
    const deps = rec.get(NOTIFICATION, "uploads").dependsOn;
    expect(deps).to.include(rec.get(PERMISSION, "uploads-thumbnails").urn);
    expect(deps).to.include(rec.get("aws:sqs/queuePolicy:QueuePolicy", "ingest").urn);
    expect(deps).to.include(rec.get("aws:sns/topicPolicy:TopicPolicy", "deleted").urn);
  });

  it("allowS3ToPublish: SendMessage for queues, Publish for topics, both bucket- and account-scoped", () => {
    const queueDoc = JSON.parse(
      rec.get("aws:sqs/queuePolicy:QueuePolicy", "ingest").inputs.policy as string,
    );
    const bucketArn = rec.get("aws:s3/bucket:Bucket", "uploads").state.arn;
    const condition = {
      ArnEquals: { "aws:SourceArn": bucketArn },
      StringEquals: { "aws:SourceAccount": ACCOUNT },
    };
    expect(queueDoc.Statement[0]).to.deep.include({
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Condition: condition,
    });
    const topicDoc = JSON.parse(
      rec.get("aws:sns/topicPolicy:TopicPolicy", "deleted").inputs.policy as string,
    );
    expect(topicDoc.Statement[0]).to.deep.include({
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sns:Publish",
      Resource: rec.get("aws:sns/topic:Topic", "deleted").state.arn,
      Condition: condition,
    });
  });

  it("rejects no targets, missing events, duplicate ids and FIFO destinations", () => {
    const before = rec.resources.length;
    const bucket = { name: "b", arn: "arn:aws:s3:::b" };
    expect(() => new BucketNotifications("none", { bucket }))
      .to.throw(/BucketNotifications "none"/)
      .with.property("message")
      .that.matches(/no target given/);
    expect(
      () =>
        new BucketNotifications("bad", {
          bucket,
          queues: [
            { id: "x", queueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q.fifo`, events: [] },
            {
              id: "x",
              queueArn: "arn:aws:sqs:us-east-1:123456789012:q",
              events: ["s3:ObjectCreated:*"],
            },
          ],
        }),
    )
      .to.throw()
      .with.property("message")
      .that.matches(/list no event/)
      .and.matches(/duplicate id\(s\) x/)
      .and.matches(/FIFO/);
    expect(rec.resources.length).to.equal(before);
  });

  it("rejects overlapping prefix/suffix for the same event type across targets", () => {
    const before = rec.resources.length;
    expect(
      () =>
        new BucketNotifications("overlap", {
          bucket: { name: "b", arn: "arn:aws:s3:::b" },
          queues: [{ queueArn: "arn:aws:sqs:us-east-1:1:q", events: ["s3:ObjectCreated:*"] }],
          functions: [{ functionArn: FN, events: ["s3:ObjectCreated:Put"], filterSuffix: ".jpg" }],
        }),
    )
      .to.throw(/filterPrefix\/filterSuffix/)
      .with.property("message")
      .that.matches(/"queue-0" and "function-0" both match s3:ObjectCreated:\*/);
    expect(rec.resources.length).to.equal(before);
  });

  it("tells overlapping filters from disjoint ones", () => {
    const t = (label: string, events: string[], filterPrefix?: string, filterSuffix?: string) =>
      ({ label, events, filterPrefix, filterSuffix }) as Parameters<
        typeof overlappingFilters
      >[0][0];
    // Disjoint prefixes, disjoint suffixes, or different event types: accepted by S3.
    expect(
      overlappingFilters([
        t("a", ["s3:ObjectCreated:*"], "images/"),
        t("b", ["s3:ObjectCreated:*"], "videos/"),
      ]),
    ).to.deep.equal([]);
    expect(
      overlappingFilters([
        t("a", ["s3:ObjectCreated:*"], undefined, ".jpg"),
        t("b", ["s3:ObjectCreated:*"], undefined, ".png"),
      ]),
    ).to.deep.equal([]);
    expect(
      overlappingFilters([t("a", ["s3:ObjectCreated:*"]), t("b", ["s3:ObjectRemoved:*"])]),
    ).to.deep.equal([]);
    // Nested prefixes with the same event: rejected.
    expect(
      overlappingFilters([
        t("a", ["s3:ObjectCreated:Put"], "images/"),
        t("b", ["s3:ObjectCreated:Put"], "images/thumbs/"),
      ]),
    ).to.have.length(1);
  });
});
