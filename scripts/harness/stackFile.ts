import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The repository root, where Pulumi.yaml and the stack files live. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Converts a stack file's `config:` block to what the Pulumi runtime sees: namespaced keys to
 * strings, with structured values (objects, lists, numbers, booleans) as JSON text.
 */
export function toRuntimeConfig(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** The stack file is missing or not valid YAML. */
export class StackFileError extends Error {}

/** Reads `Pulumi.<stack>.yaml` and returns its config in runtime form. */
export function readStackConfig(stack: string, dir: string = PROJECT_ROOT): Record<string, string> {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const stacks = fs
      .readdirSync(dir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => Boolean(s));
    throw new StackFileError(
      `no stack file ${path.basename(file)} (stacks here: ${stacks.join(", ") || "none"})`,
    );
  }
  let doc: { config?: Record<string, unknown> };
  try {
    doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as typeof doc;
  } catch (e) {
    throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(e as Error).message}`);
  }
  return toRuntimeConfig(doc.config ?? {});
}
