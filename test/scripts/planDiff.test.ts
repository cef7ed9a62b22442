import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plan, readBasePlan, renderDiff } from "../../scripts/plan";
import { estimateCost } from "../../scripts/plan/cost";
import { changedProperties, diffPlans } from "../../scripts/plan/diff";
import type { PlanDocument } from "../../scripts/plan/document";
import { REPLACE_ON_CHANGES } from "../../scripts/plan/replaceOnChanges";

const ROOT = path.join(__dirname, "..", "..");
const PLANS = path.join(__dirname, "..", "fixtures", "plans");

/** The fixture plans carry no cost (as plans saved before the estimate existed): price them. */
function fixture(name: string): PlanDocument {
  const doc = readBasePlan(path.join(PLANS, `${name}.json`));
  return name === "head" ? { ...doc, cost: estimateCost(doc.resources, "us-east-1") } : doc;
}

describe("plan --diff", function () {
  // The CLI case runs whole plans: minutes on a loaded 2-core machine.
  this.timeout(300_000);
  it("classifies creates, updates, replaces and deletes by URN, with the changed properties", () => {
    const diff = diffPlans(fixture("base"), fixture("head"));
    expect(diff.counts).to.deep.equal({ create: 1, update: 1, replace: 1, delete: 1, same: 3 });
    const by = Object.fromEntries(diff.changes.map((c) => [c.name, c]));
    expect(by.items.kind).to.equal("replace");
    expect(by.items.replaceBecause).to.deep.equal(["hashKey"]);
    expect(by.items.properties).to.deep.equal([{ path: "hashKey", before: "pk", after: "id" }]);
    expect(by.worker.kind).to.equal("update");
    expect(by.worker.properties).to.deep.equal([{ path: "memorySize", before: 128, after: 256 }]);
    expect(by.egress.kind).to.equal("create");
    expect(by.events.kind).to.equal("delete");
    // Replacements first, then deletes, updates, creates.
    expect(diff.changes.map((c) => c.kind)).to.deep.equal([
      "replace",
      "delete",
      "update",
      "create",
    ]);
  });

  it("reports new and resolved findings and the cost delta (base priced when it has no cost)", () => {
    const diff = diffPlans(fixture("base"), fixture("head"));
    expect(diff.newViolations.map((v) => v.policy)).to.deep.equal(["lambda-timeout"]);
    expect(diff.resolvedViolations.map((v) => v.policy)).to.deep.equal(["dlq-alarm"]);
    // +1 NAT gateway (0.045 x 730 = 32.85); the KMS key (1.00) is in both.
    expect(diff.cost).to.deep.include({ baseMonthlyUsd: 1, monthlyUsd: 33.85, deltaUsd: 32.85 });
    expect(diff.cost.byFlow.shared).to.deep.equal({
      monthlyUsd: 32.85,
      baseMonthlyUsd: 0,
      deltaUsd: 32.85,
    });
  });

  it("renders text, JSON and the Markdown comment", () => {
    const base = fixture("base");
    const head = fixture("head");
    const diff = diffPlans(base, head);
    const text = renderDiff(diff, "tree", head, base);
    expect(text).to.match(/1 to create, 1 to update, 1 to replace, 1 to delete, 3 unchanged/);
    expect(text).to.contain('hashKey: "pk" -> "id"  [forces replacement]');
    expect(text).to.contain("memorySize: 128 -> 256");
    expect(text).to.contain("Cost: $33.85/month fixed (base $1.00, +$32.85)");
    expect(JSON.parse(renderDiff(diff, "json", head, base))).to.deep.equal(
      JSON.parse(JSON.stringify(diff)),
    );
    const md = renderDiff(diff, "markdown", head, base);
    expect(md).to.match(/^<!-- aws-serverless-flows offline plan: ci -->/);
    expect(md).to.contain("replaced because of `hashKey`");
    expect(md).to.contain("**new** [mandatory] lambda-timeout");
  });

  it("diffs nested inputs by leaf path and arrays whole", () => {
    expect(
      changedProperties({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { b: 2, c: [1, 3] }, e: null }),
    ).to.deep.equal([
      { path: "a.b", before: 1, after: 2 },
      { path: "a.c", before: [1, 2], after: [1, 3] },
      { path: "d", before: 1, after: null },
    ]);
  });

  it("has a replace rule with a source for every type it lists", () => {
    for (const [type, rule] of Object.entries(REPLACE_ON_CHANGES)) {
      expect(type).to.match(/^aws:[a-z0-9]+\/[a-zA-Z0-9]+:[A-Z]/);
      expect(rule.properties.length, type).to.be.greaterThan(0);
      expect(rule.source).to.match(/^hashicorp\/terraform-provider-aws internal\/service\/.+\.go$/);
    }
  });

  it("CLI: --diff against an edited copy of the dev plan lists what changed, and a bad base exits 2", async () => {
    const dev = await plan("dev");
    const base: PlanDocument = JSON.parse(JSON.stringify(dev));
    const stream = base.resources.find((r) => r.type === "aws:kinesis/stream:Stream")!;
    (stream.inputs as Record<string, unknown>).shardCount = 2;
    const queue = base.resources.find((r) => r.type === "aws:sqs/queue:Queue")!;
    (queue.inputs as Record<string, unknown>).fifoQueue = true;
    base.resources = base.resources.filter((r) => r.type !== "aws:ec2/eip:Eip");
    // As a plan saved before the estimate existed: the diff prices the base itself.
    delete (base as Partial<PlanDocument>).cost;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
    const file = path.join(dir, "base.json");
    fs.writeFileSync(file, JSON.stringify(base));
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", "scripts/plan.ts", "--stack", "dev", ...args],
        {
          cwd: ROOT,
          encoding: "utf8",
          timeout: 120_000,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
    const res = run("--diff", file, "--format", "json");
    expect(res.status, res.stderr).to.equal(0);
    const diff = JSON.parse(res.stdout) as ReturnType<typeof diffPlans>;
    expect(diff.counts).to.include({ create: 1, update: 1, replace: 1, delete: 0 });
    expect(diff.changes.find((c) => c.kind === "replace")).to.deep.include({
      urn: queue.urn,
      replaceBecause: ["fifoQueue"],
    });
    expect(diff.changes.find((c) => c.kind === "update")!.properties).to.deep.equal([
      { path: "shardCount", before: 2, after: 1 },
    ]);
    // The stream went from 2 shards to 1 (-10.95) and the EIP is new (+3.65).
    expect(diff.cost.deltaUsd).to.equal(-7.3);
    fs.writeFileSync(file, "{}");
    const bad = run("--diff", file);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain("is not a plan");
  });
});
