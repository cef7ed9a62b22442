import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { PROJECT_ROOT, loadStackFile } from "../../scripts/harness/stackFile";

const FIXTURE_STACKS = path.join(__dirname, "..", "fixtures", "stacks");

function plan(stack: string, dir: string) {
  return spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/plan.ts", "--stack", stack, "--dir", dir],
    { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 },
  );
}

/** The problems of a ConfigError message, one per `  - ` line. */
function problemsOf(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((l) => l.startsWith("  - "))
    .map((l) => l.slice(4));
}

const OPEN_AUTH = /^three-tier-lambda: auth "none" leaves the API open to anyone/;
const CROSS_FLOW =
  /^kinesis-autoscale: attaches to the realtime-analytics stream, whose streamMode is ON_DEMAND/;

/**
 * Plans `stack` from `dir` and expects a refusal (exit 2, no plan on stdout) listing exactly
 * `expected`, in order: a string is the problem's text, a RegExp matches it. Returns stderr.
 */
function expectRefusal(stack: string, dir: string, expected: (string | RegExp)[]): string {
  const res = plan(stack, dir);
  expect(res.status, res.stderr).to.equal(2);
  expect(res.stdout).to.equal("");
  const problems = problemsOf(res.stderr);
  expect(problems, res.stderr).to.have.length(expected.length);
  expected.forEach((e, i) =>
    typeof e === "string" ? expect(problems[i]).to.equal(e) : expect(problems[i]).to.match(e),
  );
  return res.stderr;
}

/** Pulumi.yaml as it was when `pulumi preview --stack dev` refused it: alarmEmail without a default. */
function projectRequiringAlarmEmail(dir: string): void {
  const doc = parseDocument(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"));
  doc.deleteIn(["config", "alarmEmail", "default"]);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), doc.toString());
}

describe("offline plan CLI: Pulumi's rules and ours, every problem in one run, exit 2", () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-config-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("a missing required key (Pulumi's message), open auth in prod and a cross-flow problem", () => {
    projectRequiringAlarmEmail(tmp);
    fs.copyFileSync(
      path.join(FIXTURE_STACKS, "Pulumi.missing-key.yaml"),
      path.join(tmp, "Pulumi.missing-key.yaml"),
    );
    const stderr = expectRefusal("missing-key", tmp, [
      "Stack 'missing-key' is missing configuration value 'alarmEmail'",
      OPEN_AUTH,
      CROSS_FLOW,
    ]);
    expect(stderr).to.contain("Invalid stack configuration (3 problems)");
  });

  it("the shipped Pulumi.yaml makes alarmEmail optional: the same file misses nothing", () => {
    const { problems } = loadStackFile("missing-key", FIXTURE_STACKS);
    expect(problems).to.deep.equal([]);
    // ...and the shipped dev stack, which sets no alarmEmail, is what Pulumi refused before.
    projectRequiringAlarmEmail(tmp);
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), path.join(tmp, "Pulumi.dev.yaml"));
    expect(loadStackFile("dev", tmp).problems).to.deep.equal([
      "Stack 'dev' is missing configuration value 'alarmEmail'",
    ]);
  });

  it("a wrong type (Pulumi's message), a schema error, open auth in prod and a cross-flow problem", () => {
    expectRefusal("wrong-type", FIXTURE_STACKS, [
      "Stack 'wrong-type' with configuration key 'azCount' must be of type 'integer'",
      "three-tier-lambda.memorySize: Too small: expected number to be >=128",
      OPEN_AUTH,
      CROSS_FLOW,
    ]);
  });

  it("a misspelt namespace (with the closest name), open auth in prod and a cross-flow problem", () => {
    expectRefusal("misspelt-namespace", FIXTURE_STACKS, [
      'aws-serverles-flows:logRetentionDays: unknown namespace "aws-serverles-flows", which nothing in this program reads (did you mean aws-serverless-flows:logRetentionDays?)',
      OPEN_AUTH,
      CROSS_FLOW,
    ]);
  });

  it("reports an invalid Pulumi.yaml, a secret it cannot decrypt and ESC environments it cannot read", () => {
    const dir = fs.mkdtempSync(path.join(tmp, "project-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: aws-serverless-flows\nruntime: nodejs\nconfig:\n  zones:\n    type: array\n    default: [a]\n",
    );
    fs.writeFileSync(
      path.join(dir, "Pulumi.s.yaml"),
      "environment: [shared/aws]\nconfig:\n  aws-serverless-flows:alarmEmail:\n    secure: AAABAMcGtHVm\n",
    );
    expect(loadStackFile("s", dir).problems).to.deep.equal([
      "Pulumi.yaml: The configuration key 'zones' declares an array but does not specify the underlying type via the 'items' attribute",
      'aws-serverless-flows:alarmEmail: a secret ("secure:") value, which the offline plan cannot decrypt (use `pulumi preview`, which decrypts it with the stack\'s secrets provider)',
      "Pulumi.s.yaml imports Pulumi ESC environments, which the offline plan cannot read (use `pulumi preview`, or plan a stack file with their values inline)",
    ]);
  });
});
