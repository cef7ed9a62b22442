import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_FILE, projectFile } from "../../scripts/docs/projectConfig";
import { loadStackFile } from "../../scripts/harness/stackFile";
import {
  AWS_CONFIG_KEYS,
  ConfigError,
  NAMESPACE,
  PROVIDER_NAMESPACES,
  loadConfig,
  topLevelSchema,
} from "../../stacks/config";
import { loadProject } from "../../stacks/pulumiProject";
import { flowConfigSpecs } from "../../stacks/registry";
import { FLOW_SLUGS } from "../../stacks/slugs";
import { fixtureFlows } from "../fixtures/flows";

const schemas = flowConfigSpecs(fixtureFlows);
const key = (k: string) => `${NAMESPACE}:${k}`;
const ROOT = path.join(__dirname, "..", "..");

function problemsOf(raw: Record<string, string>): string[] {
  try {
    loadConfig(raw, schemas);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("config loader", () => {
  it("applies defaults to an empty config", () => {
    const cfg = loadConfig({}, schemas);
    expect(cfg).to.deep.include({
      flows: [],
      environment: "dev",
      azCount: 2,
      natGateways: "single",
      logRetentionDays: 14,
    });
    expect(cfg.alarmEmail).to.equal(undefined);
  });

  it("parses values as Pulumi stores them (JSON text) and defaults flow settings", () => {
    const cfg = loadConfig(
      {
        "aws:region": "eu-west-1",
        [key("flows")]: '["three-tier-lambda"]',
        [key("azCount")]: "3",
        [key("environment")]: "prod",
        [key("alarmEmail")]: "ops@example.com",
        [key("three-tier-lambda")]: '{"memorySize":512}',
      },
      schemas,
    );
    expect(cfg.flows).to.deep.equal(["three-tier-lambda"]);
    expect(cfg.azCount).to.equal(3);
    expect(cfg.flowSettings["three-tier-lambda"]).to.deep.equal({ memorySize: 512 });
    expect(cfg.flowSettings["s3-events-lambda"]).to.equal(undefined);
  });

  it("rejects an unknown slug, listing the valid ones", () => {
    const [p] = problemsOf({ [key("flows")]: '["three-tier-lamda"]' });
    expect(p).to.contain('unknown flow "three-tier-lamda"');
    for (const slug of FLOW_SLUGS) expect(p).to.contain(slug);
  });

  it("rejects a valid slug whose flow this build does not implement", () => {
    const [p] = problemsOf({ [key("flows")]: '["kinesis-autoscale"]' });
    expect(p).to.match(/not implemented.*available: three-tier-lambda, s3-events-lambda/);
  });

  it("rejects a flow listed twice", () => {
    expect(
      problemsOf({ [key("flows")]: '["three-tier-lambda","three-tier-lambda"]' })[0],
    ).to.contain("listed twice");
  });

  it("rejects unknown top-level keys and unknown flow setting keys", () => {
    const problems = problemsOf({
      [key("colour")]: "blue",
      [key("three-tier-lambda")]: '{"memory":1}',
    });
    expect(problems.some((p) => p.startsWith("colour: unknown config key"))).to.equal(true);
    expect(problems.some((p) => p.includes('three-tier-lambda: unknown key "memory"'))).to.equal(
      true,
    );
  });

  it("rejects wrong types", () => {
    const problems = problemsOf({ [key("azCount")]: "two", [key("flows")]: '"three-tier-lambda"' });
    expect(problems.some((p) => p.startsWith("azCount:"))).to.equal(true);
    expect(problems.some((p) => p.startsWith("flows:"))).to.equal(true);
  });

  it("rejects out-of-range numbers and values outside an enum", () => {
    const problems = problemsOf({
      [key("azCount")]: "1",
      [key("logRetentionDays")]: "10",
      [key("natGateways")]: "double",
      [key("three-tier-lambda")]: '{"memorySize":64}',
    });
    expect(problems.some((p) => p.startsWith("azCount:"))).to.equal(true);
    expect(problems.some((p) => p.startsWith("logRetentionDays:") && p.includes("14"))).to.equal(
      true,
    );
    expect(problems.some((p) => p.startsWith("natGateways:"))).to.equal(true);
    expect(problems.some((p) => p.startsWith("three-tier-lambda.memorySize:"))).to.equal(true);
  });

  it("rejects malformed emails, top-level and in flow settings", () => {
    const problems = problemsOf({
      [key("alarmEmail")]: "ops@",
      [key("s3-events-lambda")]: '{"email":"a b@c"}',
    });
    expect(problems.some((p) => p.startsWith("alarmEmail:") && p.includes("email"))).to.equal(true);
    expect(problems.some((p) => p.startsWith("s3-events-lambda.email:"))).to.equal(true);
  });

  it("rejects flow settings that are not an object", () => {
    expect(problemsOf({ [key("three-tier-lambda")]: "big" })[0]).to.contain(
      "settings must be an object",
    );
  });

  it("reports every problem at once, in one error message", () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(
        {
          [key("flows")]: '["nope","kinesis-autoscale"]',
          [key("azCount")]: "9",
          [key("alarmEmail")]: "x",
          [key("extra")]: "1",
        },
        schemas,
      );
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.problems).to.have.length(5);
    expect(error?.message).to.contain("5 problems");
    for (const p of error!.problems) expect(error!.message).to.contain(p);
    expect(error?.message).to.contain("Nothing was created");
  });

  it("rejects a key in a namespace nothing reads, suggesting the closest name", () => {
    const problems = problemsOf({
      "aws-serverles-flows:flows": '["three-tier-lambda"]',
      "awss:region": "us-east-1",
      "acme:thing": "1",
      "aws:region": "us-east-1",
      "pulumi:tags": "{}",
      "awsx:anything": "1",
    });
    expect(problems).to.deep.equal([
      'aws-serverles-flows:flows: unknown namespace "aws-serverles-flows", which nothing in this program reads (did you mean aws-serverless-flows:flows?)',
      'awss:region: unknown namespace "awss", which nothing in this program reads (did you mean aws:region?)',
      `acme:thing: unknown namespace "acme", which nothing in this program reads (valid namespaces: ${NAMESPACE}, pulumi, aws, awsx)`,
    ]);
  });

  it("refuses an aws: key the AWS provider does not have, as its default provider does", () => {
    expect(AWS_CONFIG_KEYS).to.include.members(["region", "defaultTags", "ignoreTags", "profile"]);
    expect(problemsOf({ "aws:regoin": "us-east-1", "aws:region": "us-east-1" })).to.deep.equal([
      "`aws:regoin` is not a valid configuration key for the aws provider (did you mean aws:region?). " +
        "If the referenced key is not intended for the provider, please choose a different namespace from `aws:`.",
    ]);
  });

  it("suggests the closest key or slug for a typo", () => {
    const problems = problemsOf({ [key("azcount")]: "2", [key("flows")]: '["three-tier-lamda"]' });
    expect(problems[0]).to.match(
      /^azcount: unknown config key \(did you mean azCount\? valid keys/,
    );
    expect(problems[1]).to.contain(
      'unknown flow "three-tier-lamda" (did you mean three-tier-lambda?',
    );
  });

  it('alarmEmail "" (the default Pulumi.yaml applies) means no subscription', () => {
    expect(loadConfig({ [key("alarmEmail")]: "" }, schemas).alarmEmail).to.equal(undefined);
    expect(loadConfig({ [key("alarmEmail")]: "a@b.io" }, schemas).alarmEmail).to.equal("a@b.io");
  });

  it("PROVIDER_NAMESPACES are the @pulumi/* providers the program depends on", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const providers = Object.keys(pkg.dependencies)
      .filter((d) => d.startsWith("@pulumi/") && !["@pulumi/pulumi", "@pulumi/policy"].includes(d))
      .map((d) => d.slice("@pulumi/".length));
    expect([...PROVIDER_NAMESPACES].sort()).to.deep.equal(providers.sort());
  });
});

