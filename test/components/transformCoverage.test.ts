import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ApiBackedLambda } from "../../components/api/apiBackedLambda";
import { FargateService } from "../../components/containers/fargateService";
import { FanOutTopic } from "../../components/messaging/fanOutTopic";
import { Network } from "../../components/network/network";
import { KinesisPipeline } from "../../components/streaming/kinesisPipeline";
import { ShardAutoscaler } from "../../components/streaming/shardAutoscaler";
import { ScalableStream } from "../../components/streaming/scalableStream";
import { transform } from "../../components/core/transform";
import { AlarmTopic } from "../../components/observability/alarmTopic";
import { SecureBucket } from "../../components/storage/secureBucket";
import { SecureQueue } from "../../components/messaging/secureQueue";
import { RecordedResource, Recorder, installMocks } from "../../scripts/harness/recorder";
import {
  FUNCTIONS_DIR as functionsDir,
  ALARMS_TOPIC_ARN as TOPIC,
} from "../support/componentFixtures";

const BUCKET = { arn: "arn:aws:s3:::uploads", name: "uploads" } as never;

/** What every hook saw: the hook's path in the transform tree and the child's name. */
interface Call {
  path: string;
  name: string;
  parent: pulumi.Resource | undefined;
}

/**
 * A transform tree with a function hook under every key, at any depth (`transform.key.key` as
 * well as `transform.queue`): each hook records its call and marks the child with the
 * `retainOnDelete` option, which the mock recorder sees on the registration.
 */
function everyHook(calls: Call[], at = "transform"): never {
  const hook = (_args: object, opts: pulumi.CustomResourceOptions, name: string) => {
    calls.push({ path: at, name, parent: opts.parent });
    opts.retainOnDelete = true;
  };
  return new Proxy(hook, {
    get: (target, key) =>
      typeof key === "string" ? everyHook(calls, `${at}.${key}`) : Reflect.get(target, key),
  }) as never;
}

/** Custom resources below the component named `name` of type `type`. */
function childrenOf(rec: Recorder, type: string, name: string): RecordedResource[] {
  const root = rec.get(type, name);
  return rec.descendants(root.urn).filter((r) => r.custom || r.type.startsWith("awsx:"));
}

/** Each case builds one component with hooks everywhere; returns its type token and name. */
const CASES: [string, (t: never) => void, string][] = [
  [
    "FanOutTopic",
    (t) =>
      new FanOutTopic("fan", {
        publishers: { buckets: [{ bucket: BUCKET, events: ["s3:ObjectCreated:*"] }] },
        subscribers: {
          index: { consumer: { code: "echo", functionsDir, transform: t }, transform: t },
          audit: { alsoSubscribeTo: ["arn:aws:sns:us-east-1:123456789012:other"], transform: t },
        },
        alarmTopicArn: TOPIC,
        transform: t,
      }),
    "serverless:messaging:FanOutTopic",
  ],
  [
    "ApiBackedLambda",
    (t) =>
      new ApiBackedLambda("api", {
        handlers: {
          items: { code: "echo", functionsDir, routes: ["GET /items", "POST /items"] },
        },
        table: { hashKey: { name: "id", type: "S" } },
        network: new Network("api-net", { natGateways: "none" }),
        alarmTopicArn: TOPIC,
        transform: t,
      }),
    "serverless:api:ApiBackedLambda",
  ],
  [
    "FargateService (with a cluster of its own)",
    (t) =>
      new FargateService("svc", {
        network: new Network("svc-net", { natGateways: "none" }),
        clusterArgs: { auth: "cognito", alarmTopicArn: TOPIC, transform: t },
        image: { dockerfile: "test/fixtures/containers/echo/Dockerfile" },
        paths: ["/svc"],
        alarmTopicArn: TOPIC,
        transform: t,
      }),
    "serverless:containers:FargateService",
  ],
  [
    "AlarmTopic",
    (t) => new AlarmTopic("ops", { email: "ops@example.com", transform: t }),
    "serverless:observability:AlarmTopic",
  ],
  [
    "SecureBucket",
    (t) => new SecureBucket("files", { transform: t }),
    "serverless:storage:SecureBucket",
  ],
  [
    "SecureQueue",
    (t) => new SecureQueue("jobs", { alarmTopicArn: TOPIC, transform: t }),
    "serverless:messaging:SecureQueue",
  ],
  [
    "Network",
    (t) => new Network("net", { natGateways: "perAz", interfaceEndpoints: ["sqs"], transform: t }),
    "serverless:network:Network",
  ],
  [
    "KinesisPipeline",
    (t) =>
      new KinesisPipeline("pipe", {
        processor: { enhancedFanOut: true },
        notifications: { emails: ["ops@example.com"] },
        alarmTopicArn: TOPIC,
        transform: t,
      }),
    "serverless:streaming:KinesisPipeline",
  ],
  [
    "ShardAutoscaler",
    (t) =>
      new ShardAutoscaler("scaler", {
        stream: { name: "s", arn: "arn:aws:kinesis:us-east-1:123456789012:stream/s" },
        shardCount: 2,
        alarmTopicArn: TOPIC,
        transform: t,
      }),
    "serverless:streaming:ShardAutoscaler",
  ],
  [
    "ScalableStream",
    (t) => new ScalableStream("scaled", { shardCount: 2, transform: t }),
    "serverless:streaming:ScalableStream",
  ],
];

