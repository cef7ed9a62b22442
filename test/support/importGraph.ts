import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/** The repository root (this file is test/support/importGraph.ts). */
export const ROOT = path.resolve(__dirname, "..", "..");

/** File (repo-relative, `/`-separated) -> what it imports. */
export interface ImportGraph {
  /** Repo files each file imports (relative specifiers resolved to `.ts` / `index.ts`). */
  local: Map<string, string[]>;
  /** Package specifiers each file imports (`@pulumi/pulumi`, `node:fs`, ...). */
  packages: Map<string, string[]>;
}

/** Every `.ts` file under `dirs` (repo-relative), node_modules left out, sorted. */
export function tsFiles(dirs: readonly string[], root: string = ROOT): string[] {
  const walk = (rel: string): string[] => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return [];
    if (fs.statSync(abs).isFile()) return rel.endsWith(".ts") ? [rel] : [];
    return fs
      .readdirSync(abs, { withFileTypes: true })
      .filter((e) => e.name !== "node_modules")
      .flatMap((e) => walk(path.posix.join(rel, e.name)));
  };
  return dirs.flatMap(walk).sort();
}

function resolveLocal(from: string, spec: string, root: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return [`${base}.ts`, `${base}/index.ts`, base].find(
    (c) => c.endsWith(".ts") && fs.existsSync(path.join(root, c)),
  );
}

/**
 * The imports of `files`, read with the TypeScript compiler's own pre-processor: `import`,
 * `import type`, `export ... from`, `require()` and `import()` all count (a type import still
 * ties two files together for a reader and for a cycle).
 */
export function importGraph(files: readonly string[], root: string = ROOT): ImportGraph {
  const local = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    const locals: string[] = [];
    const pkgs: string[] = [];
    for (const spec of specs) {
      if (!spec.startsWith(".")) {
        pkgs.push(spec);
        continue;
      }
      const target = resolveLocal(file, spec, root);
      if (!target) throw new Error(`${file}: cannot resolve import "${spec}"`);
      locals.push(target);
    }
    local.set(file, [...new Set(locals)].sort());
    packages.set(file, [...new Set(pkgs)].sort());
  }
  return { local, packages };
}

/**
 * The import cycles of a graph: its strongly connected components of more than one node, or a
 * node importing itself (Tarjan's algorithm), each sorted, in a stable order.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * The layers of components/ (components/README.md): a module may import its own folder and the
 * modules of lower layers only; modules of one layer never import each other.
 */
export const COMPONENT_LAYERS: readonly (readonly string[])[] = [
  ["core"],
  ["security"],
  ["observability"],
  ["network", "compute", "data", "storage"],
  ["messaging", "api"],
  ["containers", "streaming"],
];

/** The module folder of a components/ file (`components/api/httpApi.ts` -> `api`), if any. */
export function componentModule(file: string): string | undefined {
  const m = /^components\/([^/]+)\/[^/]+\.ts$/.exec(file);
  return m?.[1];
}

function layerOf(module: string): number {
  const i = COMPONENT_LAYERS.findIndex((l) => l.includes(module));
  if (i < 0) throw new Error(`components/${module}/ is in no layer of COMPONENT_LAYERS`);
  return i;
}

/**
 * Why `from` may not import `to` under the folder rules, or undefined when it may:
 * components/ files import only components/ (down the layers, never the barrel) and functions/
 * (pure code the Lambda also runs); stacks/ imports only stacks/, components/ and functions/;
 * functions/ imports only functions/.
 */
export function layeringProblem(from: string, to: string): string | undefined {
  if (from === "components/index.ts") {
    return componentModule(to) ? undefined : "the barrel re-exports components/<module>/ only";
  }
  if (from.startsWith("components/")) {
    if (to === "components/index.ts") return "imports the barrel (import the file itself)";
    if (to.startsWith("functions/")) return undefined;
    const a = componentModule(from);
    const b = componentModule(to);
    if (!a || !b) return "components/ imports only components/<module>/ and functions/";
    if (a !== b && layerOf(b) >= layerOf(a)) {
      return `${a} (layer ${layerOf(a)}) may not import ${b} (layer ${layerOf(b)})`;
    }
    return undefined;
  }
  if (from.startsWith("stacks/") && !/^(stacks|components|functions)\//.test(to)) {
    return "stacks/ imports only stacks/, components/ and functions/";
  }
  if (from.startsWith("functions/") && !to.startsWith("functions/")) {
    return "functions/ is runtime code: it imports only functions/";
  }
  return undefined;
}

/** Reads stack config itself: Pulumi's Config class or the raw config map. */
export function readsConfig(text: string): boolean {
  return /\bpulumi\.Config\b|\bnew\s+Config\s*\(|\bruntime\.(allConfig|getConfig)\s*\(/.test(text);
}

/**
 * Reads the process environment (`process.env`, `process["env"]`, `{ env } = process`), outside
 * comments. In functions/ only env.ts files may (README "Architecture": the environment contract).
 */
export function readsProcessEnv(text: string): boolean {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  return /\bprocess\s*(\??\.\s*env\b|\[\s*["'`]env["'`]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/.test(
    code,
  );
}

/** Every file reachable from `start` through local imports (not including `start`). */
export function reachable(graph: ReadonlyMap<string, readonly string[]>, start: string): string[] {
  const seen = new Set<string>();
  const todo = [...(graph.get(start) ?? [])];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f) || f === start) continue;
    seen.add(f);
    todo.push(...(graph.get(f) ?? []));
  }
  return [...seen].sort();
}
