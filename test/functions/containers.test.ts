/**
 * The container images' build contexts, checked without Docker (not available here, so the images
 * themselves are not built): the one template (functions/containers/Dockerfile), instantiated for
 * each app with its SERVICE build argument, is multi-stage, bundles its app from the committed
 * lockfile, copies only files that exist and that .dockerignore lets into the context, runs as a
 * non-root user on the port the component expects; and the bundle its esbuild step produces
 * starts, answers /health, publishes its business figures as EMF on stdout with the namespace and
 * service FargateService gives it, and exits 0 on SIGTERM.
 */
import { expect } from "chai";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { CONTAINER_PORT, LAMBDA_NODE_TARGET } from "../../components/core/defaults";
import { BUSINESS_METRICS } from "../../functions/lib/businessMetrics";
import { until } from "./support/containers";
import { type EmfLine, figuresOf } from "./support/emf";

const ROOT = path.resolve(__dirname, "..", "..");
const CONTAINERS = path.join(ROOT, "functions", "containers");
const TEMPLATE = path.join(CONTAINERS, "Dockerfile");
const APPS: Record<string, Record<string, string>> = {
  "items-service": { TABLE_NAME: "items" },
  "orders-service": { TABLE_NAME: "orders", TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:t" },
  // Nothing listens on port 9: receives fail fast and the worker backs off, as in an outage.
  "billing-service": { TABLE_NAME: "invoices", QUEUE_URL: "http://127.0.0.1:9/123456789012/q" },
  "shipping-service": { TABLE_NAME: "shipments", QUEUE_URL: "http://127.0.0.1:9/123456789012/q" },
};

/** The write route of each HTTP app: a malformed POST there is refused (a figure, no AWS call). */
const WRITE_ROUTES: Record<string, string> = {
  "items-service": "/items",
  "orders-service": "/orders",
};
const NAMESPACE = "aws-serverless-flows/test";

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;

/** Package imports of every .ts file under `dir`: name (scope kept) and whether type-only. */
function bareImports(dir: string): { file: string; name: string; typeOnly: boolean }[] {
  const out: { file: string; name: string; typeOnly: boolean }[] = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".ts")) continue;
    const file = path.join(dir, entry);
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"([^".][^"]*)"/gm)) {
      if (m[3].startsWith("node:")) continue;
      const name = m[3]
        .split("/")
        .slice(0, m[3].startsWith("@") ? 2 : 1)
        .join("/");
      out.push({ file, name, typeOnly: Boolean(m[2]) });
    }
  }
  return out;
}

interface Instruction {
  cmd: string;
  args: string;
}

/** Dockerfile instructions with comments dropped and continuation lines joined. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [cmd, ...rest] = l.split(/\s+/);
      return { cmd: cmd.toUpperCase(), args: rest.join(" ") };
    });
}

/** Splits instructions into stages (one per FROM). */
function stages(all: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of all) {
    if (i.cmd === "FROM") out.push([]);
    out[out.length - 1]?.push(i);
  }
  return out;
}

/** .dockerignore semantics for our patterns: the last matching line wins, "!" re-includes. */
function inContext(relPath: string, patterns: string[]): boolean {
  let included = true;
  for (const raw of patterns) {
    const negate = raw.startsWith("!");
    const p = negate ? raw.slice(1) : raw;
    const matches = p === "*" || relPath === p || relPath.startsWith(`${p}/`);
    if (matches) included = negate;
  }
  return included;
}

const dockerignore = fs
  .readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

/** Runs the bundle like the container does; resolves with the port it listens on. */
function startBundle(file: string, service: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [file], {
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "x",
      AWS_SECRET_ACCESS_KEY: "x",
      AWS_EC2_METADATA_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "INFO",
      // What FargateService sets (powertoolsEnv).
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  const port = new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.message === "listening") resolve(entry.port as number);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  return { child, port, exited, logs };
}

