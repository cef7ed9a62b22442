import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LAMBDA_EXTERNALS,
  LOADER,
  MAX_BUNDLE_BYTES,
  bundleFunction,
} from "../../components/compute/bundle";
import {
  LAMBDA_NODE_TARGET,
  LAMBDA_RUNTIME,
  SUPPORTED_NODE_RUNTIMES,
} from "../../components/core/defaults";
import { allow } from "../../components/security/iam";
import { BundledFunction } from "../../components/compute/lambdaFunction";
import { Recorder, installMocks } from "../../scripts/harness/recorder";
import {
  FUNCTIONS_DIR as functionsDir,
  ALARMS_TOPIC_ARN as TOPIC,
} from "../support/componentFixtures";

const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/items";

type Doc = { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };

describe("bundleFunction", () => {
  it("produces identical bytes for unchanged source (no diff on preview)", () => {
    // Copy the fixture to a fresh folder twice so the in-process cache cannot fake the result.
    const build = () => {
      const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bundle-")), "functions");
      fs.cpSync(functionsDir, dir, { recursive: true });
      return bundleFunction("echo", dir);
    };
    const a = build();
    const b = build();
    expect(a.code.length).to.be.greaterThan(0);
    expect(a.sha256).to.equal(b.sha256);
    expect(a.files).to.deep.equal(b.files);
    for (const text of Object.values(a.files)) expect(text).not.to.contain(os.tmpdir()); // no machine paths
    expect(JSON.parse(a.map).sources).to.deep.equal(["functions/echo/handler.ts"]);
  });

  it("changes the hash when the source changes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    fs.cpSync(functionsDir, dir, { recursive: true });
    const before = bundleFunction("echo", dir).sha256;
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    fs.cpSync(functionsDir, other, { recursive: true });
    fs.appendFileSync(path.join(other, "echo", "handler.ts"), "\nexport const version = 2;\n");
    expect(bundleFunction("echo", other).sha256).not.to.equal(before);
  });

  it("fails clearly when the handler file is missing", () => {
    expect(() => bundleFunction("missing", functionsDir)).to.throw(
      /functions\/missing\/handler\.ts/,
    );
  });

  it("ships a loader, the bundle and a map without sources, for node24", () => {
    const { files, map, code } = bundleFunction("echo", functionsDir);
    expect(Object.keys(files).sort()).to.deep.equal(["bundle.js", "bundle.js.map", "index.js"]);
    expect(files["index.js"]).to.equal(LOADER);
    expect(code.trimEnd()).to.match(/\n\/\/# sourceMappingURL=bundle\.js\.map$/);
    expect(JSON.parse(map)).not.to.have.property("sourcesContent");
    expect(LAMBDA_NODE_TARGET).to.equal(`node${LAMBDA_RUNTIME.match(/^nodejs(\d+)\.x$/)![1]}`);
  });

  it("turns stack traces back into the TypeScript file and line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    for (const [file, text] of Object.entries(bundleFunction("throws", functionsDir).files)) {
      fs.writeFileSync(path.join(dir, file), text);
    }
    // A fresh Node process loading index.js the way the Lambda runtime does.
    const script = `require(${JSON.stringify(path.join(dir, "index.js"))}).handler().catch((e) => console.log(e.stack))`;
    const stack = execFileSync(process.execPath, ["-e", script]).toString();
    expect(stack).to.contain("fixture failure: on purpose");
    // The throw (line 4 of test/fixtures/functions/throws/handler.ts), then its caller (line 8).
    expect(stack).to.match(/at explode \(.*functions[\\/]throws[\\/]handler\.ts:4:\d+\)/);
    expect(stack).to.match(/functions[\\/]throws[\\/]handler\.ts:8:\d+/);
    expect(stack.split("\n")[1]).not.to.match(/bundle\.js:\d+/);
  });

  it("maps only the repository's sources, so Node parses a small map on cold start", () => {
    const { map } = bundleFunction("throws", functionsDir);
    const parsed = JSON.parse(map) as { sources: string[]; mappings: string };
    expect(parsed.sources).to.deep.equal(["functions/throws/handler.ts"]); // zod is bundled, unmapped
    expect(map.length).to.be.below(1024);
  });

  it("keeps only the parts of zod the code uses, even when imported by name", async () => {
    const { code } = bundleFunction("zod-named", functionsDir);
    // `import { z }` makes esbuild keep zod's whole namespace (460 KiB with every locale).
    expect(code.length).to.be.below(120 * 1024);
    expect(code).not.to.contain("Ungültige Eingabe"); // the German locale
    const mod: { exports: { handler?: (e: unknown) => Promise<unknown> } } = { exports: {} };
    new Function("module", "exports", "require", code)(mod, mod.exports, require);
    expect(await mod.exports.handler!({ name: "a" })).to.deep.equal({ ok: true });
    const refused = (await mod.exports.handler!({ name: "" })) as { issues: string[] };
    expect(refused.issues[0]).to.match(/>=1 characters/); // English messages still there
  });

  it("drops the SDK schemas a function does not use, and the non-Lambda credential providers", () => {
    const { code } = bundleFunction("s3-get", functionsDir);
    expect(code).to.contain('"GetObjectOutput"');
    expect(code).not.to.contain("InventoryConfiguration");
    expect(code).not.to.contain("AssumeRoleWithWebIdentity"); // STS, for web-identity credentials
    for (const external of LAMBDA_EXTERNALS) expect(code).to.contain(`require("${external}")`);
    expect(code.length).to.be.below(MAX_BUNDLE_BYTES);
  });

  it("bundles into a CommonJS module exporting handler", async () => {
    const { code } = bundleFunction("echo", functionsDir);
    const mod: { exports: { handler?: (e: unknown) => Promise<unknown> } } = { exports: {} };
    new Function("module", "exports", "require", code)(mod, mod.exports, require);
    expect(await mod.exports.handler!({ a: 1 })).to.deep.equal({ echoed: { a: 1 } });
  });
});

