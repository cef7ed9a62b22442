import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isPulumiInternal } from "../../scripts/harness/runStack";
import { PROJECT_ROOT, loadStackFile } from "../../scripts/harness/stackFile";
import { stackFileRun } from "./stackFiles";

const RUNNER = path.join(PROJECT_ROOT, "scripts", "harness", "languageHost.js");
const TYPE_ERROR_PROGRAM = path.join(__dirname, "..", "fixtures", "programs", "type-error");

type HostResult =
  { ok: true; urns: string[]; outputs: string[] } | { ok: false; name: string; message: string };

/**
 * Runs a program in a fresh `node` (no tsx: the test process has it) through
 * scripts/harness/languageHost.js, i.e. @pulumi/pulumi's own cmd/run loader and bundled ts-node,
 * with the config in PULUMI_CONFIG as the language host passes it.
 */
function runLikePulumi(projectDir: string, stack: string, config: Record<string, string>) {
  const result = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "langhost-")), "result.json");
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_CONFIG: JSON.stringify(config) };
  delete env.NODE_OPTIONS; // a loader there would compile the program instead of Pulumi's ts-node
  const child = spawnSync(process.execPath, [RUNNER, projectDir, stack, result], {
    cwd: projectDir,
    env,
    encoding: "utf8",
    timeout: 300_000,
  });
  const parsed = fs.existsSync(result)
    ? (JSON.parse(fs.readFileSync(result, "utf8")) as HostResult)
    : undefined;
  fs.rmSync(path.dirname(result), { recursive: true, force: true });
  return { status: child.status, stderr: child.stderr, result: parsed };
}

describe("the program through Pulumi's nodejs loader (cmd/run + bundled ts-node, type-checked)", function () {
  // ts-node type-checks the whole program file by file: tens of seconds on a busy machine.
  this.timeout(300_000);

  it("Pulumi.yaml asks for TypeScript and names no other entry point than package.json's main", () => {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8");
    expect(text).to.match(/runtime:\n {2}name: nodejs\n {2}options:\n {4}typescript: true\n/);
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
      main: string;
    };
    expect(fs.existsSync(path.join(PROJECT_ROOT, pkg.main))).to.equal(true);
  });

  it("runs the dev stack and registers exactly the dev plan's resources", async () => {
    const { config, problems } = loadStackFile("dev");
    expect(problems).to.deep.equal([]);
    const { status, stderr, result } = runLikePulumi(PROJECT_ROOT, "dev", config);
    expect(result, stderr).to.not.equal(undefined);
    if (!result?.ok) throw new Error(`the program failed: ${result?.name}: ${result?.message}`);
    expect(status).to.equal(0);
    const plan = await stackFileRun("dev");
    // The root stack is Pulumi's own; the rest must match the plan URN for URN.
    const urns = result.urns.filter((u) => !isPulumiInternal(u.split("::")[2].split("$").pop()!));
    expect(urns.length).to.be.greaterThan(100);
    expect([...urns].sort()).to.deep.equal(plan.resources.map((r) => r.urn).sort());
    expect(result.outputs).to.include.members(["environment", "flows", "alarmTopicArn"]);
  });

  it("refuses a program with a type error that a transpile-only loader would run", () => {
    const { status, result } = runLikePulumi(TYPE_ERROR_PROGRAM, "dev", {});
    expect(status).to.equal(1);
    expect(result).to.deep.include({ ok: false, name: "TSError" });
    expect(result && !result.ok && result.message).to.match(
      /index\.ts\(4,7\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
    // The same file under tsx (what mocha uses) compiles and runs: the type check is Pulumi's.
    const tsx = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `require(${JSON.stringify(path.join(TYPE_ERROR_PROGRAM, "index.ts"))})`,
      ],
      { cwd: TYPE_ERROR_PROGRAM, encoding: "utf8", timeout: 60_000 },
    );
    expect(tsx.status, tsx.stderr).to.equal(0);
  });
});
