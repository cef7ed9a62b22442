import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, NAMESPACE, loadConfig, topLevelSchema } from "../../stacks/config";
import { flowConfigSpecs } from "../../stacks/registry";
import { FLOW_SLUGS } from "../../stacks/slugs";
import { fixtureFlows } from "../fixtures/flows";

const schemas = flowConfigSpecs(fixtureFlows);
const key = (k: string) => `${NAMESPACE}:${k}`;

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

  it("Pulumi.yaml declares the same keys and defaults as the schema", () => {
    const project = parse(
      fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"),
    ) as {
      name: string;
      config: Record<string, { default?: unknown; description?: string }>;
    };
    expect(project.name).to.equal(NAMESPACE);
    expect(Object.keys(project.config).sort()).to.deep.equal(
      Object.keys(topLevelSchema.shape).sort(),
    );
    const defaults = topLevelSchema.parse({});
    for (const [k, decl] of Object.entries(project.config)) {
      expect(decl.description, `${k} has a description`).to.be.a("string");
      expect(decl.default, `default of ${k}`).to.deep.equal(
        (defaults as Record<string, unknown>)[k],
      );
    }
  });
});
