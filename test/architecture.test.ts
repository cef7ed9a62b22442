import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as barrel from "../components";
import { FLOW_SLUGS } from "../stacks/slugs";
import {
  ROOT,
  componentModule,
  findCycles,
  importGraph,
  layeringProblem,
  reachable,
  readsConfig,
  readsProcessEnv,
  tsFiles,
} from "./support/importGraph";

/** The code whose imports are checked (tests and fixtures may reach across the house). */
const CHECKED = ["index.ts", "components", "stacks", "functions", "scripts", "bench", "policy"];

describe("architecture: imports of components/, stacks/, functions/, scripts/", () => {
  const files = tsFiles(CHECKED);
  const graph = importGraph(files);

  it("reads the real tree", () => {
    expect(files).to.include.members([
      "index.ts",
      "components/index.ts",
      "components/api/apiBackedLambda.ts",
      "stacks/program.ts",
      "functions/lib/http.ts",
      "scripts/plan.ts",
    ]);
    // Type-only imports count: httpApi.ts once took `import type { ApiCors }` from apiBackedLambda.
    expect(graph.local.get("components/containers/fargateClusterPlan.ts")).to.include(
      "components/network/network.ts",
    );
  });

  it("has no import cycle (type imports included)", () => {
    expect(findCycles(graph.local)).to.deep.equal([]);
  });

  it("components/ imports only down its layers (components/README.md), stacks/ and functions/ stay in theirs", () => {
    const problems = files.flatMap((from) =>
      (graph.local.get(from) ?? []).flatMap((to) => {
        const why = layeringProblem(from, to);
        return why ? [`${from} -> ${to}: ${why}`] : [];
      }),
    );
    expect(problems).to.deep.equal([]);
  });

  it("every components/ file sits in a module folder with a README", () => {
    const loose = files.filter(
      (f) => f.startsWith("components/") && f !== "components/index.ts" && !componentModule(f),
    );
    expect(loose).to.deep.equal([]);
    const modules = [...new Set(files.map(componentModule).filter((m) => m !== undefined))];
    const missing = modules.filter(
      (m) => !fs.existsSync(path.join(ROOT, "components", m, "README.md")),
    );
    expect(missing).to.deep.equal([]);
  });

  it("functions/ never imports @pulumi/*", () => {
    const pulumi = files
      .filter((f) => f.startsWith("functions/"))
      .flatMap((f) =>
        (graph.packages.get(f) ?? [])
          .filter((p) => p.startsWith("@pulumi/"))
          .map((p) => `${f}: ${p}`),
      );
    expect(pulumi).to.deep.equal([]);
  });

  it("flows never import each other (a dependency is declared in the registry)", () => {
    const flowFiles = new Set(FLOW_SLUGS.map((s) => `stacks/${s}.ts`));
    expect([...flowFiles].filter((f) => !files.includes(f))).to.deep.equal([]);
    const imports = [...flowFiles].flatMap((from) =>
      (graph.local.get(from) ?? [])
        .filter((to) => flowFiles.has(to))
        .map((to) => `${from} -> ${to}`),
    );
    expect(imports).to.deep.equal([]);
  });

  it("functions/ separates Lambda handlers (functions/<name>/handler.ts) from container apps (functions/containers/<app>/main.ts)", () => {
    const dirs = (d: string) =>
      fs
        .readdirSync(path.join(ROOT, d), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `${d}/${e.name}`);
    const lambdas = dirs("functions").filter(
      (d) => d !== "functions/lib" && d !== "functions/containers",
    );
    const apps = dirs("functions/containers");
    expect(lambdas.length).to.be.greaterThan(0);
    expect(apps.length).to.be.greaterThan(0);
    const misplaced = [
      ...lambdas.filter(
        (d) => !files.includes(`${d}/handler.ts`) || files.includes(`${d}/main.ts`),
      ),
      ...apps.filter((d) => !files.includes(`${d}/main.ts`) || files.includes(`${d}/handler.ts`)),
    ];
    expect(misplaced).to.deep.equal([]);
  });

  it("functions/ reads process.env only in env.ts files (the environment contract)", () => {
    const readers = files.filter(
      (f) =>
        f.startsWith("functions/") && readsProcessEnv(fs.readFileSync(path.join(ROOT, f), "utf8")),
    );
    expect(readers).to.include("functions/stream-processor/env.ts");
    expect(readers.filter((f) => path.basename(f) !== "env.ts")).to.deep.equal([]);
  });

  it("components/ neither reads config nor imports (even indirectly) a file that does", () => {
    const readers = new Set(
      files.filter((f) => readsConfig(fs.readFileSync(path.join(ROOT, f), "utf8"))),
    );
    expect([...readers]).to.include("stacks/program.ts");
    const offenders = files
      .filter((f) => f.startsWith("components/"))
      .flatMap((f) =>
        [f, ...reachable(graph.local, f)].filter((r) => readers.has(r)).map((r) => `${f} -> ${r}`),
      );
    expect(offenders).to.deep.equal([]);
  });

  it("the barrel lists the five user-facing components first", () => {
    const text = fs.readFileSync(path.join(ROOT, "components/index.ts"), "utf8");
    const firstFive = [...text.matchAll(/^export \* from "\.\/([^"]+)";$/gm)]
      .slice(0, 5)
      .map((m) => m[1]);
    expect(firstFive).to.deep.equal([
      "messaging/fanOutTopic",
      "api/apiBackedLambda",
      "containers/fargateService",
      "streaming/kinesisPipeline",
      "streaming/shardAutoscaler",
    ]);
    for (const name of [
      "FanOutTopic",
      "ApiBackedLambda",
      "FargateService",
      "KinesisPipeline",
      "ShardAutoscaler",
    ]) {
      expect(barrel, name).to.have.property(name).that.is.a("function");
    }
  });
});

