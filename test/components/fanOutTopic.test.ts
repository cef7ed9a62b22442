import { expect } from "chai";
import { FanOutTopic, FanOutTopicArgs } from "../../components/messaging/fanOutTopic";
import { SecureBucket } from "../../components/storage/secureBucket";
import { Recorder, installMocks } from "../../scripts/harness/recorder";
import { FUNCTIONS_DIR as functionsDir } from "../support/componentFixtures";

const ACCOUNT = "123456789012";
const ALARMS = `arn:aws:sns:us-east-1:${ACCOUNT}:alarms`;
const OTHER_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:orders`;
const RULE = `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly`;
const PUBLISHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/api`;

const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const KEY = "aws:kms/key:Key";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const ESM = "aws:lambda/eventSourceMapping:EventSourceMapping";
const FUNCTION = "aws:lambda/function:Function";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

interface Stmt {
  Sid?: string;
  Effect: string;
  Principal?: { Service?: string; AWS?: string | string[] } | "*";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (json: unknown): Stmt[] => JSON.parse(json as string).Statement as Stmt[];

describe("FanOutTopic", () => {
  let rec: Recorder;
  let fan: FanOutTopic;
  before(async () => {
    rec = installMocks({ stack: "fanout-test" });
    const uploads = new SecureBucket("uploads");
    fan = new FanOutTopic("objects", {
      alarmTopicArn: ALARMS,
      publishers: {
        buckets: [
          { bucket: uploads, events: ["s3:ObjectCreated:*"], filterPrefix: "images/" },
          { bucket: uploads, events: ["s3:ObjectCreated:*"], filterPrefix: "docs/", id: "docs" },
        ],
        services: [{ service: "events.amazonaws.com", sourceArn: RULE }],
        principals: [PUBLISHER_ROLE],
      },
      subscribers: {
        indexer: {
          rawMessageDelivery: true,
          filterPolicy: { Records: { eventName: [{ prefix: "ObjectCreated:" }] } },
          filterPolicyScope: "MessageBody",
          maxReceiveCount: 3,
          consumer: {
            code: "echo",
            functionsDir,
            timeout: 20,
            batchSize: 50,
            maximumBatchingWindowInSeconds: 5,
            maximumConcurrency: 4,
          },
        },
        audit: {
          alsoSubscribeTo: [OTHER_TOPIC],
          visibilityTimeoutSeconds: 90,
          transform: { subscription: { deliveryPolicy: '{"healthyRetryPolicy":{}}' } },
        },
      },
      transform: { topic: { displayName: "objects" } },
    });
    await rec.settle();
  });

  const topicArn = () => rec.get(TOPIC, "objects").state.arn as string;
  const queueArn = (n: string) => rec.get(QUEUE, n).state.arn as string;
  const key = (n: string) => rec.get(KEY, n);

  it("encrypts the topic with its own rotating customer-managed key", () => {
    const topic = rec.get(TOPIC, "objects").inputs;
    expect(topic.kmsMasterKeyId).to.equal(key("objects-topic").state.arn);
    expect(topic.signatureVersion).to.equal(2);
    expect(topic.displayName).to.equal("objects"); // transform hook
    expect(key("objects-topic").inputs.enableKeyRotation).to.equal(true);
    expect(key("objects-queues").inputs.enableKeyRotation).to.equal(true);
  });

  it("topic key policy: S3 and EventBridge as AWS documents them (no condition)", () => {
    const stmts = statements(key("objects-topic").inputs.policy);
    const s3 = stmts.find(
      (s) => s.Principal !== "*" && s.Principal?.Service === "s3.amazonaws.com",
    );
    expect(s3?.Action).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
    // S3 is not known to send source keys to KMS; the topic policy limits the bucket instead.
    expect(s3).to.not.have.property("Condition");
    const events = stmts.find(
      (s) => s.Principal !== "*" && s.Principal?.Service === "events.amazonaws.com",
    );
    // EventBridge sends no source keys to KMS: a condition on them would drop every event.
    expect(events?.Action).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
    expect(events).to.not.have.property("Condition");
    // SNS gets no grant on the topic key: it is the queue key SNS encrypts with.
    expect(
      stmts.some((s) => s.Principal !== "*" && s.Principal?.Service === "sns.amazonaws.com"),
    ).to.equal(false);
  });

  it("queue key policy: only SNS, in AWS's documented form (the queue policies name the topics)", () => {
    const stmts = statements(key("objects-queues").inputs.policy);
    const services = stmts.flatMap((s) =>
      s.Principal !== "*" && s.Principal?.Service ? [s.Principal.Service] : [],
    );
    expect(services).to.deep.equal(["sns.amazonaws.com"]);
    const sns = stmts.find((s) => s.Principal !== "*" && s.Principal?.Service)!;
    expect(sns.Action).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
    expect(sns).to.not.have.property("Condition");
  });

  it("gives every subscriber its own encrypted queue and DLQ with a redrive policy", () => {
    const queueKey = key("objects-queues").state.arn;
    for (const [sub, maxReceive] of [
      ["indexer", 3],
      ["audit", 5],
    ] as const) {
      const q = rec.get(QUEUE, `objects-${sub}`);
      const dlq = rec.get(QUEUE, `objects-${sub}-dlq`);
      expect(q.inputs.kmsMasterKeyId).to.equal(queueKey);
      expect(dlq.inputs.kmsMasterKeyId).to.equal(queueKey);
      expect(JSON.parse(q.inputs.redrivePolicy as string)).to.deep.equal({
        deadLetterTargetArn: dlq.state.arn,
        maxReceiveCount: maxReceive,
      });
    }
    expect(fan.subscribers.indexer.dlq).to.equal(fan.subscribers.indexer.queue.dlq);
  });

  it("sizes the visibility timeout to 6x the consumer timeout by default", () => {
    expect(rec.get(QUEUE, "objects-indexer").inputs.visibilityTimeoutSeconds).to.equal(120);
    expect(rec.get(QUEUE, "objects-audit").inputs.visibilityTimeoutSeconds).to.equal(90);
  });

  it("writes ONE policy per queue with every SNS grant limited by aws:SourceArn, plus TLS-only", () => {
    const policies = rec
      .byType(QUEUE_POLICY)
      .filter((p) => p.inputs.queueUrl === rec.get(QUEUE, "objects-audit").state.url);
    expect(policies).to.have.length(1);
    const stmts = statements(policies[0].inputs.policy);
    const allows = stmts.filter((s) => s.Effect === "Allow");
    expect(allows).to.have.length(2);
    for (const [i, source] of [topicArn(), OTHER_TOPIC].entries()) {
      expect(allows[i]).to.deep.include({
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn("objects-audit"),
        Condition: { ArnEquals: { "aws:SourceArn": source } },
      });
    }
    const deny = stmts.find((s) => s.Effect === "Deny")!;
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("lets SNS redrive undeliverable messages into each DLQ (subscription redrive)", () => {
    const dlqUrl = rec.get(QUEUE, "objects-indexer-dlq").state.url;
    const dlqPolicy = rec.byType(QUEUE_POLICY).find((p) => p.inputs.queueUrl === dlqUrl)!;
    const send = statements(dlqPolicy.inputs.policy).find((s) => s.Effect === "Allow")!;
    expect(send).to.deep.include({
      Principal: { Service: "sns.amazonaws.com" },
      Resource: queueArn("objects-indexer-dlq"),
      Condition: { ArnEquals: { "aws:SourceArn": topicArn() } },
    });
    const sub = rec.get(SUBSCRIPTION, "objects-indexer").inputs;
    expect(JSON.parse(sub.redrivePolicy as string)).to.deep.equal({
      deadLetterTargetArn: queueArn("objects-indexer-dlq"),
    });
  });

  it("subscribes each queue with its filter, scope and delivery mode", () => {
    const indexer = rec.get(SUBSCRIPTION, "objects-indexer").inputs;
    expect(indexer).to.deep.include({
      topic: topicArn(),
      protocol: "sqs",
      endpoint: queueArn("objects-indexer"),
      rawMessageDelivery: true,
      filterPolicyScope: "MessageBody",
    });
    expect(JSON.parse(indexer.filterPolicy as string)).to.deep.equal({
      Records: { eventName: [{ prefix: "ObjectCreated:" }] },
    });
    const audit = rec.get(SUBSCRIPTION, "objects-audit").inputs;
    expect(audit.rawMessageDelivery).to.equal(false);
    expect(audit.filterPolicy).to.equal(undefined);
    expect(audit.deliveryPolicy).to.equal('{"healthyRetryPolicy":{}}'); // transform hook
    const also = rec.get(SUBSCRIPTION, "objects-audit-also0").inputs;
    expect(also.topic).to.equal(OTHER_TOPIC);
    expect(also.endpoint).to.equal(queueArn("objects-audit"));
  });

  it("creates subscriptions only after the queue policies and the queue key exist", () => {
    const deps = rec.get(SUBSCRIPTION, "objects-indexer").dependsOn;
    const policyUrns = rec
      .byType(QUEUE_POLICY)
      .filter((p) =>
        [
          rec.get(QUEUE, "objects-indexer").state.url,
          rec.get(QUEUE, "objects-indexer-dlq").state.url,
        ].includes(p.inputs.queueUrl as string),
      )
      .map((p) => p.urn);
    expect(policyUrns).to.have.length(2);
    for (const urn of policyUrns) expect(deps).to.include(urn);
    expect(deps).to.include(key("objects-queues").urn);
  });

  it("topic policy: S3 (bucket + account), the service (source), the principals, TLS-only", () => {
    const stmts = statements(rec.get(TOPIC_POLICY, "objects").inputs.policy);
    const bucketArn = rec.get("aws:s3/bucket:Bucket", "uploads").state.arn;
    expect(stmts.find((s) => s.Sid === "S3Publishes0")).to.deep.include({
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn(),
      Condition: {
        ArnEquals: { "aws:SourceArn": bucketArn },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    });
    expect(stmts.filter((s) => s.Sid?.startsWith("S3Publishes"))).to.have.length(1);
    expect(stmts.find((s) => s.Sid === "eventsPublishes0")?.Condition).to.deep.equal({
      ArnEquals: { "aws:SourceArn": RULE },
      StringEquals: { "aws:SourceAccount": ACCOUNT },
    });
    expect(stmts.find((s) => s.Sid === "PrincipalsPublish")?.Principal).to.deep.equal({
      AWS: [PUBLISHER_ROLE],
    });
    const deny = stmts.find((s) => s.Effect === "Deny")!;
    expect(deny).to.deep.include({ Principal: "*", Action: "sns:Publish", Resource: [topicArn()] });
    expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
  });

  it("writes ONE notification per bucket holding every filter, after the topic grants", () => {
    const notifications = rec.byType(NOTIFICATION);
    expect(notifications).to.have.length(1);
    const n = notifications[0];
    expect(n.inputs.topics).to.deep.equal([
      {
        id: "objects-0",
        topicArn: topicArn(),
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "images/",
      },
      { id: "docs", topicArn: topicArn(), events: ["s3:ObjectCreated:*"], filterPrefix: "docs/" },
    ]);
    expect(n.dependsOn).to.include(rec.get(TOPIC_POLICY, "objects").urn);
    expect(n.dependsOn).to.include(key("objects-topic").urn);
  });

  it("alarms on each DLQ's depth and on deliveries SNS lost", () => {
    const alarms = rec.byType(ALARM);
    for (const sub of ["indexer", "audit"]) {
      const a = rec.get(ALARM, `objects-${sub}-dlq-depth`).inputs;
      expect(a.dimensions).to.deep.equal({
        QueueName: rec.get(QUEUE, `objects-${sub}-dlq`).state.name,
      });
      expect(a.alarmActions).to.deep.equal([ALARMS]);
    }
    const lost = rec.get(ALARM, "objects-lost-deliveries").inputs;
    expect(lost).to.deep.include({
      namespace: "AWS/SNS",
      metricName: "NumberOfNotificationsFailedToRedriveToDlq",
    });
    expect(lost.dimensions).to.deep.equal({ TopicName: rec.get(TOPIC, "objects").state.name });
    // The consumer's own errors/throttles alarms go to the same topic.
    expect(alarms.map((a) => a.name)).to.include.members([
      "objects-indexer-errors",
      "objects-indexer-throttles",
    ]);
  });

  it("wires the consumer: batch settings, ReportBatchItemFailures, least-privilege role", () => {
    const esm = rec.get(ESM, "objects-indexer").inputs;
    expect(esm).to.deep.include({
      eventSourceArn: queueArn("objects-indexer"),
      functionName: rec.get(FUNCTION, "objects-indexer").state.arn,
      batchSize: 50,
      maximumBatchingWindowInSeconds: 5,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: 4 },
    });
    expect(rec.get(ESM, "objects-indexer").dependsOn).to.include(
      rec.get(ROLE_POLICY, "objects-indexer").urn,
    );
    const stmts = statements(rec.get(ROLE_POLICY, "objects-indexer").inputs.policy);
    expect(stmts).to.deep.include({
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: [queueArn("objects-indexer")],
    });
    expect(stmts).to.deep.include({
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [key("objects-queues").state.arn],
    });
    expect(rec.byType(ESM)).to.have.length(1); // audit has no consumer
    expect(fan.subscribers.audit.consumer).to.equal(undefined);
  });

  it("parents every child under the component", () => {
    const root = rec.byType("serverless:messaging:FanOutTopic")[0];
    const below = rec.descendants(root.urn).map((r) => r.type);
    for (const t of [TOPIC, TOPIC_POLICY, SUBSCRIPTION, QUEUE, KEY, NOTIFICATION, ESM]) {
      expect(below).to.include(t);
    }
  });
});

describe("FanOutTopic (FIFO, unmanaged notifications)", () => {
  let rec: Recorder;
  let fan: FanOutTopic;
  let files: FanOutTopic;
  before(async () => {
    rec = installMocks({ stack: "fanout-fifo-test" });
    fan = new FanOutTopic("orders", {
      fifo: true,
      contentBasedDeduplication: true,
      subscribers: { billing: {}, shipping: { consumer: { code: "echo", functionsDir } } },
    });
    files = new FanOutTopic("files", {
      manageBucketNotifications: false,
      publishers: {
        buckets: [
          {
            bucket: { name: "shared-bucket", arn: "arn:aws:s3:::shared-bucket" },
            events: ["s3:ObjectRemoved:*"],
          },
        ],
      },
      subscribers: { cleanup: {} },
    });
    await rec.settle();
  });

  it("makes a FIFO topic with FIFO queues and DLQs", () => {
    expect(rec.get(TOPIC, "orders").inputs).to.deep.include({
      fifoTopic: true,
      contentBasedDeduplication: true,
    });
    for (const n of ["orders-billing", "orders-billing-dlq", "orders-shipping-dlq"]) {
      expect(rec.get(QUEUE, n).inputs.fifoQueue).to.equal(true);
    }
    expect(rec.get(ESM, "orders-shipping").inputs.maximumBatchingWindowInSeconds).to.equal(
      undefined,
    );
    expect(fan.subscribers.billing.subscription).to.not.equal(undefined);
  });

  it("creates no alarms without an alarm topic", () => {
    expect(rec.byType(ALARM)).to.have.length(0);
  });

  it("leaves the notification to the caller but hands over the targets", () => {
    expect(rec.byType(NOTIFICATION)).to.have.length(0);
    expect(files.notifications).to.have.length(0);
    expect(files.bucketTargets).to.have.length(1);
    const [target] = files.bucketTargets[0].targets;
    expect(target).to.deep.include({ id: "files-0", events: ["s3:ObjectRemoved:*"] });
    expect(target.dependsOn).to.include(files.topicPolicy);
  });
});

describe("FanOutTopic validation", () => {
  let rec: Recorder;
  before(() => {
    rec = installMocks({ stack: "fanout-invalid" });
  });

  const build = (args: FanOutTopicArgs) => () => new FanOutTopic("bad", args);

  it("rejects a visibility timeout shorter than 6x the consumer timeout, naming field and fix", () => {
    const before = rec.resources.length;
    expect(
      build({
        subscribers: {
          slow: {
            visibilityTimeoutSeconds: 60,
            consumer: { code: "echo", functionsDir, timeout: 30 },
          },
        },
      }),
    ).to.throw(
      /FanOutTopic "bad".*\n.*subscribers\.slow\.consumer\.timeout.*60 s is less than 6x.*at least 180/,
    );
    expect(rec.resources.length).to.equal(before);
  });

  it("lists every problem at once", () => {
    let message = "";
    try {
      build({
        fifo: true,
        publishers: {
          buckets: [{ bucket: { name: "b", arn: "arn:aws:s3:::b" }, events: [] }],
        },
        subscribers: {
          Bad_Name: { filterPolicyScope: "MessageBody" },
          big: { consumer: { code: "echo", functionsDir, batchSize: 20 } },
          busy: { consumer: { code: "echo", functionsDir, maximumConcurrency: 1 } },
        },
      })();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.contain("publishers.buckets: S3 cannot publish to a FIFO topic");
    expect(message).to.contain("publishers.buckets[0].events: lists no event");
    expect(message).to.contain('subscribers.Bad_Name: "Bad_Name" is not a valid subscriber name');
    expect(message).to.contain(
      "subscribers.Bad_Name.filterPolicyScope: is set without a filterPolicy",
    );
    expect(message).to.contain(
      "subscribers.big.consumer.batchSize: 20 is outside 1-10 (FIFO queue)",
    );
    expect(message).to.contain("subscribers.busy.consumer.maximumConcurrency: 1 is outside 2-1000");
  });

  it("requires a batching window for batches above 10 and at least one subscriber", () => {
    expect(
      build({ subscribers: { big: { consumer: { code: "echo", functionsDir, batchSize: 100 } } } }),
    ).to.throw(
      /batchSize.*maximumBatchingWindowInSeconds|maximumBatchingWindowInSeconds: a batch size of 100/,
    );
    expect(build({ subscribers: {} })).to.throw(/subscribers: no subscriber given/);
  });
});
