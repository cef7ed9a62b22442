import { readStreamNotifierEnv } from "../../functions/stream-notifier/env";
import { expect } from "chai";
import { AuthorizationErrorException, PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import {
  DEFAULT_NOTIFY_EVENT_NAMES,
  DEFAULT_NOTIFY_SEVERITIES,
  NOTIFY_SEVERITIES,
  NotifyRules as ComponentRules,
  notificationFilterPatterns,
} from "../../components/streaming/changeNotifier";
import { SEVERITIES } from "../../functions/lib/streamEvents";
import { makeHandler } from "../../functions/stream-notifier/handler";
import {
  DEFAULT_RULES,
  NotifyRules,
  SMS_MAX,
  SUBJECT_MAX,
  formatNotification,
  shouldNotify,
} from "../../functions/stream-notifier/notify";
import * as faults from "./support/awsFaults";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:realtime-notify";
let seq = 1000;

/** A DynamoDB Streams record of the data table, as Lambda delivers it. */
function change(
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  row: Record<string, unknown>,
  old?: Record<string, unknown>,
): DynamoDBRecord {
  const image = (r: Record<string, unknown>) =>
    marshall(r, { removeUndefinedValues: true }) as NonNullable<
      DynamoDBRecord["dynamodb"]
    >["NewImage"];
  return {
    eventID: `id-${seq}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN:
      "arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026-01-01T00:00:00.000",
    dynamodb: {
      Keys: image({ eventId: row.eventId }),
      ...(eventName !== "REMOVE" ? { NewImage: image(row) } : {}),
      ...(eventName === "REMOVE" ? { OldImage: image(row) } : old ? { OldImage: image(old) } : {}),
      SequenceNumber: String(seq++),
      SizeBytes: 100,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}

const row = (severity: string, extra: Record<string, unknown> = {}) => ({
  eventId: `evt-${severity}-${seq}`,
  type: "payment_failed",
  severity,
  occurredAt: "2026-03-01T12:00:00.000Z",
  key: "customer-42",
  value: 99.5,
  payload: { amount: 99.5, currency: "EUR", reason: "card declined" },
  ...extra,
});

/**
 * Lambda's event filtering (EventBridge pattern syntax) for the subset the notifier's patterns
 * use: nested objects, and arrays of allowed scalar values. A record passes if any pattern matches.
 */
function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((p) => p === value);
  if (pattern && typeof pattern === "object") {
    if (!value || typeof value !== "object") return false;
    return Object.entries(pattern).every(([k, p]) =>
      matches(p, (value as Record<string, unknown>)[k]),
    );
  }
  throw new Error(`unsupported pattern ${JSON.stringify(pattern)}`);
}
const passesFilter = (record: DynamoDBRecord, rules: ComponentRules) =>
  notificationFilterPatterns(rules).some((p) => matches(p, record));

describe("functions/stream-notifier: filters", () => {
  const records = [
    change("INSERT", row("critical")),
    change("INSERT", row("high")),
    change("INSERT", row("info")),
    change("MODIFY", row("high"), row("info")),
    change("MODIFY", row("low"), row("critical")),
    change("REMOVE", row("critical")),
    change("REMOVE", row("medium")),
  ];
  const ruleSets: NotifyRules[] = [
    DEFAULT_RULES,
    { eventNames: ["INSERT", "MODIFY"], severities: ["high"] },
    { eventNames: ["REMOVE"], severities: ["critical", "medium"] },
    { eventNames: ["INSERT", "MODIFY", "REMOVE"], severities: [] },
    { eventNames: ["INSERT", "REMOVE"], severities: ["critical"] },
  ];

  it("agree between the event source mapping's patterns and the code, for every rule set", () => {
    for (const rules of ruleSets) {
      for (const r of records) {
        expect(passesFilter(r, rules), `${JSON.stringify(rules)} ${r.eventName}`).to.equal(
          shouldNotify(r, rules),
        );
      }
    }
  });

  it("by default notify only new high and critical events", () => {
    expect(
      records.filter((r) => shouldNotify(r, DEFAULT_RULES)).map((r) => r.dynamodb!.SequenceNumber),
    ).to.deep.equal([records[0], records[1]].map((r) => r.dynamodb!.SequenceNumber));
  });

  it("judge a removal by the row it removed", () => {
    const rules: NotifyRules = { eventNames: ["REMOVE"], severities: ["critical"] };
    expect(records.filter((r) => shouldNotify(r, rules))).to.deep.equal([records[5]]);
  });

  it("match the component's defaults and severities", () => {
    expect(DEFAULT_RULES).to.deep.equal({
      eventNames: DEFAULT_NOTIFY_EVENT_NAMES,
      severities: DEFAULT_NOTIFY_SEVERITIES,
    });
    expect([...NOTIFY_SEVERITIES]).to.deep.equal([...SEVERITIES]);
  });

  it("read the rules from the environment the component sets, and reject unknown values", () => {
    const rules = (env: Record<string, string>) => {
      const { eventNames, severities } = readStreamNotifierEnv({ TOPIC_ARN: "t", ...env });
      return { eventNames, severities };
    };
    expect(rules({})).to.deep.equal(DEFAULT_RULES);
    // Empty is "every severity", not the default.
    expect(rules({ NOTIFY_EVENT_NAMES: "INSERT,MODIFY", NOTIFY_SEVERITIES: "" })).to.deep.equal({
      eventNames: ["INSERT", "MODIFY"],
      severities: [],
    });
    expect(() => rules({ NOTIFY_SEVERITIES: "high,urgent" })).to.throw(/urgent/);
    expect(() => readStreamNotifierEnv({})).to.throw(/TOPIC_ARN is not set/);
  });
});

describe("functions/stream-notifier: messages", () => {
  it("give each protocol its own text: email details, a short SMS, a JSON default", () => {
    const r = change("INSERT", row("critical"));
    const n = formatNotification(r);
    expect(n.sequenceNumber).to.equal(r.dynamodb!.SequenceNumber);
    expect(n.subject).to.equal("[CRITICAL] new payment_failed event for customer-42");
    const msg = JSON.parse(n.message);
    expect(Object.keys(msg).sort()).to.deep.equal(["default", "email", "sms"]);
    expect(msg.email).to.include("A critical-severity payment_failed event was stored.");
    expect(msg.email).to.include("Key:       customer-42");
    expect(msg.email).to.include('"reason": "card declined"');
    expect(msg.sms).to.match(
      /^CRITICAL new payment_failed key=customer-42 value=99.5 at 2026-03-01T12:00:00.000Z id=evt-critical/,
    );
    expect(msg.sms.length).to.be.at.most(SMS_MAX);
    expect(JSON.parse(msg.default)).to.include({
      change: "INSERT",
      severity: "critical",
      type: "payment_failed",
    });
    expect(n.attributes.severity).to.deep.equal({ DataType: "String", StringValue: "critical" });
    expect(n.attributes.eventType.StringValue).to.equal("payment_failed");
    expect(n.attributes["AWS.SNS.SMS.SMSType"].StringValue).to.equal("Transactional");
  });

  it("keep subjects and SMS within SNS limits whatever the event carries", () => {
    const long = row("high", {
      type: "x".repeat(64),
      key: "ключ\nwith\r\nbreaks and a very long tail ".repeat(8),
      payload: { blob: "y".repeat(20_000) },
    });
    const n = formatNotification(change("MODIFY", long));
    expect(n.subject.length).to.be.at.most(SUBJECT_MAX);
    expect(n.subject).to.match(/^[\x20-\x7e]+$/);
    const msg = JSON.parse(n.message);
    expect(msg.sms.length).to.be.at.most(SMS_MAX);
    expect(msg.email.length).to.be.below(6000);
    expect(Buffer.byteLength(n.message)).to.be.below(256 * 1024);
  });

  it("describe a removal from the old image", () => {
    const n = formatNotification(change("REMOVE", row("high")));
    expect(n.subject).to.equal("[HIGH] removed payment_failed event for customer-42");
    expect(JSON.parse(n.message).email).to.include("event was removed.");
  });
});

describe("functions/stream-notifier: handler (mocked SNS)", () => {
  const client = new SNSClient({ region: "us-east-1" });
  const stub = () => mockClient(client);
  // Stubbed in before(), on this client only: other suites use SNS clients of their own.
  let sns: ReturnType<typeof stub>;
  const handler = makeHandler({ sns: client, topicArn: TOPIC, rules: DEFAULT_RULES });
  const event = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
  before(() => (sns = stub()));
  beforeEach(() => sns.reset());
  after(() => sns.restore());

  it("publishes matching changes in batches of ten and skips the rest", async () => {
    sns
      .on(PublishBatchCommand)
      .callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
        Successful: input.PublishBatchRequestEntries.map((e) => ({
          Id: e.Id,
          MessageId: `m-${e.Id}`,
        })),
        Failed: [],
      }));
    const records = [
      ...Array.from({ length: 23 }, () => change("INSERT", row("high"))),
      change("INSERT", row("info")),
      change("MODIFY", row("critical")),
    ];
    const out = await handler(event(records));
    expect(out.batchItemFailures).to.deep.equal([]);
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.map((c) => c.args[0].input.PublishBatchRequestEntries!.length)).to.deep.equal([
      10, 10, 3,
    ]);
    const entry = calls[0].args[0].input.PublishBatchRequestEntries![0];
    expect(calls[0].args[0].input.TopicArn).to.equal(TOPIC);
    expect(entry).to.include({
      MessageStructure: "json",
      Subject: "[HIGH] new payment_failed event for customer-42",
    });
    expect(Object.keys(JSON.parse(entry.Message!))).to.have.members(["default", "email", "sms"]);
  });

  it("logs a refused publish as an error (not a warning) and reports the record for retry", async () => {
    const logged: Record<string, string[]> = { info: [], warn: [], error: [] };
    const logger = {
      info: (m: string) => logged.info.push(m),
      warn: (m: string) => logged.warn.push(m),
      error: (m: string) => logged.error.push(m),
    };
    const loud = makeHandler({ sns: client, topicArn: TOPIC, rules: DEFAULT_RULES, logger });
    sns.on(PublishBatchCommand).rejects(
      new AuthorizationErrorException({
        message: "User is not authorized to perform: SNS:Publish",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const records = [change("INSERT", row("critical"))];
    const out = await loud(event(records));
    expect(out.batchItemFailures).to.deep.equal([
      { itemIdentifier: records[0].dynamodb!.SequenceNumber },
    ]);
    expect(logged.error).to.deep.equal(["publish batch denied"]);
    expect(logged.warn).to.deep.equal([]);
  });

  it("reports the first entry SNS rejects and publishes nothing after it", async () => {
    const records = Array.from({ length: 25 }, () => change("INSERT", row("critical")));
    sns
      .on(PublishBatchCommand)
      .resolvesOnce({
        Successful: Array.from({ length: 10 }, (_, i) => ({ Id: String(i) })),
        Failed: [],
      })
      .resolvesOnce({
        Successful: [],
        Failed: [
          { Id: "6", Code: "InternalError", SenderFault: false },
          { Id: "3", Code: "Throttling", SenderFault: false },
        ],
      });
    const out = await handler(event(records));
    expect(out.batchItemFailures).to.deep.equal([
      { itemIdentifier: records[13].dynamodb!.SequenceNumber },
    ]);
    expect(sns.commandCalls(PublishBatchCommand)).to.have.length(2);
  });

  it("reports the first record of a batch whose request fails outright", async () => {
    const records = Array.from({ length: 3 }, () => change("INSERT", row("high")));
    sns.on(PublishBatchCommand).rejects(new Error("KMS key disabled"));
    const out = await handler(event(records));
    expect(out.batchItemFailures).to.deep.equal([
      { itemIdentifier: records[0].dynamodb!.SequenceNumber },
    ]);
  });

  it("reports the first record when SNS throttles or refuses the batch; the retry publishes from there", async () => {
    for (const error of [faults.sns.throttled(), faults.sns.notAuthorized()]) {
      sns.reset();
      const records = Array.from({ length: 12 }, () => change("INSERT", row("critical")));
      sns
        .on(PublishBatchCommand)
        .resolvesOnce({
          Successful: Array.from({ length: 10 }, (_, i) => ({ Id: String(i) })),
          Failed: [],
        })
        .rejectsOnce(error)
        .resolves({ Successful: [{ Id: "0" }, { Id: "1" }], Failed: [] });
      const out = await handler(event(records));
      expect(out.batchItemFailures, error.name).to.deep.equal([
        { itemIdentifier: records[10].dynamodb!.SequenceNumber },
      ]);
      // Lambda retries from the reported record: only the two unpublished changes go out again.
      const retry = await handler(event(records.slice(10)));
      expect(retry.batchItemFailures).to.deep.equal([]);
      const sizes = sns
        .commandCalls(PublishBatchCommand)
        .map((c) => c.args[0].input.PublishBatchRequestEntries!.length);
      expect(sizes, error.name).to.deep.equal([10, 2, 2]);
    }
  });

  it("keeps a PublishBatch of ten of the largest events under SNS's 256 KiB request limit", async () => {
    // Worst cases for the encoded size: 3-byte characters, characters JSON escapes, long keys.
    const huge = (i: number) =>
      row("critical", {
        eventId: `e${i}`.padEnd(128, "i"),
        type: "t".repeat(64),
        key: "鍵".repeat(256),
        payload: { cjk: "字".repeat(200_000), escaped: '\u0001"\n'.repeat(10_000) },
      });
    sns
      .on(PublishBatchCommand)
      .callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
        Successful: input.PublishBatchRequestEntries.map((e) => ({ Id: e.Id })),
        Failed: [],
      }));
    await handler(event(Array.from({ length: 10 }, (_, i) => change("INSERT", huge(i)))));
    const [call] = sns.commandCalls(PublishBatchCommand);
    const entries = call.args[0].input.PublishBatchRequestEntries!;
    expect(entries).to.have.length(10);
    const bytes = entries.reduce(
      (sum, e) =>
        sum +
        Buffer.byteLength(e.Message!) +
        Buffer.byteLength(e.Subject ?? "") +
        Object.entries(e.MessageAttributes ?? {}).reduce(
          (a, [k, v]) => a + Buffer.byteLength(k) + Buffer.byteLength(v.StringValue ?? "") + 6,
          0,
        ),
      0,
    );
    expect(bytes).to.be.below(256 * 1024);
  });

  it("does not call SNS when nothing matches", async () => {
    const out = await handler(
      event([change("INSERT", row("low")), change("REMOVE", row("critical"))]),
    );
    expect(out.batchItemFailures).to.deep.equal([]);
    expect(sns.commandCalls(PublishBatchCommand)).to.have.length(0);
  });
});
