import type { PlanCost } from "./cost";
import { usd } from "./guide";
import { SOURCES } from "./prices";

const shortType = (t: string) => t.replace(/^aws:[^/]+\//, "").replace(/:.*$/, "");

/** The cost section of the text plan: totals by flow and by type, usage prices, assumptions. */
export function renderCostText(cost: PlanCost): string {
  const lines = [
    `Cost (${cost.region}, list prices as of ${cost.pricesAsOf}): ${usd(cost.monthlyUsd)}/month fixed`,
    "  by flow:",
  ];
  const width = Math.max(...Object.keys(cost.byFlow).map((k) => k.length), 4);
  for (const [flow, n] of Object.entries(cost.byFlow)) {
    lines.push(`    ${flow.padEnd(width)}  ${usd(n).padStart(9)}`);
  }
  lines.push("  by resource type:");
  for (const [type, n] of Object.entries(cost.byType).sort((a, b) => b[1] - a[1])) {
    const count = new Set(cost.items.filter((i) => i.type === type).map((i) => i.urn)).size;
    lines.push(`    ${usd(n).padStart(9)}  ${count} x ${shortType(type)}`);
  }
  lines.push("  priced per use (multiply by your traffic):");
  for (const u of cost.usage) lines.push(`    ${u.service}: $${u.usd} ${u.unit}`);
  for (const note of cost.notes) lines.push(`  note: ${note}`);
  lines.push(`  sources: ${Object.values(SOURCES).join(" ")}`);
  return lines.join("\n");
}

/** The cost section of the pull-request comment (Markdown). */
export function renderCostMarkdown(cost: PlanCost, base?: PlanCost): string {
  const delta = (n: number, b?: number) => {
    if (b === undefined) return "";
    const d = Math.round((n - b) * 100) / 100;
    return d === 0 ? " | ±0" : ` | ${d > 0 ? "+" : "-"}${usd(Math.abs(d))}`;
  };
  const head = base
    ? "| flow | monthly | change |\n|---|---:|---:|"
    : "| flow | monthly |\n|---|---:|";
  const flows = new Set([...Object.keys(cost.byFlow), ...Object.keys(base?.byFlow ?? {})]);
  const rows = [...flows]
    .sort()
    .map(
      (f) =>
        `| ${f} | ${usd(cost.byFlow[f] ?? 0)}${base ? delta(cost.byFlow[f] ?? 0, base.byFlow[f] ?? 0) : ""} |`,
    );
  return [
    `**Fixed cost: ${usd(cost.monthlyUsd)}/month**${base ? ` (base ${usd(base.monthlyUsd)}, change${delta(cost.monthlyUsd, base.monthlyUsd).replace(" |", "")})` : ""}, ` +
      `${cost.region} list prices as of ${cost.pricesAsOf}, before traffic.`,
    "",
    head,
    ...rows,
    `| **total** | **${usd(cost.monthlyUsd)}**${base ? delta(cost.monthlyUsd, base.monthlyUsd) : ""} |`,
    "",
    "<details><summary>Usage prices</summary>",
    "",
    ...cost.usage.map((u) => `- ${u.service}: $${u.usd} ${u.unit}`),
    "",
    "</details>",
  ].join("\n");
}