describe("BundledFunction", () => {
  let rec: Recorder;
  before(async () => {
    rec = installMocks({ stack: "fn-test" });
    new BundledFunction("reader", {
      code: "echo",
      functionsDir,
      statements: [allow(["dynamodb:GetItem", "dynamodb:Query"], [TABLE])],
      alarmTopicArn: TOPIC,
      logRetentionDays: 30,
      logKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc",
    });
    new BundledFunction("in-vpc", {
      code: "echo",
      functionsDir,
      vpc: { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] },
      onFailureQueueArn: "arn:aws:sqs:us-east-1:123456789012:failed",
      transform: { function: { memorySize: 1024 } },
    });
    await rec.settle();
  });

  const fn = (name: string) => rec.get("aws:lambda/function:Function", name).inputs;
  const policy = (name: string) =>
    JSON.parse(rec.get("aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string) as Doc;

  it("runs a supported runtime on arm64 with active tracing", () => {
    const f = fn("reader");
    expect(f.runtime).to.equal(LAMBDA_RUNTIME);
    expect(SUPPORTED_NODE_RUNTIMES).to.include(f.runtime);
    expect(f.architectures).to.deep.equal(["arm64"]);
    expect(f.tracingConfig).to.deep.equal({ mode: "Active" });
    expect(f.handler).to.equal("index.handler");
  });

  it("logs to its own log group with retention, KMS and JSON format", () => {
    const group = rec.get("aws:cloudwatch/logGroup:LogGroup", "reader");
    expect(group.inputs.retentionInDays).to.equal(30);
    expect(group.inputs.kmsKeyId).to.equal("arn:aws:kms:us-east-1:123456789012:key/abc");
    expect(fn("reader").loggingConfig).to.deep.include({
      logGroup: group.state.name,
      logFormat: "JSON",
    });
  });

  it("gives the role exactly the passed grants plus its own runtime needs, no wildcard action", () => {
    const doc = policy("reader");
    const actions = doc.Statement.flatMap((s) => s.Action);
    expect(actions).to.include.members(["dynamodb:GetItem", "dynamodb:Query", "logs:PutLogEvents"]);
    expect(actions.filter((a) => a === "*" || a.endsWith(":*"))).to.deep.equal([]);
    expect(actions).not.to.include("ec2:CreateNetworkInterface"); // not in a VPC
    const logs = doc.Statement.find((s) => s.Action.includes("logs:PutLogEvents"))!;
    expect(logs.Resource[0]).to.match(
      /^arn:aws:logs:us-east-1:123456789012:log-group:.*reader:\*$/,
    );
    const role = rec.get("aws:iam/role:Role", "reader");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).to.deep.equal(
      {
        Service: "lambda.amazonaws.com",
      },
    );
  });

  it("creates the function after its policy and log group", () => {
    const f = rec.get("aws:lambda/function:Function", "reader");
    expect(f.dependsOn).to.include(rec.get("aws:iam/rolePolicy:RolePolicy", "reader").urn);
    expect(f.dependsOn).to.include(rec.get("aws:cloudwatch/logGroup:LogGroup", "reader").urn);
  });

  it("ships the deterministic bundle and its hash", () => {
    expect(fn("reader").sourceCodeHash).to.equal(bundleFunction("echo", functionsDir).sha256);
  });

  it("archives the loader as index.js next to the bundle and its map", async () => {
    const archive = fn("reader").code as pulumi.asset.AssetArchive;
    const assets = (await archive.assets) as Record<string, pulumi.asset.StringAsset>;
    const texts: Record<string, string> = {};
    for (const [file, asset] of Object.entries(assets)) texts[file] = await asset.text;
    expect(texts).to.deep.equal(bundleFunction("echo", functionsDir).files);
  });

  it("alarms on errors and throttles to the alarm topic", () => {
    const alarms = rec.byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
    expect(alarms.map((a) => a.metricName).sort()).to.deep.equal(["Errors", "Throttles"]);
    for (const a of alarms) {
      expect(a.alarmActions).to.deep.equal([TOPIC]);
      expect(a.namespace).to.equal("AWS/Lambda");
    }
  });

  it("joins the VPC with ENI permissions, an async on-failure destination and a transform", () => {
    const f = fn("in-vpc");
    expect(f.vpcConfig).to.deep.include({
      subnetIds: ["subnet-1", "subnet-2"],
      securityGroupIds: ["sg-1"],
    });
    expect(f.memorySize).to.equal(1024);
    const actions = policy("in-vpc").Statement.flatMap((s) => s.Action);
    expect(actions).to.include.members(["ec2:CreateNetworkInterface", "sqs:SendMessage"]);
    const cfg = rec.get(
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
      "in-vpc",
    ).inputs;
    expect(cfg.destinationConfig).to.deep.equal({
      onFailure: { destination: "arn:aws:sqs:us-east-1:123456789012:failed" },
    });
  });

  it("rejects bad arguments before creating anything, listing each", () => {
    const before = rec.resources.length;
    expect(
      () =>
        new BundledFunction("bad", {
          code: "echo",
          functionsDir,
          timeout: 901,
          logRetentionDays: 10,
          statements: [allow(["dynamodb:*"], [TABLE])],
        }),
    )
      .to.throw(/BundledFunction "bad"/)
      .with.property("message")
      .that.matches(/timeout/)
      .and.matches(/logRetentionDays/)
      .and.matches(/wildcard action "dynamodb:\*"/);
    expect(rec.resources.length).to.equal(before);
  });
});
