/**
 * The config rules the Pulumi CLI applies before it runs the program, ported from Pulumi's Go
 * implementation (pulumi/pulumi at 1b59498, 2026-08-21) so the offline plan refuses exactly what
 * `pulumi preview` refuses, with the same messages:
 * - `sdk/go/common/workspace/project.go`: `Project.Validate`, `ValidateConfigValue`,
 *   `InferFullTypeName`, `RewriteShorthandConfigValues` and the `configTypeDeclaration` of
 *   `project.json` (the JSON schema of Pulumi.yaml);
 * - `sdk/go/common/workspace/loaders.go`: `stackConfigNamespacedWithProject` (a bare key in a stack
 *   file belongs to the project);
 * - `sdk/go/common/resource/config`: `ParseKey` and how a YAML value becomes a config value;
 * - `pkg/workspace/config.go`: `ValidateStackConfigAndApplyProjectConfig` (required keys, declared
 *   types, defaults applied).
 * One difference, on purpose: Pulumi stops at the first kind of problem; this returns them all, so
 * the loader can add its own and report everything in one run.
 */

const TYPE_NAMES = ["string", "integer", "boolean", "array", "object"] as const;
export type ConfigTypeName = (typeof TYPE_NAMES)[number];

/** `ProjectConfigItemsType`: the element type of an array. */
export interface ConfigItemsType {
  type: ConfigTypeName;
  items?: ConfigItemsType;
}

/** `ProjectConfigType`: one entry under `config:` in Pulumi.yaml. */
export interface ProjectConfigType {
  type?: ConfigTypeName;
  items?: ConfigItemsType;
  description?: string;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

/** The parts of Pulumi.yaml these rules read. */
export interface PulumiProject {
  name: string;
  config: Record<string, ProjectConfigType>;
}

/** A stack config value as Pulumi stores it: text, JSON text when `object`. */
export interface ConfigValue {
  value: string;
  object: boolean;
  secure: boolean;
}

/** `InferFullTypeName`: `array<array<string>>` and the like. */
export function inferFullTypeName(type: string, items?: ConfigItemsType): string {
  return items ? `array<${inferFullTypeName(items.type, items.items)}>` : type;
}

/** Go's `strconv.Atoi`: optional sign, decimal digits, within int64. */
function isAtoi(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/**
 * `ValidateConfigValue`: is `value` (a string for a plain stack value, parsed JSON for an object
 * value, or a Pulumi.yaml default) of the declared type?
 */
export function validateConfigValue(
  type: string,
  items: ConfigItemsType | undefined,
  value: unknown,
): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      // YAML numbers decode as floats in Go: a whole number passes, so does text that Atoi parses.
      if (typeof value === "number") return Number.isInteger(value);
      return typeof value === "string" && isAtoi(value);
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      // Anything else must be an array with a declared item type.
      if (!Array.isArray(value) || !items) return false;
      return value.every((item) => validateConfigValue(items.type, items.items, item));
  }
}

/** `configKeyIsNamespacedByProject`. */
export function isProjectKey(projectName: string, key: string): boolean {
  return !key.includes(":") || key.startsWith(`${projectName}:`);
}

const DECLARATION_ATTRIBUTES = ["type", "items", "description", "secret", "default", "value"];

function isPrimitive(v: unknown): boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** Checks an `items` declaration against project.json's `configItemsType`. */
function itemsProblems(key: string, items: unknown): string[] {
  if (typeof items !== "object" || items === null || Array.isArray(items)) {
    return [`#/config/${key}/items: expected object`];
  }
  const { type, items: inner } = items as { type?: unknown; items?: unknown };
  if (!(TYPE_NAMES as readonly unknown[]).includes(type)) {
    return [`#/config/${key}/items/type: must be one of ${TYPE_NAMES.join(", ")}`];
  }
  if (type === "array" && inner === undefined) return [`#/config/${key}/items: missing items`];
  return inner === undefined ? [] : itemsProblems(`${key}/items`, inner);
}

/**
 * Loads Pulumi.yaml's parsed document as `LoadProject` does: the JSON schema of config
 * declarations, the shorthand rewrite, then `Project.Validate`. Returns the project and every
 * problem (Pulumi refuses to load a project with any of them).
 */
export function loadProject(doc: unknown): { project: PulumiProject; problems: string[] } {
  const problems: string[] = [];
  const raw = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  const name = typeof raw.name === "string" ? raw.name : "";
  if (!name) problems.push("project is missing a non-empty string 'name' attribute");
  const config: Record<string, ProjectConfigType> = {};
  const declared = (raw.config ?? {}) as Record<string, unknown>;
  for (const [key, entry] of Object.entries(declared)) {
    // RewriteShorthandConfigValues: `key: value` is a default in the project's namespace, else a value.
    if (isPrimitive(entry) || Array.isArray(entry)) {
      config[key] = isProjectKey(name, key) ? { default: entry } : { value: entry };
      continue;
    }
    if (typeof entry !== "object" || entry === null) {
      problems.push(`#/config/${key}: expected object`);
      continue;
    }
    const decl = entry as Record<string, unknown>;
    for (const attr of Object.keys(decl)) {
      if (!DECLARATION_ATTRIBUTES.includes(attr)) {
        problems.push(`#/config/${key}: additionalProperties '${attr}' not allowed`);
      }
    }
    if (decl.type !== undefined && !(TYPE_NAMES as readonly unknown[]).includes(decl.type)) {
      problems.push(`#/config/${key}/type: must be one of ${TYPE_NAMES.join(", ")}`);
    }
    if (decl.items !== undefined) problems.push(...itemsProblems(key, decl.items));
    config[key] = decl as ProjectConfigType;
  }
  for (const [key, t] of Object.entries(config))
    problems.push(...declarationProblems(name, key, t));
  return { project: { name, config }, problems };
}

