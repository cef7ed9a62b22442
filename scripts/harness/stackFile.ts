import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { loadConfig } from "../../stacks/config";
import { flowConfigSpecs } from "../../stacks/registry";
import { applyProjectConfig, loadProject, loadStackConfig } from "../../stacks/pulumiProject";

/** The repository root, where Pulumi.yaml and the stack files live. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** The stack file is missing or not valid YAML. */
export class StackFileError extends Error {}

function readYaml(file: string): unknown {
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(e as Error).message}`);
  }
}

/** A stack file after the Pulumi CLI's rules: the config the program gets, and what Pulumi refuses. */
export interface LoadedStackFile {
  /** Namespaced keys to text, project defaults applied: what `pulumi up` hands to the program. */
  config: Record<string, string>;
  /** Problems the Pulumi CLI reports before running the program (empty when it would run it). */
  problems: string[];
  /** The project keys those problems are about. */
  keys: string[];
}

/**
 * Reads `Pulumi.<stack>.yaml` from `dir` with the Pulumi.yaml beside it (the project root's when
 * `dir` has none) and applies Pulumi's own rules (stacks/pulumiProject.ts), as
 * `pulumi preview --stack <stack>` does.
 */
export function loadStackFile(stack: string, dir: string = PROJECT_ROOT): LoadedStackFile {
  const projectDir = fs.existsSync(path.join(dir, "Pulumi.yaml")) ? dir : PROJECT_ROOT;
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
  const { project, problems: projectProblems } = loadProject(
    readYaml(path.join(projectDir, "Pulumi.yaml")),
  );
  const doc = (readYaml(file) ?? {}) as { config?: Record<string, unknown>; environment?: unknown };
  const stackConfig = loadStackConfig(project.name, doc.config ?? {});
  const applied = applyProjectConfig(stack, project, stackConfig.config);
  // The program would get the ciphertext instead of the value: refuse rather than plan on it.
  const secrets = [...stackConfig.config]
    .filter(([, v]) => v.secure)
    .map(
      ([k]) =>
        `${k}: a secret ("secure:") value, which the offline plan cannot decrypt ` +
        "(use `pulumi preview`, which decrypts it with the stack's secrets provider)",
    );
  return {
    config: applied.config,
    problems: [
      ...projectProblems.map((p) => `Pulumi.yaml: ${p}`),
      ...stackConfig.problems,
      ...applied.problems,
      ...secrets,
      ...(doc.environment === undefined
        ? []
        : [
            `${path.basename(file)} imports Pulumi ESC environments, which the offline plan cannot ` +
              "read (use `pulumi preview`, or plan a stack file with their values inline)",
          ]),
    ],
    keys: applied.keys,
  };
}

/**
 * The config `pulumi up --stack <stack>` hands to the program. Throws one ConfigError when the
 * stack file is invalid, listing the problems the Pulumi CLI reports before the program runs
 * together with every problem the program's loader reports.
 */
export function readStackConfig(stack: string, dir: string = PROJECT_ROOT): Record<string, string> {
  const file = loadStackFile(stack, dir);
  if (file.problems.length > 0) loadConfig(file.config, flowConfigSpecs(), file);
  return file.config;
}
