import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Where runtime code lives: `functions/<name>/handler.ts`. */
export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "..", "functions");

/** The bundled code of one function. */
export interface Bundle {
  /** Entry file that was bundled. */
  entry: string;
  /** The CommonJS bundle (`index.js` in the deployment archive). */
  code: string;
  /** sha256 of `code`, hex: equal hashes mean identical archives, so no diff on preview. */
  sha256: string;
}

const cache = new Map<string, Bundle>();

/**
 * Bundles `functions/<name>/handler.ts` with esbuild, in-process and deterministically: no
 * timestamps, no absolute paths, no source maps with machine paths, sorted inputs (esbuild's
 * output is a pure function of the sources and these options). The SDK v3 clients are bundled
 * too, so the deployed code runs the versions the lockfile pins, not whatever the runtime ships.
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
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: path.dirname(functionsDir),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    keepNames: true,
    legalComments: "none",
    sourcemap: false,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  const bundle: Bundle = { entry, code, sha256: createHash("sha256").update(code).digest("hex") };
  cache.set(entry, bundle);
  return bundle;
}