describe("container apps: Dockerfiles and bundles (Docker is not available: images are not built)", () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "containers-"));
  const running: ChildProcess[] = [];
  after(() => {
    for (const c of running) if (c.exitCode === null) c.kill("SIGKILL");
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it("bundles from the lockfile: esbuild is in the functions workspace, with arm64 and x64 binaries", () => {
    const pkg = readJson<Manifest>(path.join(ROOT, "functions", "package.json"));
    expect(pkg.devDependencies).to.have.property("esbuild");
    const lock = readJson<{ packages: Record<string, unknown> }>(
      path.join(ROOT, "package-lock.json"),
    );
    expect(lock.packages).to.have.property("functions");
    for (const p of ["esbuild", "@esbuild/linux-arm64", "@esbuild/linux-x64"]) {
      expect(lock.packages, p).to.have.property(`node_modules/${p}`);
    }
  });

  it("one template builds every app: each folder of functions/containers is an app, none has its own Dockerfile", () => {
    const folders = fs
      .readdirSync(CONTAINERS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.sort()).to.deep.equal(Object.keys(APPS).sort());
    for (const f of folders) {
      expect(fs.existsSync(path.join(CONTAINERS, f, "main.ts")), `${f}/main.ts`).to.equal(true);
      expect(fs.existsSync(path.join(CONTAINERS, f, "Dockerfile")), `${f}/Dockerfile`).to.equal(
        false,
      );
    }
    const template = instructions(fs.readFileSync(TEMPLATE, "utf8"));
    expect(template.filter((i) => i.cmd === "ARG").map((i) => i.args)).to.deep.equal(["SERVICE"]);
  });

  it("the functions workspace declares every package functions/ imports, and no Pulumi", () => {
    const pkg = readJson<Manifest>(path.join(ROOT, "functions", "package.json"));
    const declared = { ...pkg.dependencies, ...pkg.devDependencies };
    const runtime = new Set(Object.keys(pkg.dependencies));
    for (const { file, name, typeOnly } of bareImports(path.join(ROOT, "functions"))) {
      const where = `${path.relative(ROOT, file)} imports ${name}`;
      if (typeOnly) expect(name in declared || `@types/${name}` in declared, where).to.equal(true);
      else expect(runtime.has(name), `${where}: add it to functions/package.json`).to.equal(true);
    }
    expect(Object.keys(declared).filter((d) => d.startsWith("@pulumi/"))).to.deep.equal([]);
  });

  it("an image's npm ci installs the functions workspace only: no Pulumi package in that tree", () => {
    const out = execFileSync(
      "npm",
      ["ls", "--workspace", "functions", "--include-workspace-root=false", "--all", "--json"],
      { cwd: ROOT, encoding: "utf8" },
    );
    const names = new Set<string>();
    const walk = (deps: Record<string, { dependencies?: object }> = {}) => {
      for (const [name, dep] of Object.entries(deps)) {
        names.add(name);
        walk(dep.dependencies as Record<string, { dependencies?: object }>);
      }
    };
    walk(
      (JSON.parse(out) as { dependencies: Record<string, { dependencies?: object }> }).dependencies,
    );
    expect(names.has("@aws-sdk/client-dynamodb")).to.equal(true);
    expect([...names].filter((n) => n.startsWith("@pulumi/") || n === "typescript")).to.deep.equal(
      [],
    );
  });

  for (const [app, env] of Object.entries(APPS)) {
    describe(app, () => {
      const dockerfile = TEMPLATE;
      // The build argument, as Docker expands it in the build stage.
      const text = fs.readFileSync(TEMPLATE, "utf8").replace(/\$\{SERVICE\}|\$SERVICE\b/g, app);
      const all = instructions(text);
      const [build, runtime] = stages(all);

      it("is a two-stage build: node:24 slim, build stage on the build platform", () => {
        expect(fs.existsSync(dockerfile), dockerfile).to.equal(true);
        expect(text.split("\n")[0]).to.equal("# syntax=docker/dockerfile:1");
        expect(stages(all)).to.have.length(2);
        expect(build[0].args).to.match(/^--platform=\$BUILDPLATFORM node:24-[a-z]+-slim AS build$/);
        // The runtime stage follows the target platform (linux/arm64 from the component).
        expect(runtime[0].args).to.match(/^node:24-[a-z]+-slim$/);
      });

      it("copies only files that exist and that .dockerignore sends in the build context", () => {
        const copies = build.filter((i) => i.cmd === "COPY");
        expect(copies.length).to.be.greaterThan(0);
        for (const c of copies) {
          const parts = c.args.split(/\s+/).filter((a) => !a.startsWith("--"));
          for (const src of parts.slice(0, -1)) {
            expect(fs.existsSync(path.join(ROOT, src)), `${app}: COPY ${src}`).to.equal(true);
            expect(inContext(src, dockerignore), `${app}: ${src} in the context`).to.equal(true);
          }
        }
        expect(inContext("node_modules", dockerignore)).to.equal(false);
        expect(inContext(".git", dockerignore)).to.equal(false);
        expect(inContext("Pulumi.dev.yaml", dockerignore)).to.equal(false);
      });

      it("installs with npm ci from the lockfile in the build stage only, and bundles main.ts", () => {
        const runs = build.filter((i) => i.cmd === "RUN").map((i) => i.args);
        expect(
          runs.some((r) =>
            /npm ci --workspace functions --include-workspace-root=false --ignore-scripts/.test(r),
          ),
        ).to.equal(true);
        const bundle = runs.find((r) => r.includes("esbuild"));
        expect(bundle).to.contain(`functions/containers/${app}/main.ts`);
        expect(bundle).to.contain(
          `--bundle --platform=node --target=${LAMBDA_NODE_TARGET} --format=cjs --main-fields=module,main`,
        );
        expect(bundle).to.contain("--outfile=/out/main.js");
        expect(fs.existsSync(path.join(CONTAINERS, app, "main.ts"))).to.equal(true);
        expect(
          runtime.filter((i) => i.cmd === "RUN"),
          "nothing installed at runtime",
        ).to.deep.equal([]);
        expect(runtime.find((i) => i.cmd === "COPY")?.args).to.equal(
          "--from=build /out/main.js ./main.js",
        );
        expect(runtime.find((i) => i.cmd === "CMD")?.args).to.equal('["node", "main.js"]');
      });

      it("runs as a non-root user on the component's container port", () => {
        const user = runtime.filter((i) => i.cmd === "USER").pop()?.args;
        expect(user).to.be.a("string");
        expect(["root", "0"]).not.to.include(user);
        expect(runtime.find((i) => i.cmd === "EXPOSE")?.args).to.equal(String(CONTAINER_PORT));
        expect(runtime.find((i) => i.cmd === "ENV")?.args).to.contain(`PORT=${CONTAINER_PORT}`);
      });

      it("its bundle starts, answers /health, publishes its figures as EMF and exits 0 on SIGTERM", async function () {
        this.timeout(30_000);
        const outfile = path.join(outDir, app, "main.js");
        // The same esbuild options as the Dockerfile's RUN line.
        esbuild.buildSync({
          entryPoints: [path.join(CONTAINERS, app, "main.ts")],
          absWorkingDir: ROOT,
          bundle: true,
          platform: "node",
          target: LAMBDA_NODE_TARGET,
          format: "cjs",
          mainFields: ["module", "main"],
          minify: true,
          keepNames: true,
          legalComments: "none",
          outfile,
          logLevel: "silent",
        });
        const proc = startBundle(outfile, app, env);
        running.push(proc.child);
        const port = await proc.port;
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        expect(health.status).to.equal(200);
        const isEmf = (l: Record<string, unknown>): l is EmfLine => "_aws" in l;
        const route = WRITE_ROUTES[app];
        if (route) {
          const refused = await fetch(`http://127.0.0.1:${port}${route}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{",
          });
          expect(refused.status).to.equal(400);
          await until(() => proc.logs.some(isEmf), "the request's EMF line");
          const [line, ...more] = proc.logs.filter(isEmf);
          expect(more, "one line per request, none for /health").to.deep.equal([]);
          expect(figuresOf(line, NAMESPACE, app)).to.deep.equal({
            [BUSINESS_METRICS.itemsWritten]: 0,
            [BUSINESS_METRICS.duplicatesDropped]: 0,
            [BUSINESS_METRICS.recordsRefused]: 1,
          });
        }
        proc.child.kill("SIGTERM");
        expect(await proc.exited).to.equal(0);
        expect(proc.logs.map((l) => l.message)).to.include.members(["shutting down", "stopped"]);
        // A consumer whose queue cannot be reached received no batch: no figures, no empty lines.
        if (!route) expect(proc.logs.filter(isEmf)).to.deep.equal([]);
      });
    });
  }
});
