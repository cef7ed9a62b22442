import { expect } from "chai";
import {
  DLQ_RETENTION_SECONDS,
  MAX_RECEIVE_COUNT,
  SQS_KMS_DATA_KEY_REUSE_SECONDS,
} from "../../components/core/defaults";
import { SecureQueue, allowServiceToSend } from "../../components/messaging/secureQueue";
import { Recorder, installMocks } from "../../scripts/harness/recorder";
import type { Stmt } from "../support/iam";
import { ALARMS_TOPIC_ARN as ALARMS } from "../support/componentFixtures";
import { TEST_ACCOUNT, testArn } from "../support/testAccount";

const QUEUE = "aws:sqs/queue:Queue";
const POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = testArn("sns", "uploads");
const BUCKET = "arn:aws:s3:::uploads";
const OTHER = testArn("sqs", "keyed");
const KEY = testArn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab");

type Doc = { Statement: Stmt[] };

describe("SecureQueue", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "queue-test" });
    new SecureQueue("work", {
      visibilityTimeoutSeconds: 180,
      consumerTimeoutSeconds: 30,
      alarmTopicArn: ALARMS,
      policyStatements: (arn) => [allowServiceToSend("sns.amazonaws.com", arn, TOPIC)],
    });
    new SecureQueue("keyed", {
      kmsKeyArn: KEY,
      maxReceiveCount: 3,
      policyStatements: [allowServiceToSend("s3.amazonaws.com", OTHER, BUCKET, TEST_ACCOUNT)],
      transform: { queue: { delaySeconds: 5 } },
    });
    new SecureQueue("ordered", { fifo: true, contentBasedDeduplication: true });
    await rec.settle();
  });

  const queue = (name: string) => rec.get(QUEUE, name);
  const doc = (name: string) => JSON.parse(rec.get(POLICY, name).inputs.policy as string) as Doc;

  it("gives every work queue its own DLQ with a redrive policy", () => {
    for (const name of ["work", "keyed", "ordered"]) {
      const dlq = queue(`${name}-dlq`);
      const redrive = JSON.parse(queue(name).inputs.redrivePolicy as string);
      expect(redrive.deadLetterTargetArn).to.equal(dlq.state.arn);
      expect(dlq.inputs.messageRetentionSeconds).to.equal(DLQ_RETENTION_SECONDS);
      expect(dlq.inputs.redrivePolicy).to.equal(undefined);
    }
    expect(JSON.parse(queue("work").inputs.redrivePolicy as string).maxReceiveCount).to.equal(
      MAX_RECEIVE_COUNT,
    );
    expect(JSON.parse(queue("keyed").inputs.redrivePolicy as string).maxReceiveCount).to.equal(3);
  });

  it("lets only its own queue redrive into the DLQ", () => {
    const allow = rec.get("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "work-dlq").inputs;
    expect(allow.queueUrl).to.equal(queue("work-dlq").state.url);
    expect(JSON.parse(allow.redriveAllowPolicy as string)).to.deep.equal({
      redrivePermission: "byQueue",
      sourceQueueArns: [queue("work").state.arn],
    });
  });

  it("encrypts both queues: SSE-SQS by default, the customer key when given", () => {
    for (const name of ["work", "work-dlq"]) {
      expect(queue(name).inputs.sqsManagedSseEnabled).to.equal(true);
      expect(queue(name).inputs.kmsMasterKeyId).to.equal(undefined);
    }
    for (const name of ["keyed", "keyed-dlq"]) {
      expect(queue(name).inputs.kmsMasterKeyId).to.equal(KEY);
      expect(queue(name).inputs.kmsDataKeyReusePeriodSeconds).to.equal(
        SQS_KMS_DATA_KEY_REUSE_SECONDS,
      );
      expect(queue(name).inputs.sqsManagedSseEnabled).to.equal(undefined);
    }
  });

  it("pairs a FIFO queue with a FIFO DLQ", () => {
    const q = queue("ordered");
    const dlq = queue("ordered-dlq");
    expect(q.inputs.fifoQueue).to.equal(true);
    expect(q.inputs.contentBasedDeduplication).to.equal(true);
    expect(dlq.inputs.fifoQueue).to.equal(true);
    expect(q.state.name).to.match(/\.fifo$/);
    expect(dlq.state.name).to.match(/\.fifo$/);
    expect(queue("work").inputs.fifoQueue).to.equal(undefined);
  });

  it("holds the caller's statements and the TLS-only deny in ONE queue policy", () => {
    const policies = rec
      .byType(POLICY)
      .filter((p) => p.inputs.queueUrl === queue("work").state.url);
    expect(policies).to.have.length(1);
    const statements = doc("work").Statement;
    expect(statements).to.have.length(2);
    const [send, deny] = statements;
    expect(send).to.deep.equal({
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queue("work").state.arn,
      Condition: { ArnEquals: { "aws:SourceArn": TOPIC } },
    });
    expect(deny).to.deep.include({ Effect: "Deny", Principal: "*", Action: "sqs:*" });
    expect(deny.Resource).to.deep.equal([queue("work").state.arn]);
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("puts a TLS-only policy on the DLQ too", () => {
    const dlqPolicy = rec.get(POLICY, "work-dlq");
    expect(dlqPolicy.inputs.queueUrl).to.equal(queue("work-dlq").state.url);
    const [deny] = doc("work-dlq").Statement;
    expect(deny.Effect).to.equal("Deny");
    expect(deny.Resource).to.deep.equal([queue("work-dlq").state.arn]);
  });

  it("alarms on DLQ depth >= 1 to the alarm topic, only when a topic is given", () => {
    const alarms = rec.byType(ALARM);
    expect(alarms.map((a) => a.name)).to.deep.equal(["work-dlq-depth"]);
    const a = alarms[0].inputs;
    expect(a).to.deep.include({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    expect(a.dimensions).to.deep.equal({ QueueName: queue("work-dlq").state.name });
    expect(a.alarmActions).to.deep.equal([ALARMS]);
  });

  it("accepts statements as a plain list and applies transforms over the defaults", () => {
    const statements = doc("keyed").Statement;
    expect(statements.map((s) => s.Effect)).to.deep.equal(["Allow", "Deny"]);
    expect(statements[0].Resource).to.equal(OTHER);
    expect(queue("keyed").inputs.delaySeconds).to.equal(5);
    expect(queue("keyed").inputs.kmsMasterKeyId).to.equal(KEY);
  });

  it("keeps the visibility timeout it was given", () => {
    expect(queue("work").inputs.visibilityTimeoutSeconds).to.equal(180);
    expect(queue("keyed").inputs.visibilityTimeoutSeconds).to.equal(30);
  });

  it("adds the account condition when asked (S3 sources)", () => {
    const s = allowServiceToSend("s3.amazonaws.com", "q", "arn:aws:s3:::b", "123456789012");
    expect(s.Condition).to.deep.equal({
      ArnEquals: { "aws:SourceArn": "arn:aws:s3:::b" },
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
  });

  it("rejects a visibility timeout under 6x the consumer timeout, and other bad args, at once", () => {
    const before = rec.resources.length;
    expect(
      () =>
        new SecureQueue("bad", {
          visibilityTimeoutSeconds: 30,
          consumerTimeoutSeconds: 10,
          maxReceiveCount: 0,
          contentBasedDeduplication: true,
        }),
    )
      .to.throw(/SecureQueue "bad"/)
      .with.property("message")
      .that.matches(/visibilityTimeoutSeconds: 30 s is less than 6x the consumer timeout of 10 s/)
      .and.matches(/at least 60/)
      .and.matches(/maxReceiveCount/)
      .and.matches(/contentBasedDeduplication/);
    expect(
      () =>
        new SecureQueue("short-dlq", { messageRetentionSeconds: 3600, dlqRetentionSeconds: 60 }),
    ).to.throw(/dlqRetentionSeconds/);
    expect(rec.resources.length).to.equal(before);
  });
});
