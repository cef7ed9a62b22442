/**
 * Regenerates the README's generated sections and Pulumi.yaml's config declarations from the
 * code: `npm run docs`. A test fails when either is stale, so they never drift from the schemas.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configReference } from "./docs/configReference";
import { PROJECT_FILE, projectFile } from "./docs/projectConfig";
import { plan } from "./plan";
import { renderMermaid } from "./plan/mermaid";

export const README = path.join(__dirname, "..", "README.md");

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${start} ... ${end} block`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

/** The README's generated blocks, in order. */
export async function generatedBlocks(): Promise<Record<string, string>> {
  const doc = await plan("dev");
  return {
    "config-reference": configReference(),
    diagram: "```mermaid\n" + renderMermaid(doc) + "\n```",
  };
}

async function main() {
  let text = fs.readFileSync(README, "utf8");
  for (const [name, body] of Object.entries(await generatedBlocks()))
    text = replaceBlock(text, name, body);
  fs.writeFileSync(README, text);
  fs.writeFileSync(PROJECT_FILE, projectFile());
  process.stdout.write("README.md and Pulumi.yaml updated\n");
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
