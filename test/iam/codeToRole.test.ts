/**
 * Code-to-role proof on the dev and prod plans. For every Lambda function and ECS task: the AWS
 * calls its code makes (SDK commands in its bundle's module graph) and its runtime makes, each on
 * the resource the plan's values say it targets, are evaluated with @cloud-copilot/iam-simulate
 * against the role's policies, the target's resource policy and its key policy: 0 denied. In the
 * other direction, every granted action/resource is used by one of those calls, or is in the
 * reviewed UNUSED_BY_DESIGN table with the AWS page that requires it: 0 unexplained. And every
 * rendered policy document passes AWS's Service Authorization Reference: 0 statements that can
 * never match.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import { statementsProblems } from "../../components/security/iamReference";
import type { StackRun } from "../../scripts/harness/runStack";
import { stackFileRun } from "../stacks/stackFiles";
import { type Bindings, type Call, codeRequests, runtimeRequests } from "./calls";
import { PlanIndex, type Workload, workloads } from "./planModel";

/**
 * Where a function names several resources of one service, which one each action targets (read
 * from the code: stream-processor claims and releases markers in DEDUPE_TABLE, checks for existing
 * rows with BatchGetItem and batch-writes rows to DATA_TABLE, retrying a refused chunk item by item
 * with PutItem there). The test fails if a function needs a binding this table lacks.
 */
const BINDINGS: Bindings = {
  "functions/stream-processor/handler.ts": {
    "dynamodb:PutItem": ["DEDUPE_TABLE", "DATA_TABLE"],
    "dynamodb:DeleteItem": ["DEDUPE_TABLE"],
    "dynamodb:BatchGetItem": ["DATA_TABLE"],
    "dynamodb:BatchWriteItem": ["DATA_TABLE"],
  },
  // The item, then the files listed under its prefix.
  "functions/item-summary/handler.ts": {
    "dynamodb:GetItem": ["ITEMS_TABLE"],
    "s3:ListBucket": ["FILES_BUCKET"],
  },
  // The order, its invoice and its shipment: one GetItem on each table.
  "functions/order-summary/handler.ts": {
    "dynamodb:GetItem": ["ORDERS_TABLE", "INVOICES_TABLE", "SHIPMENTS_TABLE"],
  },
};

/**
 * Grants no call in this proof makes, each required by the AWS page cited. Reviewed: add a row
 * only with the page that requires the grant.
 */
const UNUSED_BY_DESIGN: { action: string; kind: Workload["kind"]; page: string }[] = [];

/** Policy statements rendered anywhere in a plan (role, resource and key policies). */
function renderedDocuments(
  run: StackRun,
): { where: string; statements: Record<string, unknown>[] }[] {
  const keys: Record<string, string> = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:kms/key:Key": "policy",
  };
  return run.resources.flatMap((r) =>
    keys[r.type] && r.inputs[keys[r.type]]
      ? [
          {
            where: `${r.type} ${r.name}`,
            statements: JSON.parse(String(r.inputs[keys[r.type]])).Statement,
          },
        ]
      : [],
  );
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

async function allowed(w: Workload, c: Call, account: string): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: w.roleArn,
        action: c.action,
        resource: { resource: c.resource, accountId: account },
        contextVariables: { "aws:SecureTransport": "true", ...c.context },
      },
      identityPolicies: w.policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: c.resourcePolicy,
    },
    {},
  );
  if (result.resultType === "error")
    throw new Error(`${w.name} ${c.action} ${c.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === "Allowed";
}

interface Figures {
  workloads: number;
  calls: number;
  neverMatch: string[];
  denied: string[];
  unexplainedUnused: string[];
}

async function prove(run: StackRun): Promise<Figures> {
  const index = new PlanIndex(run.resources);
  const figures: Figures = {
    workloads: 0,
    calls: 0,
    neverMatch: [],
    denied: [],
    unexplainedUnused: [],
  };
  for (const d of renderedDocuments(run)) {
    figures.neverMatch.push(
      ...statementsProblems(d.statements as never).map((p) => `${d.where}: ${p}`),
    );
  }
  for (const w of workloads(run.resources)) {
    figures.workloads++;
    const calls = [...codeRequests(w, index, BINDINGS), ...runtimeRequests(w, index)];
    for (const c of calls) {
      figures.calls++;
      if (!(await allowed(w, c, index.account)))
        figures.denied.push(`${w.kind} ${w.name}: ${c.action} on ${c.resource} (${c.why})`);
    }
    for (const { name, policy } of w.policies) {
      for (const s of policy.Statement.filter((x) => x.Effect === "Allow")) {
        for (const action of list(s.Action)) {
          for (const resource of list(s.Resource)) {
            const used = calls.some(
              (c) =>
                glob(action).test(c.action) &&
                (resource === "*" ? c.resource === "*" : glob(resource).test(c.resource)),
            );
            const explained = UNUSED_BY_DESIGN.some(
              (u) => u.kind === w.kind && glob(u.action).test(action),
            );
            if (!used && !explained)
              figures.unexplainedUnused.push(
                `${w.kind} ${w.name} (${name}): ${action} on ${resource}`,
              );
          }
        }
      }
    }
  }
  return figures;
}

for (const stack of ["dev", "prod"] as const) {
  describe(`code-to-role proof on the ${stack} plan`, function () {
    this.timeout(300_000);
    let figures: Figures;

    before(async () => {
      figures = await prove(await stackFileRun(stack));
      console.log(
        `      ${stack}: ${figures.workloads} roles, ${figures.calls} calls; ` +
          `statements that can never match: ${figures.neverMatch.length}, calls denied: ${figures.denied.length}, ` +
          `unexplained unused grants: ${figures.unexplainedUnused.length}`,
      );
    });

    it("covers every Lambda function and ECS task of the plan", () => {
      expect(figures.workloads).to.be.greaterThan(10);
      expect(figures.calls).to.be.greaterThan(100);
    });

    it("0 statements AWS's Service Authorization Reference says can never match", () => {
      expect(figures.neverMatch).to.deep.equal([]);
    });

    it("0 calls denied: code, runtime and KMS calls against role, resource and key policies", () => {
      expect(figures.denied).to.deep.equal([]);
    });

    it("0 unexplained unused grants", () => {
      expect(figures.unexplainedUnused).to.deep.equal([]);
    });
  });
}
