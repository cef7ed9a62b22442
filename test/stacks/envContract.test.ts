import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { FUNCTIONS_DIR, bundleFunction } from "../../components/compute/bundle";
import { powertoolsEnv } from "../../functions/lib/businessMetrics";
import { containerEnv } from "../../functions/lib/container/env";
import type { EnvContract, EnvSpec } from "../../functions/lib/env";
import type { RecordedResource } from "../../scripts/harness/recorder";
import { resolveDeep } from "../../scripts/planSnapshot";
import { stackFileRun } from "./stackFiles";

const subfolders = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
/** Function folders (relative to functions/): Lambda handlers, then containers/<app>. */
const LAMBDAS = subfolders(FUNCTIONS_DIR).filter((d) => d !== "lib" && d !== "containers");
const APPS = subfolders(path.join(FUNCTIONS_DIR, "containers")).map((d) => `containers/${d}`);
const FOLDERS = [...LAMBDAS, ...APPS].sort();
const isLambda = (folder: string) => LAMBDAS.includes(folder);
/** Variables the platform reads, set by FargateService for the SDK (not the app's contract). */
const RUNTIME_VARIABLES = ["AWS_REGION"];

function isContract(value: unknown): value is EnvContract<EnvSpec> {
  const c = value as EnvContract<EnvSpec>;
  return typeof c === "object" && Array.isArray(c?.names) && typeof c?.read === "function";
}

/** The contract env.ts of `folder` exports (exactly one). */
async function contractOf(folder: string): Promise<EnvContract<EnvSpec>> {
  const mod = (await import(path.join(FUNCTIONS_DIR, folder, "env.ts"))) as Record<string, unknown>;
  const contracts = Object.values(mod).filter(isContract);
  expect(contracts, `functions/${folder}/env.ts exports one contract`).to.have.length(1);
  expect(contracts[0].fn).to.equal(path.basename(folder));
  return contracts[0];
}

interface Deployed {
  folder: string;
  urn: string;
  variables: Record<string, string>;
}

/** Lambda functions, named by the folder whose bundle they run (same bytes, same hash). */
async function lambdas(resources: RecordedResource[]): Promise<Deployed[]> {
  const byHash = new Map(LAMBDAS.map((f) => [bundleFunction(f).sha256, f] as const));
  const out: Deployed[] = [];
  for (const r of resources.filter((x) => x.type === "aws:lambda/function:Function")) {
    const inputs = (await resolveDeep(r.inputs)) as {
      sourceCodeHash: string;
      environment?: { variables?: Record<string, string> };
    };
    const folder = byHash.get(inputs.sourceCodeHash);
    expect(folder, `${r.urn} runs the bundle of a functions/ folder`).to.be.a("string");
    out.push({
      folder: folder as string,
      urn: r.urn,
      variables: inputs.environment?.variables ?? {},
    });
  }
  return out;
}

/** Container apps, named by the SERVICE their image is built for (functions/containers/Dockerfile). */
async function containers(resources: RecordedResource[]): Promise<Deployed[]> {
  const out: Deployed[] = [];
  for (const task of resources.filter((x) => x.type === "aws:ecs/taskDefinition:TaskDefinition")) {
    const image = resources.find((x) => x.type === "awsx:ecr:Image" && x.parent === task.parent);
    expect(image?.inputs.dockerfile, task.urn).to.equal("functions/containers/Dockerfile");
    const service = (image?.inputs.args as Record<string, string> | undefined)?.SERVICE;
    const folder = `containers/${service}`;
    expect(APPS, `${task.urn} builds an app of functions/containers`).to.include(folder);
    const inputs = (await resolveDeep(task.inputs)) as { containerDefinitions: string };
    const [container] = JSON.parse(inputs.containerDefinitions) as {
      environment: { name: string; value: string }[];
    }[];
    const variables = Object.fromEntries(
      container.environment
        .filter((e) => !RUNTIME_VARIABLES.includes(e.name))
        .map((e) => [e.name, e.value]),
    );
    out.push({ folder: folder as string, urn: task.urn, variables });
  }
  return out;
}

describe("environment contract: what components set is what functions/<name>/env.ts declares", function () {
  this.timeout(300_000);

  it("every function folder has an env.ts exporting its contract", async () => {
    expect(FOLDERS.length).to.be.greaterThan(10);
    const missing = FOLDERS.filter((f) => !fs.existsSync(path.join(FUNCTIONS_DIR, f, "env.ts")));
    expect(missing).to.deep.equal([]);
    for (const f of FOLDERS) await contractOf(f);
  });

  for (const stack of ["dev", "prod"] as const) {
    it(`in the ${stack} plan, every function gets exactly its declared variables, which its reader accepts`, async () => {
      const { resources } = await stackFileRun(stack);
      const deployed = [...(await lambdas(resources)), ...(await containers(resources))];
      const problems: string[] = [];
      for (const d of deployed) {
        const contract = await contractOf(d.folder);
        // Every function and container app also gets Powertools' service and metrics namespace.
        const declared = isLambda(d.folder)
          ? [...contract.names, ...powertoolsEnv.names]
          : [...contract.names, ...containerEnv.names, ...powertoolsEnv.names];
        const set = Object.keys(d.variables);
        const extra = set.filter((n) => !declared.includes(n));
        const missing = declared.filter((n) => !set.includes(n));
        if (extra.length || missing.length) {
          problems.push(`${d.urn} (${d.folder}): extra ${extra} missing ${missing}`);
        }
        try {
          contract.read(d.variables);
          if (!isLambda(d.folder)) containerEnv.read(d.variables);
          powertoolsEnv.read(d.variables);
        } catch (e) {
          problems.push(`${d.urn}: ${(e as Error).message}`);
        }
      }
      expect(problems).to.deep.equal([]);
      if (stack === "dev") {
        // The dev stack turns every flow on: every function is deployed, so every contract is checked.
        expect([...new Set(deployed.map((d) => d.folder))].sort()).to.deep.equal(FOLDERS);
      }
    });
  }
});
