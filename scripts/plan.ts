/**
 * The offline plan: `npm run plan -- --stack dev [--format tree|json|mermaid|markdown] [--diff BASE.json]`.
 * Runs the real program for Pulumi.<stack>.yaml under Pulumi's mock runtime (no credentials, no
 * Pulumi CLI) and prints what `pulumi up` would create, the policy pack's findings and the fixed
 * monthly cost; with --diff, what changes against a saved JSON plan. See HELP for exit codes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../stacks/config";
import { runStack, stackFindings } from "./harness/runStack";
import { PROJECT } from "./harness/recorder";
import { PROJECT_ROOT, StackFileError, readStackConfig } from "./harness/stackFile";
import { renderCostMarkdown, renderCostText } from "./plan/costText";
import { PlanDiff, diffPlans } from "./plan/diff";
import { commentMarker, renderDiffMarkdown, renderDiffText } from "./plan/diffRender";
import { PlanDocument, planDocument } from "./plan/document";
import { accountLogsRoleSteps } from "./plan/accountRole";
import { NextStepsInput, renderFlows, renderNextSteps } from "./plan/guide";
import { renderMermaid } from "./plan/mermaid";
import { PriceTableError } from "./plan/prices";
import { renderTree } from "./plan/tree";

export const FORMATS = ["tree", "json", "mermaid", "markdown"] as const;
export type PlanFormat = (typeof FORMATS)[number];

export interface PlanArgs {
  stack: string;
  format: PlanFormat;
  /** Folder holding `Pulumi.<stack>.yaml`. Default: the project root. */
  dir?: string;
  /** A saved `--format json` plan to compare with (e.g. the base branch's). */
  diff?: string;
  help?: boolean;
}

