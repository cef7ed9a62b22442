import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LAMBDA_NODE_TARGET } from "../core/defaults";

/** Where runtime code lives: `functions/<name>/handler.ts`. */
export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "..", "functions");

/** Largest bundle (bundle.js) a function may ship: cold start grows with the code Node parses. */
export const MAX_BUNDLE_BYTES = 350 * 1024;

/**
 * Credential providers the SDK's default chain imports lazily, after the environment variables.
 * Lambda always sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the
 * execution role (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * so the chain stops at `fromEnv` and these (with the STS, SSO and sign-in clients they carry,
 * about 110 KiB) never load. Left out of the bundle and required (not imported: `require`
 * searches NODE_PATH, which the same page gives as `...:$LAMBDA_RUNTIME_DIR/node_modules`), they
 * would resolve from the SDK the Node.js runtime ships in /var/runtime/node_modules if a
 * function ever reached them.
 */
export const LAMBDA_EXTERNALS = [
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-http",
  "@smithy/credential-provider-imds",
];

/**
 * `index.js` of every archive: turns source maps on, then loads the bundle, so stack traces point
 * at the TypeScript sources without NODE_OPTIONS (Node applies maps only to files loaded after
 * `setSourceMapsSupport`; https://nodejs.org/api/module.html#modulesetsourcemapssupportenabled-options).
 */
export const LOADER = `"use strict";
require("node:module").setSourceMapsSupport(true);
module.exports = require("./bundle.js");
`;

/** The bundled code of one function. */
export interface Bundle {
  /** Entry file that was bundled. */
  entry: string;
  /** The CommonJS bundle (`bundle.js` in the archive), ending in its map's URL. */
  code: string;
  /** Its source map (`bundle.js.map`): repository-relative paths, no sources inlined. */
  map: string;
  /** The archive's files by name: the loader (`index.js`), the bundle and its map. */
  files: Record<string, string>;
  /** sha256 of the files, hex: equal hashes mean identical archives, so no diff on preview. */
  sha256: string;
}

const cache = new Map<string, Bundle>();
const WORKER = path.join(__dirname, "bundleWorker.js");

/**
 * Bundles `functions/<name>/handler.ts` with esbuild, deterministically: no timestamps, no
 * absolute paths, sorted inputs (esbuild's output is a pure function of the sources and these
 * options). ESM builds of dependencies first (`module` before `main`), so the SDK v3 clients are
 * tree-shaken; they are bundled, so the deployed code runs the versions the lockfile pins, not
 * whatever the runtime ships. The map (`sourcesContent: false`) turns stack traces back into
 * file:line of the TypeScript sources (see LOADER).
 *
 * The build runs in a child process (components/bundleWorker.js) because esbuild's synchronous
 * API has no plugins, and the plugins there keep zod and the SDK schemas tree-shakable.
 */
export function bundleFunction(name: string, functionsDir: string = FUNCTIONS_DIR): Bundle {
  const entry = path.join(functionsDir, name, "handler.ts");
  const cached = cache.get(entry);
  if (cached) return cached;
  if (!fs.existsSync(entry)) {
    throw new Error(
      `bundleFunction: no handler at ${path.relative(process.cwd(), entry)} ` +
        `(fix: create functions/${name}/handler.ts exporting "handler")`,
    );
  }
  const root = path.dirname(functionsDir);
  const options = {
    entryPoints: [entry],
    absWorkingDir: root,
    // Virtual: nothing is written; it only makes the map's paths relative to the repository.
    outfile: path.join(root, "bundle.js"),
    bundle: true,
    platform: "node",
    target: LAMBDA_NODE_TARGET,
    format: "cjs",
    mainFields: ["module", "main"],
    runtimeProvided: LAMBDA_EXTERNALS,
    minify: true,
    // Dependencies read constructor names (Powertools' BatchProcessor, the SDK's error classes).
    keepNames: true,
    legalComments: "none",
    sourcemap: "linked",
    sourcesContent: false,
    logLevel: "silent",
  };
  let out: string;
  try {
    out = execFileSync(process.execPath, [WORKER], {
      input: JSON.stringify(options),
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    }).toString("utf8");
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`bundleFunction: esbuild failed for functions/${name}: ${stderr || e}`);
  }
  const { code, map } = JSON.parse(out) as { code: string; map: string };
  const files = { "index.js": LOADER, "bundle.js": code, "bundle.js.map": map };
  const hash = createHash("sha256");
  for (const [file, text] of Object.entries(files)) hash.update(`${file}\0${text}\0`);
  const bundle: Bundle = { entry, code, map, files, sha256: hash.digest("hex") };
  cache.set(entry, bundle);
  return bundle;
}