describe("config loader: every problem of every kind in one run (issue 12, defect 9)", () => {
  const specs = flowConfigSpecs();

  it("a schema error, open auth in prod and a cross-flow problem, all at once", () => {
    const problems = (() => {
      try {
        loadConfig(
          {
            [key("environment")]: "prod",
            [key("azCount")]: "9",
            [key("flows")]: '["three-tier-lambda","realtime-analytics","kinesis-autoscale"]',
            [key("three-tier-lambda")]: '{"auth":"none","memorySize":64}',
            [key("realtime-analytics")]: '{"streamMode":"ON_DEMAND"}',
            "aws-serverles-flows:colour": "blue",
          },
          specs,
        );
      } catch (e) {
        return (e as ConfigError).problems;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(problems).to.have.length(5);
    expect(problems[0]).to.match(/^aws-serverles-flows:colour: unknown namespace/);
    expect(problems).to.include.members([
      "azCount: Too big: expected number to be <=6",
      "three-tier-lambda.memorySize: Too small: expected number to be >=128",
    ]);
    expect(
      problems.some((p) => p.startsWith('three-tier-lambda: auth "none" leaves the API open')),
    ).to.equal(true);
    expect(
      problems.some((p) =>
        p.startsWith(
          "kinesis-autoscale: attaches to the realtime-analytics stream, whose streamMode is ON_DEMAND",
        ),
      ),
    ).to.equal(true);
  });

  it("cross-flow checks skip a flow whose settings are invalid (its schema problems say why)", () => {
    let problems: string[] = [];
    try {
      loadConfig(
        {
          [key("flows")]: '["realtime-analytics","kinesis-autoscale"]',
          [key("realtime-analytics")]: '{"streamMode":"ON_DEMAND","shardCount":"one"}',
        },
        specs,
      );
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    // Without the guard, kinesis-autoscale's check would read settings that failed to parse.
    expect(problems.length).to.be.greaterThan(0);
    for (const p of problems) expect(p).to.match(/^realtime-analytics\.shardCount:/);
  });

  it("Pulumi's problems come first and a key they name is not reported twice", () => {
    let problems: string[] = [];
    try {
      loadConfig(
        {
          [key("azCount")]: "two",
          [key("natGateways")]: "double",
          [key("three-tier-lambda")]: "big",
        },
        specs,
        {
          problems: [
            "Stack 'x' with configuration key 'azCount' must be of type 'integer'",
            "Stack 'x' with configuration key 'three-tier-lambda' must be of type 'object'",
          ],
          keys: ["azCount", "three-tier-lambda"],
        },
      );
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).to.have.length(3);
    expect(problems[0]).to.contain("'azCount' must be of type 'integer'");
    expect(problems[1]).to.contain("'three-tier-lambda' must be of type 'object'");
    expect(problems[2]).to.match(/^natGateways:/);
  });
});

describe("Pulumi.yaml and the shipped stack files", () => {
  it("Pulumi.yaml's config section is the one generated from the schemas: run `npm run docs`", () => {
    const text = fs.readFileSync(PROJECT_FILE, "utf8");
    expect(text === projectFile(text), "Pulumi.yaml is stale").to.equal(true);
  });

  it("Pulumi.yaml passes Pulumi's project rules and gives every key a default", () => {
    const { project, problems } = loadProject(parse(fs.readFileSync(PROJECT_FILE, "utf8")));
    expect(problems).to.deep.equal([]);
    expect(project.name).to.equal(NAMESPACE);
    expect(Object.keys(project.config).sort()).to.deep.equal(
      [...Object.keys(topLevelSchema.shape), ...FLOW_SLUGS].sort(),
    );
    const defaults = topLevelSchema.parse({}) as Record<string, unknown>;
    for (const [k, decl] of Object.entries(project.config)) {
      expect(decl.description, `${k} has a description`).to.be.a("string");
      expect(decl.default, `default of ${k}`).to.deep.equal(defaults[k] ?? {});
    }
    for (const slug of FLOW_SLUGS) expect(project.config[slug].type).to.equal("object");
  });

  const stacks = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s));

  it("ships the dev and prod stacks", () => {
    expect(stacks).to.include.members(["dev", "prod"]);
  });

  for (const stack of stacks) {
    it(`Pulumi.${stack}.yaml passes Pulumi's rules and the loader`, () => {
      const file = loadStackFile(stack);
      expect(file.problems).to.deep.equal([]);
      const config = loadConfig(file.config, flowConfigSpecs());
      expect(config.flows.length).to.be.greaterThan(0);
    });
  }
});
