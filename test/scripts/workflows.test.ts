import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (file: string) =>
  parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
const preview = load("preview.yml");
const deploy = load("deploy.yml");
const comment = load("comment.yml");

const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
const isPulumi = (s: Step) => s.uses?.startsWith("pulumi/actions@");
const isPlan = (s: Step) => /npm run (--silent )?plan\b/.test(s.run ?? "");

/**
 * The stack a plan step plans, as the expression it comes from: `--stack "$STACK"` resolves
 * through the job's env. A literal (`--stack dev`) is returned as is.
 */
function planStack(job: Job, step: Step): string[] {
  const args = [...(step.run ?? "").matchAll(/--stack\s+"?([^"\s]+)"?/g)].map((m) => m[1]);
  return args.map((a) => (a === "$STACK" ? (step.env?.STACK ?? job.env?.STACK ?? a) : a));
}

describe("GitHub workflows", () => {
  it("plan the stack that the preview and deploy steps run against", () => {
    for (const wf of [preview, deploy]) {
      const pulumiJobs = Object.entries(wf.jobs).filter(([, j]) => j.steps.some(isPulumi));
      expect(pulumiJobs, wf.name).to.have.length.greaterThan(0);
      for (const [id, job] of pulumiJobs) {
        const stackName = String(job.steps.find(isPulumi)!.with?.["stack-name"]);
        expect(stackName, `${wf.name}/${id} stack-name`).to.contain("matrix.stack");
        // The offline plan runs in the same job, or in a job of the same workflow whose matrix of
        // stacks is the same list.
        const planJobs = Object.entries(wf.jobs).filter(([, j]) => j.steps.some(isPlan));
        expect(planJobs, wf.name).to.have.length.greaterThan(0);
        for (const [planId, planJob] of planJobs) {
          for (const step of planJob.steps.filter(isPlan)) {
            for (const stack of planStack(planJob, step)) {
              expect(stack, `${wf.name}/${planId}: ${step.run}`).to.equal("${{ matrix.stack }}");
            }
          }
          expect(planJob.strategy?.matrix?.stack, `${planId} vs ${id}`).to.deep.equal(
            job.strategy?.matrix?.stack,
          );
        }
      }
    }
  });

  it("preview every stack file there is", () => {
    const files = fs
      .readdirSync(ROOT)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => !!s)
      .sort();
    expect([...(preview.jobs.plan.strategy!.matrix!.stack as string[])].sort()).to.deep.equal(
      files,
    );
  });

  it("have the fork-safe comment path: pull_request uploads, workflow_run posts without PR code", () => {
    expect(Object.keys(preview.on)).to.deep.equal(["pull_request"]); // never pull_request_target
    expect(preview.permissions).to.deep.equal({ contents: "read" });
    const upload = preview.jobs.plan.steps.find((s) =>
      s.uses?.startsWith("actions/upload-artifact@"),
    );
    expect(upload?.with?.name).to.equal("plan-${{ matrix.stack }}");
    const planRun = preview.jobs.plan.steps.map((s) => s.run ?? "").join("\n");
    for (const file of ["plan-out/pr-number", "plan-out/comment.md", "plan-out/plan.json"]) {
      expect(planRun).to.contain(file);
    }
    expect(planRun).to.contain('--diff "$RUNNER_TEMP/base.json" --format markdown');

    expect(comment.on).to.deep.equal({
      workflow_run: { workflows: [preview.name], types: ["completed"] },
    });
    expect(comment.permissions).to.deep.equal({});
    for (const [id, job] of Object.entries(comment.jobs)) {
      expect(job.if, id).to.contain("github.event.workflow_run.event == 'pull_request'");
      expect(job.permissions).to.deep.equal({ actions: "read", "pull-requests": "write" });
      for (const step of job.steps) {
        // No checkout and no shell: nothing from the PR is ever executed here.
        expect(step.run, `${id}: a run step`).to.equal(undefined);
        expect(step.uses, id).to.match(/^actions\/(download-artifact|github-script)@v\d+$/);
      }
      const script = String(
        job.steps.find((s) => s.uses?.startsWith("actions/github-script@"))!.with!.script,
      );
      expect(script).to.contain("pull.head.sha !== process.env.HEAD_SHA");
      expect(script).to.contain("Number.isSafeInteger(pr)");
      expect(script).to.match(/updateComment[\s\S]*createComment/);
    }
  });

  it("expose no secret or OIDC token to a job a fork's pull request runs", () => {
    for (const [id, job] of Object.entries(preview.jobs)) {
      const text = JSON.stringify(job);
      const privileged =
        text.includes("secrets.") ||
        (typeof job.permissions === "object" &&
          (job.permissions["id-token"] === "write" ||
            job.permissions["pull-requests"] === "write"));
      if (privileged)
        expect(job.if, `${id} must run only for this repository's branches`).to.equal(SAME_REPO);
      else expect(text, id).not.to.match(/secrets\.|id-token/);
    }
    // The jobs forks run: checks and the offline plan, with a read-only token.
    for (const id of ["checks", "plan"]) {
      expect(preview.jobs[id].if, id).to.equal(undefined);
      expect(preview.jobs[id].permissions, id).to.equal(undefined);
    }
    expect(JSON.stringify(comment)).not.to.contain("secrets.");
  });

  it("use the current major versions of their actions", () => {
    // Majors confirmed from the actions' release threads (see .github/README.md).
    const CURRENT: Record<string, string> = {
      "actions/checkout": "v7",
      "actions/setup-node": "v7",
      "actions/upload-artifact": "v7",
      "actions/download-artifact": "v8",
      "actions/github-script": "v9",
      "aws-actions/configure-aws-credentials": "v6",
      "pulumi/actions": "v7",
    };
    for (const wf of [preview, deploy, comment]) {
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps.filter((s) => s.uses)) {
          const [action, version] = step.uses!.split("@");
          expect(CURRENT[action], `${wf.name}: ${step.uses}`).to.equal(version);
        }
      }
    }
  });
});
