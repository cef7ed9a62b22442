/**
 * The offline plan: `npm run plan -- --stack dev [--format tree|json|mermaid]`.
 * Runs the real program for Pulumi.<stack>.yaml under Pulumi's mock runtime (no credentials, no
 * Pulumi CLI) and prints what `pulumi up` would create, plus the policy pack's findings.
 * Exit codes: 0 ok, 1 a mandatory policy finding, 2 invalid config, stack file or usage,
 * 3 an unexpected error (a bug: the stack trace is printed).
 */
import { ConfigError } from "../stacks/config";
import { runStack, stackFindings } from "./harness/runStack";
import { StackFileError, readStackConfig } from "./harness/stackFile";
import { PlanDocument, planDocument } from "./plan/document";
import { renderMermaid } from "./plan/mermaid";
import { renderTree } from "./plan/tree";

export const FORMATS = ["tree", "json", "mermaid"] as const;
export type PlanFormat = (typeof FORMATS)[number];

export interface PlanArgs {
  stack: string;
  format: PlanFormat;
  /** Folder holding `Pulumi.<stack>.yaml`. Default: the project root. */
  dir?: string;
}

/** Parses `--stack NAME --format F` (also `--stack=NAME`). */
export function parseArgs(argv: string[]): PlanArgs {
  const args: Partial<PlanArgs> = { format: "tree" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    if (flag === "--stack" && value) args.stack = value;
    else if (flag === "--dir" && value) args.dir = value;
    else if (flag === "--format" && value && (FORMATS as readonly string[]).includes(value)) {
      args.format = value as PlanFormat;
    } else {
      throw new UsageError(`unexpected argument "${argv[i] ?? flag}"`);
    }
  }
  if (!args.stack) throw new UsageError("--stack is required");
  return args as PlanArgs;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(
      `${message}\nusage: npm run plan -- --stack <name> [--format ${FORMATS.join("|")}] [--dir <folder of Pulumi.<name>.yaml>]`,
    );
  }
}

/** Runs the program for a stack and returns the plan document (config errors propagate). */
export async function plan(stack: string, dir?: string): Promise<PlanDocument> {
  const run = await runStack({ stack, config: readStackConfig(stack, dir) });
  return planDocument(run, stackFindings(run));
}

export function render(doc: PlanDocument, format: PlanFormat): string {
  if (format === "json") return JSON.stringify(doc, null, 2);
  if (format === "mermaid") return renderMermaid(doc);
  return renderTree(doc);
}

/** 1 when any finding is mandatory (advisory findings are printed but do not fail). */
export function exitCodeFor(doc: Pick<PlanDocument, "violations">): number {
  return doc.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

async function main(): Promise<number> {
  let args: PlanArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  try {
    const doc = await plan(args.stack, args.dir);
    // Wait until the text is handed to the OS: process.exit() would cut a large piped plan short.
    const text = render(doc, args.format) + "\n";
    await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
    return exitCodeFor(doc);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof StackFileError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(3);
    },
  );
}