describe("architecture checks on synthetic input (they can fail)", () => {
  it("findCycles finds a 3-cycle, a self-import and nothing in a DAG", () => {
    const g = new Map<string, string[]>([
      ["a", ["b"]],
      ["b", ["c", "d"]],
      ["c", ["a"]],
      ["d", []],
      ["e", ["e"]],
      ["f", ["d"]],
    ]);
    expect(findCycles(g)).to.deep.equal([["a", "b", "c"], ["e"]]);
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).to.deep.equal([]);
  });

  it("layeringProblem refuses upward, sideways and barrel imports", () => {
    const s = "components/storage/bucketNotifications.ts";
    expect(layeringProblem(s, "components/messaging/secureQueue.ts")).to.match(
      /storage .* messaging/,
    );
    expect(layeringProblem(s, "components/data/secureTable.ts")).to.match(/layer 3/);
    expect(layeringProblem(s, "components/index.ts")).to.match(/barrel/);
    expect(layeringProblem(s, "stacks/config.ts")).to.be.a("string");
    expect(layeringProblem("functions/x/handler.ts", "components/core/defaults.ts")).to.be.a(
      "string",
    );
    expect(layeringProblem(s, "components/security/iam.ts")).to.equal(undefined);
    expect(layeringProblem(s, "components/storage/secureBucket.ts")).to.equal(undefined);
    expect(layeringProblem("stacks/flow.ts", "components/index.ts")).to.equal(undefined);
    expect(layeringProblem("stacks/flow.ts", "scripts/plan.ts")).to.be.a("string");
  });

  it("readsProcessEnv sees every way of reading the environment, not comments", () => {
    expect(readsProcessEnv("const t = process.env.TABLE_NAME;")).to.equal(true);
    expect(readsProcessEnv('const t = process["env"];')).to.equal(true);
    expect(readsProcessEnv("const { env } = process;")).to.equal(true);
    expect(readsProcessEnv("f(process?.env)")).to.equal(true);
    expect(readsProcessEnv("// process.env.X is read by env.ts\nconst x = 1;")).to.equal(false);
    expect(readsProcessEnv("/** reads process.env */ process.exit(1);")).to.equal(false);
  });

  it("readsConfig sees Pulumi's Config and the raw config map", () => {
    expect(readsConfig('const c = new pulumi.Config("aws");')).to.equal(true);
    expect(readsConfig("const all = pulumi.runtime.allConfig();")).to.equal(true);
    expect(readsConfig("const c = args.config;")).to.equal(false);
  });
});
