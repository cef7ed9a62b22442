/**
 * The `config:` section of Pulumi.yaml, generated from the schemas the loader validates with
 * (`npm run docs` writes it; a test fails when Pulumi.yaml drifts). Pulumi's declaration types are
 * string, integer, boolean, array (with items) and, since v3.187, object; a declaration may carry
 * no JSON schema of its own (project.json's `configTypeDeclaration` allows no other attribute), so
 * a flow's settings are declared `type: object` and the schema's rules stay with the loader.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { topLevelSchema } from "../../stacks/config";
import type { FlowDefinition } from "../../stacks/flow";
import type { ConfigItemsType, ProjectConfigType } from "../../stacks/pulumiProject";
import { FLOWS } from "../../stacks/registry";

export const PROJECT_FILE = path.join(__dirname, "..", "..", "Pulumi.yaml");

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  description?: string;
}

/** The Pulumi declaration type of a JSON schema; throws for what Pulumi cannot declare. */
function pulumiType(s: JsonSchema, where: string): ConfigItemsType {
  if (s.anyOf) {
    const types = [...new Set(s.anyOf.map((a) => JSON.stringify(pulumiType(a, where))))];
    if (types.length !== 1) throw new Error(`${where}: a union of types Pulumi cannot declare`);
    return JSON.parse(types[0]) as ConfigItemsType;
  }
  switch (s.type) {
    case "string":
    case "integer":
    case "boolean":
    case "object":
      return { type: s.type };
    case "array":
      if (!s.items) throw new Error(`${where}: an array without an item type`);
      return { type: "array", items: pulumiType(s.items, `${where}[]`) };
    default:
      // Pulumi has no number type: a float key would need to be a string.
      throw new Error(`${where}: JSON schema type ${String(s.type)} has no Pulumi config type`);
  }
}

function declaration(key: string, s: JsonSchema): ProjectConfigType {
  const t = pulumiType(s, key);
  const values = s.enum ? ` One of: ${s.enum.join(", ")}.` : "";
  return {
    type: t.type,
    ...(t.items ? { items: t.items } : {}),
    description: `${s.description ?? ""}${values}`.trim(),
    // Every key has a default: a key declared without one is required in every stack file.
    default: s.default,
  };
}

/** Pulumi.yaml's `config:` declarations: the top-level keys, then one object per flow. */
export function projectConfig(
  flows: readonly FlowDefinition<unknown>[] = FLOWS,
): Record<string, ProjectConfigType> {
  const json = z.toJSONSchema(topLevelSchema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  const out: Record<string, ProjectConfigType> = {};
  for (const [key, s] of Object.entries(json.properties ?? {})) {
    if (s.default === undefined) throw new Error(`${key}: top-level keys need a default`);
    out[key] = declaration(key, s);
  }
  for (const f of flows) {
    const settings = z.toJSONSchema(f.settings, {
      io: "input",
      unrepresentable: "any",
    }) as JsonSchema;
    out[f.slug] = {
      type: "object",
      description:
        `Settings of the ${f.slug} flow (${f.summary.replace(/\.$/, "")}), each optional: ` +
        `${Object.keys(settings.properties ?? {}).join(", ")}. See the README's config reference.`,
      default: {},
    };
  }
  return out;
}

const GENERATED_NOTE =
  "# Generated from stacks/config.ts and the flows' settings schemas by `npm run docs`; do not edit.\n";

/** Pulumi.yaml with its `config:` section regenerated (the lines above it are kept). */
export function projectFile(current: string = fs.readFileSync(PROJECT_FILE, "utf8")): string {
  const i = current.search(/^(# Generated from [^\n]*\n)?config:/m);
  const head = i < 0 ? current : current.slice(0, i);
  return `${head}${GENERATED_NOTE}${stringify({ config: projectConfig() }, { lineWidth: 0 })}`;
}
