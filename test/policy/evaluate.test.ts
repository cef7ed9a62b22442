import * as aws from "@pulumi/aws";
import type {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { expect } from "chai";
import { AlarmTopic } from "../../components/observability/alarmTopic";
import { allow, policyDocument } from "../../components/security/iam";
import { ServiceKey } from "../../components/security/kmsKey";
import { BundledFunction } from "../../components/compute/lambdaFunction";
import { evaluatePolicies, evaluatePoliciesAsync } from "../../policy/evaluate";
import { installMocks } from "../../scripts/harness/recorder";
import { T, goodStack, res, urnOf } from "./fixtures";
import { FUNCTIONS_DIR as functionsDir } from "../support/componentFixtures";

const STACK_URN =
  "urn:pulumi:test::aws-serverless-flows::pulumi:pulumi:Stack::aws-serverless-flows-test";

describe("policy evaluator", () => {
  it("isType/asType match on the class's Pulumi type; resource rules see inputs", () => {
    const seen: string[] = [];
    const rule: ResourceValidationPolicy = {
      name: "probe",
      description: "probe",
      enforcementLevel: "advisory",
      validateResource: (args, report) => {
        if (!args.isType(aws.sqs.Queue)) return;
        expect(args.asType(aws.sns.Topic)).to.equal(undefined);
        const queue = args.asType(aws.sqs.Queue);
        seen.push(`${args.name}:${queue?.kmsMasterKeyId}:${String(args.props.url)}`);
        report("seen");
      },
    };
    const resources = [
      res(T.queue, "q", { kmsMasterKeyId: "k" }, { state: { url: "https://sqs/q" } }),
      res(T.topic, "t", {}),
    ];
    const found = evaluatePolicies(resources, { rules: [rule] });
    expect(seen).to.deep.equal(["q:k:undefined"]);
    expect(found).to.deep.equal([
      { policy: "probe", urn: urnOf(T.queue, "q"), message: "seen", enforcementLevel: "advisory" },
    ]);
  });

  it("validateResourceOfType rules are not applicable to other types (silent)", () => {
    const rule: ResourceValidationPolicy = {
      name: "topics-only",
      description: "d",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(aws.sns.Topic, (_t, _a, report) => report("topic")),
    };
    const found = evaluatePolicies([res(T.queue, "q", {}), res(T.topic, "t", {})], {
      rules: [rule],
    });
    expect(found.map((v) => v.urn)).to.deep.equal([urnOf(T.topic, "t")]);
  });

  it("a resource rule's report always names the validated resource, whatever urn it passes", () => {
    const rule: ResourceValidationPolicy = {
      name: "r",
      description: "d",
      validateResource: (_args, report) => report("x", "urn:elsewhere"),
    };
    const found = evaluatePolicies([res(T.queue, "q", {})], { rules: [rule] });
    expect(found.map((v) => v.urn)).to.deep.equal([urnOf(T.queue, "q")]);
  });

  it("stack rules see outputs, parents, dependencies and property dependencies as objects", () => {
    let captured: PolicyResource[] = [];
    const rule: StackValidationPolicy = {
      name: "s",
      description: "stack",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        captured = args.resources;
        report("about the queue", urnOf(T.queue, "q"));
        report("about the stack");
      },
    };
    const parent = res("serverless:messaging:Thing", "thing", {}, {});
    const topic = res(T.topic, "t", {}, { state: { arn: "arn:t" } });
    const queue = {
      ...res(T.queue, "q", {}, { parent: parent.urn, dependsOn: [topic.urn, "urn:missing"] }),
      propertyDependencies: { policy: [topic.urn] },
    };
    const found = evaluatePolicies([parent, topic, queue], { rules: [rule] });
    expect(found).to.deep.equal([
      { policy: "s", urn: "", message: "about the stack", enforcementLevel: "mandatory" },
      {
        policy: "s",
        urn: urnOf(T.queue, "q"),
        message: "about the queue",
        enforcementLevel: "mandatory",
      },
    ]);
    const q = captured.find((r) => r.name === "q")!;
    const t = captured.find((r) => r.name === "t")!;
    expect(t.props.arn).to.equal("arn:t");
    expect(t.asType(aws.sns.Topic)?.arn).to.equal("arn:t");
    expect(q.isType(aws.sqs.Queue)).to.equal(true);
    expect(q.parent?.name).to.equal("thing");
    expect(q.opts.parent).to.equal(parent.urn);
    expect(q.dependencies).to.deep.equal([t]);
    expect(q.propertyDependencies.policy).to.deep.equal([t]);
  });

  it("a stack-wide finding names the root stack when it is among the resources", () => {
    const rule: StackValidationPolicy = {
      name: "s",
      description: "d",
      validateStack: (_a, report) => report(""),
    };
    const found = evaluatePolicies([res("pulumi:pulumi:Stack", "aws-serverless-flows-test", {})], {
      rules: [rule],
    });
    // An empty message falls back to the description, as the engine's does.
    expect(found).to.deep.equal([
      { policy: "s", urn: STACK_URN, message: "d", enforcementLevel: "advisory" },
    ]);
  });

  it("levels: disabled rules are skipped, remediate reports as mandatory, unset is advisory", () => {
    const make = (
      name: string,
      level?: ResourceValidationPolicy["enforcementLevel"],
    ): ResourceValidationPolicy => ({
      name,
      description: name,
      enforcementLevel: level,
      validateResource: (_a, report) => report(name),
    });
    const found = evaluatePolicies([res(T.queue, "q", {})], {
      rules: [make("off", "disabled"), make("fix", "remediate"), make("plain")],
    });
    expect(found.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([
      ["fix", "mandatory"],
      ["plain", "advisory"],
    ]);
  });

  it("runs every validation of a list, passes per-policy config, and notApplicable() is silent", () => {
    const rule: ResourceValidationPolicy = {
      name: "list",
      description: "d",
      validateResource: [
        (args) => args.notApplicable("not this one"),
        (args, report) => report(`limit ${args.getConfig<{ limit?: number }>().limit}`),
      ],
    };
    const found = evaluatePolicies([res(T.queue, "q", {})], {
      rules: [rule],
      config: { list: { limit: 3 } },
    });
    expect(found.map((v) => v.message)).to.deep.equal(["limit 3"]);
  });

  it("is deterministic: the same findings in the same order whatever the resource order", () => {
    const broken = [
      ...goodStack().map((r) =>
        r.type === T.queue || r.type === T.fn ? { ...r, inputs: { handler: "index.handler" } } : r,
      ),
      ...["c", "a", "b"].map((n) => res(T.bucket, n, {}, { state: { bucket: `${n}-bucket` } })),
    ];
    const forward = evaluatePolicies(broken);
    expect(forward.length).to.be.at.least(8);
    // Rule order first, then URN.
    expect(
      forward.filter((v) => v.policy === "s3-bucket-encrypted").map((v) => v.urn),
    ).to.deep.equal(["a", "b", "c"].map((n) => urnOf(T.bucket, n)));
    expect(evaluatePolicies([...broken].reverse())).to.deep.equal(forward);
    expect(evaluatePolicies(broken)).to.deep.equal(forward);
  });

  it("asynchronous rules need evaluatePoliciesAsync", async () => {
    const rule: ResourceValidationPolicy = {
      name: "slow",
      description: "d",
      validateResource: async (_a, report) => {
        await new Promise((r) => setTimeout(r, 1));
        report("late");
      },
    };
    const resources = [res(T.queue, "q", {})];
    expect(() => evaluatePolicies(resources, { rules: [rule] })).to.throw(/slow are asynchronous/);
    const found = await evaluatePoliciesAsync(resources, { rules: [rule] });
    expect(found.map((v) => v.message)).to.deep.equal(["late"]);
  });

  it("a rule that throws fails the evaluation, naming the policy and the resource", () => {
    const rule: ResourceValidationPolicy = {
      name: "buggy",
      description: "d",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    expect(() => evaluatePolicies([res(T.queue, "q", {})], { rules: [rule] })).to.throw(
      `policy buggy failed on ${urnOf(T.queue, "q")}: boom`,
    );
  });
});

describe("policy evaluator on resources recorded under the mock runtime", () => {
  it("the scaffold components (key, bundled function, alarm topic) pass every rule", async () => {
    const rec = installMocks({ stack: "policy" });
    const key = new ServiceKey("logs", { description: "logs", allowLogs: true });
    const alarms = new AlarmTopic("alarms");
    new BundledFunction("echo", {
      code: "echo",
      functionsDir,
      logKmsKeyArn: key.arn,
      alarmTopicArn: alarms.arn,
      statements: [allow(["sns:Publish"], [alarms.arn])],
    });
    await rec.settle();
    expect(rec.byType(T.fn)).to.have.length(1);
    expect(rec.byType(T.alarm).length).to.be.greaterThan(0);
    expect(evaluatePolicies(rec.resources)).to.deep.equal([]);
  });

  it("raw resources with insecure settings are flagged by the matching rules", async () => {
    const rec = installMocks({ stack: "policy" });
    const queue = new aws.sqs.Queue("plain", { sqsManagedSseEnabled: false });
    const role = new aws.iam.Role("wide", {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
    });
    new aws.iam.RolePolicy("wide", {
      role: role.id,
      policy: policyDocument([{ Effect: "Allow", Action: ["sqs:*"], Resource: [queue.arn] }]),
    });
    new aws.s3.Bucket("bare", {});
    new aws.kms.Key("static", { description: "no rotation" });
    await rec.settle();
    const found = evaluatePolicies(rec.resources);
    const urn = (type: string, name: string) => rec.get(type, name).urn;
    expect(found.map((v) => [v.policy, v.urn])).to.deep.equal([
      ["sqs-queue-encrypted", urn(T.queue, "plain")],
      ["s3-bucket-encrypted", urn(T.bucket, "bare")],
      ["sqs-queue-tls-only", urn(T.queue, "plain")],
      ["s3-bucket-tls-only", urn(T.bucket, "bare")],
      ["s3-public-access-block", urn(T.bucket, "bare")],
      ["s3-bucket-versioning", urn(T.bucket, "bare")],
      ["s3-noncurrent-version-expiration", urn(T.bucket, "bare")],
      ["iam-no-wildcard-action", urn(T.rolePolicy, "wide")],
      ["sqs-work-queue-has-dlq", urn(T.queue, "plain")],
      ["kms-key-rotation", urn(T.key, "static")],
    ]);
  });
});
