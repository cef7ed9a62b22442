import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { MOCKED_TYPES } from "../../scripts/harness/mockState";
import { HELP, exitCodeFor, parseArgs, plan, render, requiredKeys } from "../../scripts/plan";
import type { PlanDocument } from "../../scripts/plan/document";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURE_STACKS = path.join(__dirname, "..", "fixtures", "stacks");

function cli(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    // The JSON plan of the dev stack is over 1 MB: spawnSync's default buffer would cut it.
    maxBuffer: 64 * 1024 * 1024,
  });
}

describe("offline plan", () => {
  let doc: PlanDocument;
  before(async () => {
    doc = await plan("dev");
  });

  it("parses its arguments and rejects bad ones with usage", () => {
    expect(parseArgs(["--stack", "dev"])).to.deep.equal({ stack: "dev", format: "tree" });
    expect(parseArgs(["--stack=prod", "--format", "json"])).to.include({
      stack: "prod",
      format: "json",
    });
    expect(() => parseArgs([])).to.throw(/--stack is required[\s\S]*usage/);
    expect(() => parseArgs(["--stack", "dev", "--format", "yaml"])).to.throw(/unexpected argument/);
    expect(parseArgs(["--stack", "dev", "--diff", "base.json", "--format", "markdown"])).to.include(
      {
        diff: "base.json",
        format: "markdown",
      },
    );
    expect(() => parseArgs(["--stack", "dev", "--diff", "b.json", "--format", "mermaid"])).to.throw(
      /not mermaid/,
    );
    expect(parseArgs(["--help"]).help).to.equal(true);
  });

  it("documents every option and exit code in --help", () => {
    for (const needle of [
      "--stack",
      "--format",
      "--diff",
      "--dir",
      "exit codes:",
      "  0 ",
      "  1 ",
      "  2 ",
      "  3 ",
    ]) {
      expect(HELP).to.contain(needle);
    }
  });

  it("gives a newcomer per-flow deployments, outputs, cost and the next steps", () => {
    const text = render(doc, "tree", { requiredKeys: requiredKeys("dev") });
    for (const slug of doc.flows) {
      const section = text.split(`\nFlow ${slug}:`)[1]?.split("\n\n")[0] ?? "";
      expect(section, slug).to.match(/\n {2}deploys: \d+ /);
      expect(section, slug).to.match(/\n {2}outputs \(pulumi stack output [a-zA-Z0-9]+\): \w+/);
      expect(section, slug).to.contain(`  cost: $${doc.cost.byFlow[slug].toFixed(2)}/month fixed`);
    }
    const steps = text.slice(text.indexOf("Next steps"));
    const order = ["pulumi stack init dev", "pulumi up", "pulumi stack output", "pulumi destroy"];
    const at = order.map((s) => steps.indexOf(s));
    expect(
      at.every((i) => i > 0),
      JSON.stringify(at),
    ).to.equal(true);
    expect([...at].sort((a, b) => a - b)).to.deep.equal(at);
    for (const key of requiredKeys("dev")) expect(steps).to.contain(key.key);
    const md = render(doc, "markdown");
    expect(md).to.match(/^<!-- aws-serverless-flows offline plan: dev -->\n### Offline plan/);
    expect(md).to.contain(`**Fixed cost: $${doc.cost.monthlyUsd.toFixed(2)}/month**`);
  });

  it("produces the --format json contract the README documents", () => {
    const parsed = JSON.parse(render(doc, "json")) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).to.deep.equal([
      "cost",
      "flows",
      "outputs",
      "resources",
      "stack",
      "violations",
    ]);
    expect(parsed.stack).to.equal("dev");
    expect(parsed.flows).to.be.an("array");
    const urns = new Set(doc.resources.map((r) => r.urn));
    for (const r of doc.resources) {
      expect(Object.keys(r).sort()).to.deep.equal([
        "inputs",
        "name",
        "parent",
        "state",
        "type",
        "urn",
      ]);
      expect(r.urn).to.match(/^urn:pulumi:dev::aws-serverless-flows::/);
      if (r.parent !== null) expect(urns.has(r.parent), `parent of ${r.urn}`).to.equal(true);
    }
    expect(JSON.stringify(parsed)).not.to.contain("04da6b54-80e4-46f7-96ec-b56ff0331ba9"); // unknowns are null
  });

  it("gives every cloud resource real-format identifiers from the mock state", () => {
    for (const r of doc.resources.filter((x) => x.type.startsWith("aws:"))) {
      expect(MOCKED_TYPES, `mock state for ${r.type}`).to.include(r.type);
      const arn = (r.state as Record<string, unknown>).arn;
      if (typeof arn === "string")
        expect(arn, r.urn).to.match(/^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+/);
    }
  });

  it("is deterministic: two plans of the same stack are identical", async () => {
    const again = await plan("dev");
    expect(render(again, "json")).to.equal(render(doc, "json"));
  });

  it("renders a tree with counts by type and the findings", () => {
    const text = render(doc, "tree");
    expect(text).to.match(/^Stack dev \(us-east-1\): 8 flow\(s\), \d+ resources, \$[\d.]+\/month/);
    expect(text).to.match(/\nStack dev: flows /);
    expect(text).to.match(new RegExp(`Resources: ${doc.resources.length} \\(`));
    expect(text).to.contain("aws:sns/topic:Topic");
    expect(text).to.match(/Policy findings: /);
  });

  it("renders a mermaid flowchart", () => {
    expect(render(doc, "mermaid")).to.match(/^flowchart LR/);
  });

  it("exits 1 only on mandatory findings", () => {
    const v = (enforcementLevel: "mandatory" | "advisory") => ({
      policy: "p",
      urn: "u",
      message: "m",
      enforcementLevel,
    });
    expect(exitCodeFor({ violations: [] })).to.equal(0);
    expect(exitCodeFor({ violations: [v("advisory")] })).to.equal(0);
    expect(exitCodeFor({ violations: [v("advisory"), v("mandatory")] })).to.equal(1);
  });

  it("CLI: prints the dev plan as JSON and exits 0 when there is no mandatory finding", () => {
    const res = cli("--stack", "dev", "--format", "json");
    const parsed = JSON.parse(res.stdout) as PlanDocument;
    expect(parsed.resources.length).to.equal(doc.resources.length);
    expect(res.status).to.equal(exitCodeFor(parsed));
  });

  it("CLI: a bad stack file exits 2 listing every problem, and prints no plan", () => {
    const res = cli("--stack", "bad", "--dir", FIXTURE_STACKS);
    expect(res.status).to.equal(2);
    expect(res.stdout).to.equal("");
    expect(res.stderr).to.contain("Invalid stack configuration (6 problems)");
    for (const needle of [
      'unknown flow "three-tier-lamda"',
      'unknown flow "not-a-flow"',
      "azCount:",
      "natGateways:",
      "alarmEmail:",
      "colour: unknown config key",
    ]) {
      expect(res.stderr).to.contain(needle);
    }
  });

  it("CLI: a missing stack file or bad arguments exit 2 with a message", () => {
    const missing = cli("--stack", "nope");
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.contain("no stack file Pulumi.nope.yaml");
    const usage = cli("--format", "json");
    expect(usage.status).to.equal(2);
    expect(usage.stderr).to.contain("usage:");
  });
});
