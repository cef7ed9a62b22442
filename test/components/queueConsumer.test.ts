import { expect } from "chai";
import { QueueConsumer } from "../../components/compute/queueConsumer";
import { SecureQueue } from "../../components/messaging/secureQueue";
import { Recorder, installMocks } from "../../scripts/harness/recorder";
import { FUNCTIONS_DIR as functionsDir } from "../support/componentFixtures";

const ESM = "aws:lambda/eventSourceMapping:EventSourceMapping";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

describe("QueueConsumer", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "consumer-test" });
    const queue = new SecureQueue("jobs", { visibilityTimeoutSeconds: 60 });
    new QueueConsumer("worker", {
      code: "echo",
      functionsDir,
      queue: { arn: queue.arn, visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds },
      transform: { eventSourceMapping: { enabled: false } },
    });
    await rec.settle();
  });

  it("maps the queue with SQS's defaults and batch item failure reporting", () => {
    const esm = rec.get(ESM, "worker").inputs;
    expect(esm).to.deep.include({
      eventSourceArn: rec.get("aws:sqs/queue:Queue", "jobs").state.arn,
      batchSize: 10,
      functionResponseTypes: ["ReportBatchItemFailures"],
      enabled: false, // transform hook
    });
    expect(esm.maximumBatchingWindowInSeconds).to.equal(undefined);
    expect(esm.scalingConfig).to.equal(undefined);
  });

  it("grants the SQS consume actions on that queue only, and no KMS without a key", () => {
    const doc = JSON.parse(rec.get(ROLE_POLICY, "worker").inputs.policy as string);
    const sqs = doc.Statement.filter((s: { Action: string[] }) =>
      s.Action.some((a) => a.startsWith("sqs:")),
    );
    expect(sqs).to.have.length(1);
    expect(sqs[0].Resource).to.deep.equal([rec.get("aws:sqs/queue:Queue", "jobs").state.arn]);
    expect(JSON.stringify(doc)).to.not.contain("kms:");
  });

  it("rejects a function timeout the queue's visibility timeout cannot cover", () => {
    expect(
      () =>
        new QueueConsumer("slow", {
          code: "echo",
          functionsDir,
          timeout: 11,
          queue: { arn: "arn:aws:sqs:us-east-1:123456789012:q", visibilityTimeoutSeconds: 60 },
        }),
    ).to.throw(
      /QueueConsumer "slow".*\n.*timeout: .*60 s is less than 6x the function timeout of 11 s.*at least 66/,
    );
  });

  it("rejects FIFO batching windows and oversized FIFO batches", () => {
    expect(
      () =>
        new QueueConsumer("fifo", {
          code: "echo",
          functionsDir,
          batchSize: 11,
          maximumBatchingWindowInSeconds: 2,
          queue: {
            arn: "arn:aws:sqs:us-east-1:123456789012:q.fifo",
            visibilityTimeoutSeconds: 60,
            fifo: true,
          },
        }),
    ).to.throw(/batchSize: 11 is outside 1-10[\s\S]*FIFO queues do not support a batching window/);
  });
});