/** `Project.Validate` for one config declaration. */
function declarationProblems(projectName: string, key: string, t: ProjectConfigType): string[] {
  if (t.default !== undefined && t.value !== undefined) {
    return [`project config '${key}' cannot have both a 'default' and 'value' attribute`];
  }
  if (isProjectKey(projectName, key)) {
    if (t.type === "array" && !t.items) {
      return [
        `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
      ];
    }
    if (t.type && t.default !== undefined && !validateConfigValue(t.type, t.items, t.default)) {
      return [
        `The default value specified for configuration key '${key}' is not of the expected type '${inferFullTypeName(t.type, t.items)}'`,
      ];
    }
    return [];
  }
  if (t.type) {
    return [
      `Configuration key '${key}' is not namespaced by the project and should not define a type`,
    ];
  }
  if (t.default !== undefined) {
    return [
      `Configuration key '${key}' is not namespaced by the project and should not define a default value. ` +
        "Did you mean to use the 'value' attribute instead of 'default'?",
    ];
  }
  return t.value === undefined
    ? [`Configuration key '${key}' is namespaced and must provide an attribute 'value'`]
    : [];
}

/** `config.ParseKey`: `<namespace>:<name>`, or the legacy `<namespace>:config:<name>`. */
export function parseKey(key: string): { namespace: string; name: string } | undefined {
  const parts = key.split(":");
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[1] === "config") return { namespace: parts[0], name: parts[2] };
  return undefined;
}

/** How a YAML value becomes a config value (`object.MarshalString`). */
export function toConfigValue(v: unknown): ConfigValue {
  if (typeof v === "string") return { value: v, object: false, secure: false };
  if (typeof v === "number" || typeof v === "boolean") {
    return { value: JSON.stringify(v), object: false, secure: false };
  }
  const secure = typeof v === "object" && v !== null && "secure" in v;
  if (secure && typeof (v as { secure: unknown }).secure === "string") {
    return { value: (v as { secure: string }).secure, object: false, secure: true };
  }
  // Maps, lists and null (an empty value) are JSON text.
  return { value: JSON.stringify(v ?? null), object: true, secure: false };
}

/** A stack file's `config:` block as Pulumi loads it: bare keys get the project's namespace. */
export function loadStackConfig(
  projectName: string,
  block: Record<string, unknown>,
): { config: Map<string, ConfigValue>; problems: string[] } {
  const config = new Map<string, ConfigValue>();
  const problems: string[] = [];
  for (const [rawKey, value] of Object.entries(block)) {
    const key = rawKey.includes(":") ? rawKey : `${projectName}:${rawKey}`;
    const parsed = parseKey(key);
    if (!parsed) {
      problems.push(
        `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
      );
      continue;
    }
    config.set(`${parsed.namespace}:${parsed.name}`, toConfigValue(value));
  }
  return { config, problems };
}

/** `formatMissingKeys` + `missingStackConfigurationKeysError`. */
function missingKeysProblem(stackName: string, keys: string[]): string {
  const quoted = [...keys].sort().map((k) => `'${k}'`);
  const list =
    quoted.length === 1
      ? quoted[0]
      : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
  return `Stack '${stackName}' is missing configuration value${keys.length > 1 ? "s" : ""} ${list}`;
}

/**
 * `ValidateStackConfigAndApplyProjectConfig`: every key Pulumi.yaml declares in the project's
 * namespace without a default or value must be set (one message naming them all); typed keys must
 * have their type (secret ones must be encrypted); defaults and values fill the keys the stack
 * does not set. Returns the config the CLI hands to the program (namespaced keys to text).
 */
export function applyProjectConfig(
  stackName: string,
  project: PulumiProject,
  stack: ReadonlyMap<string, ConfigValue>,
): { config: Record<string, string>; problems: string[]; keys: string[] } {
  const merged = new Map(stack);
  const keysWithProblems: string[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  const keys = Object.keys(project.config).sort();
  for (const declared of keys) {
    const t = project.config[declared];
    const key = declared.includes(":") ? declared : `${project.name}:${declared}`;
    const found = merged.has(key);
    const hasDefault = t.default !== undefined;
    const hasValue = t.value !== undefined;
    if (!found && !hasValue && !hasDefault && isProjectKey(project.name, key)) {
      missing.push(declared);
      continue;
    }
    if (!found) {
      // createConfigValue: a default or value becomes a stack value like a YAML one.
      merged.set(key, toConfigValue(hasDefault ? t.default : t.value));
      continue;
    }
    if (!t.type) continue; // untyped declarations are not validated
    const v = merged.get(key)!;
    if (t.secret && !v.secure) {
      keysWithProblems.push(declared);
      problems.push(
        `Stack '${stackName}' with configuration key '${declared}' must be encrypted as it's secret`,
      );
      continue;
    }
    if (v.secure) continue; // the offline plan cannot decrypt: Pulumi checks the plaintext
    const content = v.object ? (JSON.parse(v.value) as unknown) : v.value;
    if (!validateConfigValue(t.type, t.items, content)) {
      keysWithProblems.push(declared);
      problems.push(
        `Stack '${stackName}' with configuration key '${declared}' must be of type '${inferFullTypeName(t.type, t.items)}'`,
      );
    }
  }
  if (missing.length > 0) problems.unshift(missingKeysProblem(stackName, missing));
  const config: Record<string, string> = {};
  for (const [k, v] of merged) config[k] = v.value;
  return { config, problems, keys: [...missing, ...keysWithProblems] };
}