describe("transform hooks reach every child (args and resource options)", () => {
  for (const [label, build, type] of CASES) {
    it(`${label}: every child it creates passed through a hook`, async () => {
      const rec = installMocks({ stack: `hooks-${label.split(" ")[0].toLowerCase()}` });
      const calls: Call[] = [];
      const name = label.split(" ")[0];
      build(everyHook(calls));
      await rec.settle();
      const root = rec.byType(type)[0];
      expect(root, `${type} registered`).to.not.equal(undefined);
      const children = childrenOf(rec, type, root.name);
      expect(children.length, `${name} creates children`).to.be.greaterThan(1);
      const missed = children
        .filter((r) => r.retainOnDelete !== true)
        .map((r) => `${r.type} ${r.name}`);
      expect(missed, "children no hook reached").to.deep.equal([]);
      // Every hook call was handed the child's options, parented inside the component.
      const orphans = calls.filter((c) => c.parent === undefined).map((c) => c.name);
      expect(orphans, "hooks called without the child's options").to.deep.equal([]);
    });
  }
});

describe("transform(hook, name, args, opts)", () => {
  const base = { description: "d", tags: { a: "1" } };
  it("passes both through untouched without a hook", () => {
    const opts = { protect: false };
    const [n, a, o] = transform(undefined, "x", base, opts);
    expect([n, a, o]).to.deep.equal(["x", base, opts]);
  });

  it("merges an object hook over the args and leaves the options alone", () => {
    const [, a, o] = transform<typeof base, pulumi.CustomResourceOptions>(
      { description: "patched" },
      "x",
      base,
      { protect: false },
    );
    expect(a).to.deep.equal({ description: "patched", tags: { a: "1" } });
    expect(o).to.deep.equal({ protect: false });
  });

  it("lets a function hook set protect, ignoreChanges and retainOnDelete, and edit or replace args", () => {
    const opts: pulumi.CustomResourceOptions = {};
    const [, a, o] = transform<typeof base, pulumi.CustomResourceOptions>(
      (args, o2, name) => {
        o2.protect = true;
        o2.ignoreChanges = ["tags"];
        o2.retainOnDelete = true;
        args.description = `for ${name}`;
      },
      "child",
      base,
      opts,
    );
    expect(a.description).to.equal("for child");
    expect(o).to.include({ protect: true, retainOnDelete: true });
    expect(o.ignoreChanges).to.deep.equal(["tags"]);
    // The caller's objects are copies: a hook cannot change another child's args or options.
    expect(base.description).to.equal("d");
    expect(opts).to.deep.equal({});
    const [, replaced] = transform<typeof base, object>(
      () => ({ description: "new", tags: { a: "2" } }),
      "c",
      base,
      {},
    );
    expect(replaced).to.deep.equal({ description: "new", tags: { a: "2" } });
  });

  it("a hook's options reach the registration: protect and ignoreChanges on a real child", async () => {
    const rec = installMocks({ stack: "hooks-opts" });
    new Network("opts", {
      transform: {
        vpc: (args, opts) => {
          opts.protect = true;
          args.tags = { Name: "patched" };
        },
      },
    });
    await rec.settle();
    const vpc = rec.get("aws:ec2/vpc:Vpc", "opts");
    expect(vpc.protect).to.equal(true);
    expect(vpc.inputs.tags).to.deep.equal({ Name: "patched" });
    expect(rec.get("aws:ec2/internetGateway:InternetGateway", "opts").protect).to.not.equal(true);
  });
});
