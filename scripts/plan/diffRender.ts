import { renderCostMarkdown } from "./costText";
import type { PlanCost } from "./cost";
import type { PlanViolation } from "./document";
import type { ChangeKind, PlanDiff, ResourceChange } from "./diff";
import { usd } from "./guide";

const SYMBOL: Record<ChangeKind, string> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
};

/** A JSON value on one line, cut to `max` characters. */
export function brief(value: unknown, max = 80): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const signed = (n: number) => (n === 0 ? "±$0.00" : `${n > 0 ? "+" : "-"}${usd(Math.abs(n))}`);

export function countsLine(diff: PlanDiff): string {
  const c = diff.counts;
  return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete, ${c.same} unchanged`;
}

function changeLines(c: ResourceChange): string[] {
  const head = `  ${SYMBOL[c.kind].padEnd(2)} ${c.kind.padEnd(7)} ${c.type}  ${c.name}`;
  const lines = [
    c.replaceBecause.length
      ? `${head}  (replaced: ${c.replaceBecause.join(", ")} cannot change in place)`
      : head,
  ];
  for (const p of c.properties) {
    const forces = c.replaceBecause.includes(p.path.split(/[.[]/, 1)[0])
      ? "  [forces replacement]"
      : "";
    lines.push(`        ${p.path}: ${brief(p.before)} -> ${brief(p.after)}${forces}`);
  }
  lines.push(`        ${c.urn}`);
  return lines;
}

const finding = (v: PlanViolation) =>
  `[${v.enforcementLevel}] ${v.policy}: ${v.message} (${v.urn})`;

/** The diff as text: changes per resource, findings (new and resolved), cost delta. */
export function renderDiffText(diff: PlanDiff): string {
  const lines = [
    `Diff of stack ${diff.stack} against the saved plan of ${diff.baseStack}: ${countsLine(diff)}`,
  ];
  for (const c of diff.changes) lines.push(...changeLines(c));
  lines.push(
    "",
    `Policy findings: ${diff.violations.length} (${diff.violations.filter((v) => v.enforcementLevel === "mandatory").length} mandatory), ` +
      `${diff.newViolations.length} new, ${diff.resolvedViolations.length} resolved`,
  );
  for (const v of diff.newViolations) lines.push(`  new:      ${finding(v)}`);
  for (const v of diff.resolvedViolations) lines.push(`  resolved: ${finding(v)}`);
  lines.push(
    "",
    `Cost: ${usd(diff.cost.monthlyUsd)}/month fixed (base ${usd(diff.cost.baseMonthlyUsd)}, ${signed(diff.cost.deltaUsd)})`,
  );
  for (const [flow, c] of Object.entries(diff.cost.byFlow)) {
    if (c.deltaUsd !== 0)
      lines.push(
        `  ${flow}: ${usd(c.baseMonthlyUsd)} -> ${usd(c.monthlyUsd)} (${signed(c.deltaUsd)})`,
      );
  }
  return lines.join("\n");
}

/** Marks the comment of one stack so the workflow updates it instead of adding another. */
export const commentMarker = (stack: string) =>
  `<!-- aws-serverless-flows offline plan: ${stack} -->`;

/** Rows shown before the rest fold away: GitHub limits a comment to 65,536 characters. */
const MAX_ROWS = 60;

/** The pull-request comment (Markdown): summary, changes, findings and cost against the base. */
export function renderDiffMarkdown(diff: PlanDiff, cost: PlanCost, baseCost?: PlanCost): string {
  const mandatory = diff.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const out = [
    commentMarker(diff.stack),
    `### Offline plan: stack \`${diff.stack}\``,
    "",
    `**${countsLine(diff)}**. Policy findings: ${diff.violations.length} (${mandatory} mandatory; ${diff.newViolations.length} new, ${diff.resolvedViolations.length} resolved). ` +
      `Fixed cost ${usd(diff.cost.monthlyUsd)}/month (${signed(diff.cost.deltaUsd)}).`,
    "",
  ];
  if (diff.changes.length) {
    const row = (c: ResourceChange) => {
      const props = c.properties.map((p) => `\`${p.path}\``).join(", ");
      const why = c.replaceBecause.length
        ? ` — replaced because of ${c.replaceBecause.map((p) => `\`${p}\``).join(", ")}`
        : "";
      return `| ${SYMBOL[c.kind]} ${c.kind} | \`${c.type}\` | ${c.name} | ${props}${why} |`;
    };
    const head = ["| change | type | name | properties |", "|---|---|---|---|"];
    out.push(...head, ...diff.changes.slice(0, MAX_ROWS).map(row), "");
    if (diff.changes.length > MAX_ROWS) {
      out.push(
        `<details><summary>${diff.changes.length - MAX_ROWS} more changes</summary>`,
        "",
        ...head,
      );
      out.push(...diff.changes.slice(MAX_ROWS, 400).map(row), "", "</details>", "");
    }
    const detailed = diff.changes.filter((c) => c.properties.length).slice(0, 40);
    if (detailed.length) {
      out.push("<details><summary>Property values</summary>", "", "```diff");
      for (const c of detailed) {
        out.push(`${c.kind === "replace" ? "!" : "~"} ${c.urn}`);
        for (const p of c.properties.slice(0, 20))
          out.push(
            `-   ${p.path}: ${brief(p.before, 200)}`,
            `+   ${p.path}: ${brief(p.after, 200)}`,
          );
      }
      out.push("```", "", "</details>", "");
    }
  }
  if (diff.violations.length) {
    out.push("<details><summary>Policy findings</summary>", "");
    const fresh = new Set(diff.newViolations);
    for (const v of diff.violations) out.push(`- ${fresh.has(v) ? "**new** " : ""}${finding(v)}`);
    for (const v of diff.resolvedViolations) out.push(`- ~~${finding(v)}~~ (resolved)`);
    out.push("", "</details>", "");
  }
  out.push(renderCostMarkdown(cost, baseCost));
  return out.join("\n");
}
