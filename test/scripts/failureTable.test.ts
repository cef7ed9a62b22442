/**
 * The README's "Failure behaviour" table names, for every bad input and fault, the test that shows
 * what happens. This test keeps it honest: every row must name at least one test, and each named
 * test must exist, as a literal `it("...")` title (not skipped), in the file the row names.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { README } from "../../scripts/docs";

const ROOT = path.resolve(__dirname, "..", "..");
const HEADING = "## Failure behaviour";
const HEADER = ["input or fault", "what happens", "test"];

interface FailureRow {
  line: number;
  cells: string[];
  /** `{ file, title }` for each `` `file` "title" `` in the test cell. */
  tests: { file: string; title: string }[];
}

/** The section's body: from its heading to the next `## ` heading. */
function failureSection(readme: string): string {
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README has no "${HEADING}" section`);
  const rest = readme.slice(start + 1);
  const next = rest.slice(HEADING.length).search(/^## /m);
  return next < 0 ? rest : rest.slice(0, HEADING.length + next);
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** Parses the table: header, separator, then one row per line starting with `|`. */
function parseFailureTable(section: string): { header: string[]; rows: FailureRow[] } {
  const lines = section.split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  if (first < 0) throw new Error("the section has no table");
  const header = splitRow(lines[first]);
  const rows: FailureRow[] = [];
  for (let i = first + 2; i < lines.length && lines[i].startsWith("|"); i++) {
    const cells = splitRow(lines[i]);
    const tests = [...(cells[2] ?? "").matchAll(/`([^`]+)`\s+"([^"]+)"/g)].map((m) => ({
      file: m[1],
      title: m[2],
    }));
    rows.push({ line: i, cells, tests });
  }
  return { header, rows };
}

/** Every literal title of an `it(...)` call in a test file (`it.skip` and `it.only` excluded). */
function testTitles(file: string): Set<string> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
  const titles = new Set<string>();
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "it" &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      titles.add(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return titles;
}

describe("README failure behaviour table", () => {
  const readme = fs.readFileSync(README, "utf8");
  const { header, rows } = parseFailureTable(failureSection(readme));

  it("sits after the secure-defaults section with the columns input or fault, what happens, test", () => {
    const secure = readme.indexOf("\n## Secure defaults and the policy pack\n");
    expect(secure).to.be.greaterThan(-1);
    expect(readme.indexOf(`\n${HEADING}\n`)).to.be.greaterThan(secure);
    expect(header).to.deep.equal(HEADER);
    expect(rows.length).to.be.greaterThan(20);
  });

  it("fills every cell and names at least one test per row", () => {
    for (const row of rows) {
      const where = `row "${row.cells[0]?.slice(0, 60)}"`;
      expect(row.cells, where).to.have.length(3);
      expect(row.cells[0], where).to.not.equal("");
      expect(row.cells[1], where).to.not.equal("");
      expect(row.tests.length, `${where} names no test`).to.be.greaterThan(0);
    }
  });

  it("names only tests that exist, by title, in the file the row gives", () => {
    const cache = new Map<string, Set<string>>();
    const missing: string[] = [];
    for (const { file, title } of rows.flatMap((r) => r.tests)) {
      const absolute = path.join(ROOT, file);
      if (!/^test\/.+\.test\.ts$/.test(file) || !fs.existsSync(absolute)) {
        missing.push(`${file}: not a test file`);
        continue;
      }
      if (!cache.has(file)) cache.set(file, testTitles(absolute));
      if (!cache.get(file)!.has(title)) missing.push(`${file}: "${title}"`);
    }
    expect(missing, "stale rows in the README's failure table").to.deep.equal([]);
  });

  it("reads titles split over lines, and ignores skipped tests", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failure-table-"));
    const file = path.join(dir, "x.test.ts");
    fs.writeFileSync(
      file,
      'it(\n  "a long title",\n  () => {},\n);\nit.skip("skipped", () => {});\nit(`template`, () => {});\n',
    );
    try {
      expect([...testTitles(file)]).to.deep.equal(["a long title", "template"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const table = parseFailureTable(
      '| input or fault | what happens | test |\n|---|---|---|\n| a | b | `test/x.test.ts` "t1"; `test/y.test.ts` "t2" |\n',
    );
    expect(table.rows[0].tests).to.deep.equal([
      { file: "test/x.test.ts", title: "t1" },
      { file: "test/y.test.ts", title: "t2" },
    ]);
  });
});
