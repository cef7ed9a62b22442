// @ts-check
/* global require, process, __dirname */
/**
 * Runs a Pulumi program the way `pulumi up` does, under the mock runtime: plain `node` (no tsx),
 * the environment Pulumi's nodejs language host sets from `runtime.options` in Pulumi.yaml
 * (sdk/nodejs/cmd/pulumi-language-nodejs/main.go: `typescript` defaults to true and sets
 * PULUMI_NODEJS_TYPESCRIPT, `tsconfig` sets PULUMI_NODEJS_TSCONFIG_PATH, `main` is the entry
 * point), then `@pulumi/pulumi/cmd/run`'s own `run()`: it registers the ts-node bundled with
 * @pulumi/pulumi (type-checking unless tsconfig says `noCheck`), with the project's tsconfig, and
 * requires the program. Only the gRPC connection of `cmd/run/index.js` is replaced by the mocks.
 *
 * It is JavaScript because it must start before any TypeScript loader: the mock harness
 * (scripts/harness/recorder.ts) is required once Pulumi's ts-node is registered, so it is
 * type-checked by it too.
 *
 * Usage: node scripts/harness/languageHost.js <project dir> <stack> <result.json>
 * The config comes in PULUMI_CONFIG, as the language host passes it. The result file gets
 * `{ ok: true, urns, outputs }` or `{ ok: false, name, message }`; the exit code is 0 or 1.
 */
const fs = require("node:fs");
const path = require("node:path");
const { parse } = require("yaml");

const [projectDir, stack, resultFile] = process.argv.slice(2);
if (!projectDir || !stack || !resultFile) {
  process.stderr.write("usage: node languageHost.js <project dir> <stack> <result.json>\n");
  process.exit(2);
}

/** @param {unknown} result */
function finish(result) {
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

/** @param {unknown} e */
function failure(e) {
  const err = e instanceof Error ? e : new Error(String(e));
  finish({ ok: false, name: err.name, message: err.message });
  process.exit(1);
}

process.chdir(projectDir);
const project = parse(fs.readFileSync("Pulumi.yaml", "utf8"));
const runtime = typeof project.runtime === "string" ? { name: project.runtime } : project.runtime;
const options = runtime.options ?? {};
// The language host's parseOptions: typescript defaults to true.
if (options.typescript !== false) process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
if (typeof options.tsconfig === "string")
  process.env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
// ts-node 7 caches compiled files in the OS temp dir and skips type-checking a cached file, even
// when a file it imports changed: turn the cache off so every run checks the whole program.
process.env.TS_NODE_CACHE = "false";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// cmd/run/index.js parses the engine's flags and connects to it when required; run.js only reads
// one constant from it. Stand in for it, so run.js is the real loader without a real engine.
const indexFile = require.resolve(path.join(pulumiDir, "cmd", "run", "index.js"));
const Module = require("node:module");
const stand = new Module(indexFile);
stand.filename = indexFile;
stand.loaded = true;
stand.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };
require.cache[indexFile] = stand;
const { run } = require(path.join(pulumiDir, "cmd", "run", "run.js"));
const harness = path.join(__dirname, "recorder.ts");

/** @type {{ resources: { urn: string }[], settle(): Promise<void> } | undefined} */
let recorder;
const programStarted = () => {
  // Pulumi's ts-node is registered by now: the harness is compiled (and checked) by it too.
  const pulumi = require("@pulumi/pulumi");
  const { installMocks, PROJECT } = require(harness);
  recorder = installMocks({ project: PROJECT, stack, config: pulumi.runtime.allConfig() });
};
// The entry point: Pulumi.yaml `main`, else "." (package.json `main`), as the language host passes.
const entry = typeof project.main === "string" ? project.main : ".";

run({ _: [entry] }, programStarted, failure, () => false).then(async (outputs) => {
  if (!recorder) throw new Error("the program never started");
  await recorder.settle();
  finish({
    ok: true,
    urns: recorder.resources.map((r) => r.urn),
    outputs: Object.keys(outputs ?? {}),
  });
  process.exit(0);
}, failure);
