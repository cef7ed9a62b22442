import { z } from "zod";
import { NAMESPACE, topLevelSchema } from "../../stacks/config";
import type { FlowDefinition } from "../../stacks/flow";
import { FLOWS } from "../../stacks/registry";

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" | ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
  if (s.type === "array") return `${s.items ? typeOf(s.items) : "any"}[]`;
  if (s.type === "object") return "object";
  const range =
    s.minimum !== undefined && s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER
      ? ` (${s.minimum}-${s.maximum})`
      : "";
  return `${String(s.type ?? "any")}${range}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function table(schema: z.ZodType, keyPrefix: string): string[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const rows = ["| key | type | default | description |", "| --- | --- | --- | --- |"];
  const walk = (props: Record<string, JsonSchema>, prefix: string) => {
    for (const [k, s] of Object.entries(props)) {
      const dflt = s.default === undefined ? "" : `\`${JSON.stringify(s.default)}\``;
      rows.push(
        `| \`${prefix}${k}\` | ${cell(typeOf(s))} | ${cell(dflt)} | ${cell(s.description ?? "")} |`,
      );
      if (s.type === "object" && s.properties) walk(s.properties, `${prefix}${k}.`);
    }
  };
  walk(json.properties ?? {}, keyPrefix);
  return rows;
}

/** The README's config reference, generated from the same schemas the loader validates with. */
export function configReference(flows: readonly FlowDefinition<unknown>[] = FLOWS): string {
  const out = [
    `Top-level keys (\`${NAMESPACE}:<key>\`, declared in \`Pulumi.yaml\`):`,
    "",
    ...table(topLevelSchema, ""),
  ];
  for (const f of flows) {
    out.push(
      "",
      `\`${NAMESPACE}:${f.slug}\` (declared \`type: object\` in \`Pulumi.yaml\`): settings of the ${f.slug} flow (${f.summary.replace(/\.$/, "")}).`,
      "",
      ...table(f.settings, ""),
    );
  }
  return out.join("\n");
}
