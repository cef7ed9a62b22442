import { expect } from "chai";
import {
  AlarmTopic,
  AlarmTopicArgs,
  isEmailAddress,
} from "../../components/observability/alarmTopic";
import { RecordedResource, Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";

const T = {
  key: "aws:kms/key:Key",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
};

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: "*" | { Service?: string; AWS?: string };
  Condition?: Record<string, Record<string, string>>;
}

const statementsOf = (json: unknown): PolicyStatement[] =>
  (JSON.parse(String(json)) as { Statement: PolicyStatement[] }).Statement;

async function build(name: string, args: AlarmTopicArgs) {
  const rec = installMocks();
  const topic = new AlarmTopic(name, args);
  await rec.settle();
  const mine = rec.descendants(await valueOf(topic.urn));
  const of = (type: string) => mine.filter((r) => r.type === type);
  return { rec, topic, of };
}

describe("AlarmTopic: without email", () => {
  let topic: AlarmTopic;
  let of: (type: string) => RecordedResource[];

  before(async () => {
    ({ topic, of } = await build("alarms", {}));
  });

  it("encrypts the topic with its own rotating customer-managed key", async () => {
    const [key] = of(T.key);
    expect(key.inputs.enableKeyRotation).to.equal(true);
    const [t] = of(T.topic);
    expect(t.inputs.kmsMasterKeyId).to.equal(key.state.arn);
    expect(t.inputs.kmsMasterKeyId).to.equal(await valueOf(topic.key.arn));
  });

  it("lets CloudWatch use the key in AWS's documented form: no source condition KMS never sees", () => {
    const statements = statementsOf(of(T.key)[0].inputs.policy);
    const cw = statements.filter(
      (s) => s.Principal !== "*" && s.Principal?.Service === "cloudwatch.amazonaws.com",
    );
    expect(cw).to.have.length(1);
    expect(cw[0].Effect).to.equal("Allow");
    expect(cw[0].Action).to.have.members(["kms:GenerateDataKey*", "kms:Decrypt"]);
    expect(cw[0]).to.not.have.property("Condition");
  });

  it("topic policy: CloudWatch may publish, conditioned on the source account", async () => {
    const arn = await valueOf(topic.arn);
    const [policy] = of(T.topicPolicy);
    expect(policy.inputs.arn).to.equal(arn);
    const statements = statementsOf(policy.inputs.policy);
    const allows = statements.filter((s) => s.Effect === "Allow");
    expect(allows).to.have.length(1);
    expect(allows[0]).to.deep.include({
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: arn,
    });
    expect(allows[0].Condition?.StringEquals).to.deep.equal({
      "aws:SourceAccount": "123456789012",
    });
  });

  it("topic policy: denies every request not sent over TLS", async () => {
    const arn = await valueOf(topic.arn);
    const deny = statementsOf(of(T.topicPolicy)[0].inputs.policy).find((s) => s.Effect === "Deny");
    expect(deny).to.deep.equal({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: [arn],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("creates no subscription and exposes the topic's ARN", async () => {
    expect(of(T.subscription)).to.have.length(0);
    expect(topic.subscription).to.equal(undefined);
    expect(await valueOf(topic.arn)).to.match(
      /^arn:aws:sns:us-east-1:123456789012:alarms-[0-9a-f]{7}$/,
    );
    expect(await valueOf(topic.arn)).to.equal(await valueOf(topic.topic.arn));
  });
});

describe("AlarmTopic: with email", () => {
  let topic: AlarmTopic;
  let of: (type: string) => RecordedResource[];

  before(async () => {
    ({ topic, of } = await build("ops-alarms", {
      email: "ops@example.com",
      transform: { topic: { displayName: "Ops" } },
    }));
  });

  it("subscribes the address by email to the topic", async () => {
    const subs = of(T.subscription);
    expect(subs).to.have.length(1);
    expect(subs[0].inputs).to.include({
      protocol: "email",
      endpoint: "ops@example.com",
      topic: await valueOf(topic.arn),
    });
  });

  it("applies the topic transform", () => {
    expect(of(T.topic)[0].inputs.displayName).to.equal("Ops");
  });
});

describe("AlarmTopic: argument validation", () => {
  let rec: Recorder;
  before(() => {
    rec = installMocks();
  });

  it("rejects a malformed email before creating anything", async () => {
    for (const email of ["ops", "ops@", "@example.com", "ops@example", "o ps@example.com", ""]) {
      expect(() => new AlarmTopic(`bad-${email.length}`, { email }), email).to.throw(
        /AlarmTopic "bad-\d+" has invalid arguments:[\s\S]*email: .* is not an email address \(fix: /,
      );
    }
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom)).to.have.length(0);
  });

  it("isEmailAddress accepts ordinary addresses", () => {
    for (const ok of ["ops@example.com", "first.last+alarms@sub.example.co.uk"]) {
      expect(isEmailAddress(ok), ok).to.equal(true);
    }
    expect(isEmailAddress(`${"a".repeat(250)}@x.io`)).to.equal(false);
  });
});