export const HELP = `usage: npm run plan -- --stack <name> [--format ${FORMATS.join("|")}] [--diff <base plan.json>] [--dir <folder>]

Evaluates the program for Pulumi.<name>.yaml under Pulumi's mock runtime: no AWS credentials,
no Pulumi CLI. Prints what \`pulumi up\` would deploy per flow, the outputs it will give, the
policy pack's findings, the fixed monthly cost at list prices, and the next steps.

  --stack <name>    stack file to plan (Pulumi.<name>.yaml)
  --format tree     (default) per-flow summary, resource tree, findings, cost, next steps
  --format json     one JSON document: { stack, flows, resources, outputs, violations, cost }
  --format mermaid  data-flow diagram
  --format markdown the pull-request comment
  --diff <file>     compare with a saved --format json plan: creates, updates, replaces (with the
                    property that forces them) and deletes by URN, new and resolved findings, and
                    the cost delta; --format json prints the diff as JSON
  --dir <folder>    folder of the stack file (default: the project root)
  --help            this text

exit codes:
  0  plan printed, no mandatory policy finding
  1  plan printed, at least one mandatory policy finding
  2  invalid config, missing or invalid stack file or base plan, no price table for the
     stack's region, or bad arguments (message on stderr, no plan)
  3  unexpected error (a bug: the stack trace is printed)`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${HELP.split("\n", 1)[0]}\n(npm run plan -- --help for more)`);
  }
}

/** The base plan given to --diff is missing or not a plan. */
export class BasePlanError extends Error {}

/** Parses `--stack NAME --format F --diff FILE` (also `--stack=NAME`), and `--help`. */
export function parseArgs(argv: string[]): PlanArgs {
  const args: Partial<PlanArgs> = { format: "tree" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--help" || argv[i] === "-h") return { stack: "", format: "tree", help: true };
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    if (flag === "--stack" && value) args.stack = value;
    else if (flag === "--dir" && value) args.dir = value;
    else if (flag === "--diff" && value) args.diff = value;
    else if (flag === "--format" && value && (FORMATS as readonly string[]).includes(value)) {
      args.format = value as PlanFormat;
    } else {
      throw new UsageError(`unexpected argument "${argv[i] ?? flag}"`);
    }
  }
  if (!args.stack) throw new UsageError("--stack is required");
  if (args.diff && args.format === "mermaid") {
    throw new UsageError("--diff prints tree, json or markdown, not mermaid");
  }
  return args as PlanArgs;
}

/** Runs the program for a stack and returns the plan document (config errors propagate). */
export async function plan(stack: string, dir?: string): Promise<PlanDocument> {
  const run = await runStack({ stack, config: readStackConfig(stack, dir) });
  return planDocument(run, stackFindings(run));
}

/** Keys Pulumi.yaml declares without a default (required), with the stack file's value. */
export function requiredKeys(stack: string, dir?: string): NextStepsInput["requiredKeys"] {
  const project = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
    config?: Record<string, { default?: unknown; value?: unknown; description?: string }>;
  };
  const config = readStackConfig(stack, dir);
  return Object.entries(project.config ?? {})
    .filter(([, spec]) => spec && spec.default === undefined && spec.value === undefined)
    .map(([key, spec]) => ({
      key,
      value: config[`${PROJECT}:${key}`],
      description: spec.description,
    }));
}

/** The text plan: per-flow summary, resource tree, findings, cost, next steps. */
export function renderText(doc: PlanDocument, next: NextStepsInput): string {
  return [
    renderFlows(doc),
    renderTree(doc),
    renderCostText(doc.cost),
    renderNextSteps(doc.stack, next, accountLogsRoleSteps(doc)),
  ].join("\n\n");
}

export function render(doc: PlanDocument, format: PlanFormat, next?: NextStepsInput): string {
  if (format === "json") return JSON.stringify(doc, null, 2);
  if (format === "mermaid") return renderMermaid(doc);
  if (format === "markdown") {
    return [
      commentMarker(doc.stack),
      `### Offline plan: stack \`${doc.stack}\``,
      "",
      "```",
      renderFlows(doc),
      "```",
      "",
      "<details><summary>Resources and policy findings</summary>",
      "",
      "```",
      renderTree(doc),
      "```",
      "",
      "</details>",
      "",
      renderCostMarkdown(doc.cost),
    ].join("\n");
  }
  return renderText(doc, next ?? { requiredKeys: [] });
}

/** Reads a saved JSON plan for --diff. */
export function readBasePlan(file: string): PlanDocument {
  let doc: Partial<PlanDocument>;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<PlanDocument>;
  } catch (e) {
    throw new BasePlanError(`cannot read the base plan ${file}: ${(e as Error).message}`);
  }
  if (
    !Array.isArray(doc.resources) ||
    !Array.isArray(doc.violations) ||
    typeof doc.stack !== "string"
  ) {
    throw new BasePlanError(`${file} is not a plan (npm run plan -- --stack <name> --format json)`);
  }
  return doc as PlanDocument;
}

export function renderDiff(
  diff: PlanDiff,
  format: PlanFormat,
  head: PlanDocument,
  base: PlanDocument,
): string {
  if (format === "json") return JSON.stringify(diff, null, 2);
  if (format === "markdown") return renderDiffMarkdown(diff, head.cost, base.cost);
  return renderDiffText(diff);
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
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  try {
    const base = args.diff ? readBasePlan(args.diff) : undefined;
    const doc = await plan(args.stack, args.dir);
    const text = base
      ? renderDiff(diffPlans(base, doc), args.format, doc, base)
      : render(doc, args.format, { requiredKeys: requiredKeys(args.stack, args.dir) });
    // Wait until the text is handed to the OS: process.exit() would cut a large piped plan short.
    await new Promise<void>((resolve) => process.stdout.write(`${text}\n`, () => resolve()));
    return exitCodeFor(doc);
  } catch (e) {
    if (
      e instanceof ConfigError ||
      e instanceof StackFileError ||
      e instanceof BasePlanError ||
      e instanceof PriceTableError
    ) {
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
