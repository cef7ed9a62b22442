import type { PlanDocument, PlanResource } from "./document";

/** Renders the resource tree, the counts by type and the policy findings as text. */
export function renderTree(doc: PlanDocument): string {
  const children = new Map<string | null, PlanResource[]>();
  for (const r of doc.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [`Stack ${doc.stack}: flows ${doc.flows.join(", ") || "(none)"}`];
  const walk = (parent: string | null, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      lines.push(`${indent}${last ? "└─ " : "├─ "}${r.name}  (${r.type})`);
      walk(r.urn, indent + (last ? "   " : "│  "));
    });
  };
  walk(null, "");

  const counts = new Map<string, number>();
  for (const r of doc.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const components = doc.resources.filter(
    (r) => !r.type.startsWith("aws:") && !r.type.startsWith("awsx:"),
  ).length;
  lines.push(
    "",
    `Resources: ${doc.resources.length} (${doc.resources.length - components} cloud resources, ${components} components)`,
  );
  const width = String(Math.max(0, ...counts.values())).length;
  for (const [type, n] of [...counts.entries()].sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  )) {
    lines.push(`  ${String(n).padStart(width)}  ${type}`);
  }

  lines.push("");
  if (doc.violations.length === 0) {
    lines.push("Policy findings: none");
  } else {
    const mandatory = doc.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    lines.push(`Policy findings: ${doc.violations.length} (${mandatory} mandatory)`);
    for (const v of doc.violations)
      lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.message}\n      at ${v.urn}`);
  }
  return lines.join("\n");
}
