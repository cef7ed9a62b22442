import * as awsConfigVars from "@pulumi/aws/config/vars";
import { z } from "zod";
import { intSetting } from "./settingFields";
import {
  AZ_COUNT,
  LOG_RETENTION_DAYS,
  LOG_RETENTION_VALUES,
  NAT_GATEWAYS,
} from "../components/core/defaults";
import { closest } from "./closest";
import { FLOW_SLUGS, FlowSlug, isFlowSlug } from "./slugs";

/** Pulumi project name: the namespace of every config key below. */
export const NAMESPACE = "aws-serverless-flows";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export const NAT_MODES = ["none", "single", "perAz"] as const;

/** A strict email check: one @, no spaces, a dotted domain with a 2+ letter TLD. */
export const emailSchema = z
  .string()
  .regex(/^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/, { message: "is not a valid email address" });

/**
 * Top-level keys. Their descriptions and defaults are the source of the README's config reference
 * and of Pulumi.yaml's declarations (scripts/docs/projectConfig.ts; a test checks both). Every key
 * needs a default: Pulumi requires a key declared without one in every stack file.
 */
export const topLevelSchema = z
  .object({
    flows: z
      .array(z.string())
      .default([])
      .describe(
        "Flows to deploy, by slug (see the flows table). Empty deploys only the shared alarm topic.",
      ),
    environment: z
      .enum(ENVIRONMENTS)
      .default("dev")
      .describe(
        "dev relaxes protections for easy teardown (no deletion protection, buckets force-destroyed, APIs may run without auth); staging and prod keep them.",
      ),
    // Optional, so every stack file is valid without it: "" means no subscription.
    alarmEmail: z
      .string()
      .refine((v) => v === "" || emailSchema.safeParse(v).success, {
        message: 'is not a valid email address (use "" for no subscription)',
      })
      .default("")
      .describe(
        'Email subscribed to the stack\'s alarm topic (SNS mails a confirmation link first). "" subscribes no one.',
      ),
    azCount: intSetting(2, 6, AZ_COUNT).describe("Availability zones the shared VPC spans (2-6)."),
    natGateways: z
      .enum(NAT_MODES)
      .default(NAT_GATEWAYS)
      .describe(
        "NAT for private subnets: none (VPC endpoints only: the interface endpoints the private functions and tasks call are created), single (one shared NAT), perAz (one per AZ, survives an AZ outage).",
      ),
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => (LOG_RETENTION_VALUES as readonly number[]).includes(d), {
        message: `must be one of ${LOG_RETENTION_VALUES.join(", ")}`,
      })
      .default(LOG_RETENTION_DAYS)
      .describe("CloudWatch Logs retention for every log group of the stack, in days."),
  })
  .strict();

export type TopLevelConfig = z.infer<typeof topLevelSchema>;

/** The validated config of one stack: top-level settings plus the settings of each enabled flow. */
export interface StackConfig extends Omit<TopLevelConfig, "flows" | "alarmEmail"> {
  flows: FlowSlug[];
  /** The alarm topic's email subscriber; undefined for `alarmEmail: ""`. */
  alarmEmail?: string;
  /** Settings per enabled flow, already validated and defaulted by that flow's schema. */
  flowSettings: Partial<Record<FlowSlug, unknown>>;
}

/** What the loader needs of a flow: its settings schema and optional cross-flow checks. */
export interface FlowConfigSpec {
  settings: z.ZodType;
  /**
   * Problems that depend on other flows' settings (e.g. a stream another flow must provide). It
   * runs even when other keys are invalid, so one run reports everything; to keep its types
   * trustworthy, `config` then holds defaults for invalid top-level keys, and `flows` and
   * `flowSettings` only the enabled flows whose settings are valid.
   */
  checkStack?(settings: unknown, config: StackConfig): string[];
}

/**
 * Every flow with an API names its authentication setting `auth`; these values of it leave the
 * API open to anyone, which only dev stacks allow. The loader checks it for every flow, so the rule
 * cannot be forgotten in one of them.
 */
export const OPEN_AUTH_VALUES: readonly string[] = ["none", "NONE"];

/** The problem with an open API outside dev, or undefined. */
export function openAuthProblem(settings: unknown, environment: string): string | undefined {
  const auth = (settings as { auth?: unknown } | undefined)?.auth;
  if (environment === "dev" || typeof auth !== "string" || !OPEN_AUTH_VALUES.includes(auth)) {
    return undefined;
  }
  return (
    `auth "${auth}" leaves the API open to anyone; it is only allowed in dev stacks ` +
    `(fix: set auth to an authenticating mode, or environment: dev)`
  );
}

/** Thrown when config is invalid; `problems` lists every one of them. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nNothing was created. Fix the stack file (Pulumi.<stack>.yaml) and run again.",
    );
    this.name = "ConfigError";
  }
}

/**
 * Namespaces of the providers the program uses (their config keys, e.g. `aws:region`, are the
 * providers' to check). `pulumi:` holds the engine's own keys (`pulumi:tags`...). A test keeps
 * this list equal to the @pulumi/* providers in package.json.
 */
export const PROVIDER_NAMESPACES: readonly string[] = ["aws", "awsx"];
const KNOWN_NAMESPACES = [NAMESPACE, "pulumi", ...PROVIDER_NAMESPACES];

/** Keys whose values Pulumi stores as JSON text (numbers, lists, objects). */
const TOP_LEVEL_JSON_KEYS = new Set(["flows", "azCount", "logRetentionDays"]);

function parseValue(raw: string, json: boolean): unknown {
  if (!json) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    // A bare word where a number or list belongs: the schema reports the wrong type.
    return raw;
  }
}

function describeIssue(prefix: string, issue: z.core.$ZodIssue): string {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
  if (issue.code === "unrecognized_keys") {
    return `${path}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  return `${path}: ${issue.message}`;
}

/** A key outside every namespace the program reads is a typo that would be silently ignored. */
function namespaceProblem(fullKey: string): string | undefined {
  const i = fullKey.indexOf(":");
  const namespace = i < 0 ? "" : fullKey.slice(0, i);
  if (KNOWN_NAMESPACES.includes(namespace)) return undefined;
  const near = closest(namespace, KNOWN_NAMESPACES);
  const hint = near
    ? `did you mean ${near}:${fullKey.slice(i + 1)}?`
    : `valid namespaces: ${KNOWN_NAMESPACES.join(", ")}`;
  return `${fullKey}: unknown namespace "${namespace}", which nothing in this program reads (${hint})`;
}

/**
 * The AWS provider's config keys: its SDK declares one getter per key. Its default provider
 * refuses any other `aws:` key at `pulumi preview` (pulumi-terraform-bridge's CheckConfig; see
 * pulumi/pulumi-aws#3360), so the loader refuses it first, offline, with the closest key.
 */
export const AWS_CONFIG_KEYS: readonly string[] = Object.keys(awsConfigVars);

function providerKeyProblem(fullKey: string): string | undefined {
  if (!fullKey.startsWith("aws:")) return undefined;
  const name = fullKey.slice("aws:".length);
  if (AWS_CONFIG_KEYS.includes(name)) return undefined;
  const near = closest(name, AWS_CONFIG_KEYS);
  return (
    `\`${fullKey}\` is not a valid configuration key for the aws provider` +
    `${near ? ` (did you mean aws:${near}?)` : ""}. If the referenced key is not intended for the ` +
    "provider, please choose a different namespace from `aws:`."
  );
}

/** Problems the Pulumi CLI reports before the program runs (stacks/pulumiProject.ts). */
export interface EarlierProblems {
  problems: readonly string[];
  /** Top-level keys those problems are about: the loader does not report them twice. */
  keys: readonly string[];
}

type TopKey = keyof typeof topLevelSchema.shape;
const TOP_KEYS = Object.keys(topLevelSchema.shape) as TopKey[];

/** Sorts raw keys into top-level values and flow settings, reporting keys nothing reads. */
function splitKeys(raw: Record<string, string>, earlier: EarlierProblems, problems: string[]) {
  const top: Record<string, unknown> = {};
  const perFlow: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;
  for (const [fullKey, value] of Object.entries(raw)) {
    const nsProblem = namespaceProblem(fullKey) ?? providerKeyProblem(fullKey);
    if (nsProblem) problems.push(nsProblem);
    if (!fullKey.startsWith(prefix)) continue; // aws:region and other providers' keys
    const key = fullKey.slice(prefix.length);
    if (isFlowSlug(key)) {
      try {
        perFlow[key] = JSON.parse(value);
      } catch {
        if (!earlier.keys.includes(key))
          problems.push(`${key}: settings must be an object (got ${JSON.stringify(value)})`);
      }
    } else if ((TOP_KEYS as string[]).includes(key)) {
      top[key] = parseValue(value, TOP_LEVEL_JSON_KEYS.has(key));
    } else {
      const valid = [...TOP_KEYS, ...FLOW_SLUGS];
      const near = closest(key, valid);
      problems.push(
        `${key}: unknown config key (${near ? `did you mean ${near}? ` : ""}valid keys: ${valid.join(", ")})`,
      );
    }
  }
  return { top, perFlow };
}

/**
 * Parses the top-level keys one by one, so one invalid key does not hide the others' values from
 * the checks: an invalid key gets its default there, and is listed in `invalid`.
 */
function parseTopLevel(top: Record<string, unknown>, earlier: EarlierProblems, problems: string[]) {
  const values: Record<string, unknown> = {};
  const invalid = new Set<string>();
  for (const k of TOP_KEYS) {
    const field = topLevelSchema.shape[k];
    const result = field.safeParse(top[k]);
    if (result.success) {
      values[k] = result.data;
      continue;
    }
    invalid.add(k);
    values[k] = field.parse(undefined);
    if (earlier.keys.includes(k)) continue; // Pulumi's message already names it
    for (const issue of result.error.issues) problems.push(describeIssue(k, issue));
  }
  return { values: values as TopLevelConfig, invalid };
}

/** The listed flows this build implements, each once, in the order given. */
function enabledFlows(
  requested: readonly unknown[],
  flowSpecs: ReadonlyMap<FlowSlug, FlowConfigSpec>,
  problems: string[],
): FlowSlug[] {
  const flows: FlowSlug[] = [];
  const available = [...flowSpecs.keys()];
  requested.forEach((slug, i) => {
    if (typeof slug !== "string") return; // reported by the schema
    if (!isFlowSlug(slug)) {
      const near = closest(slug, FLOW_SLUGS);
      problems.push(
        `flows[${i}]: unknown flow "${slug}" (${near ? `did you mean ${near}? ` : ""}valid: ${FLOW_SLUGS.join(", ")})`,
      );
    } else if (!flowSpecs.has(slug)) {
      problems.push(
        `flows[${i}]: flow "${slug}" is not implemented in this version (available: ${available.join(", ") || "none"})`,
      );
    } else if (flows.includes(slug)) {
      problems.push(`flows[${i}]: flow "${slug}" is listed twice`);
    } else {
      flows.push(slug);
    }
  });
  return flows;
}

/** Validated settings of the enabled flows; the settings of a flow that is off are checked too. */
function parseFlowSettings(
  perFlow: Record<string, unknown>,
  flows: readonly FlowSlug[],
  flowSpecs: ReadonlyMap<FlowSlug, FlowConfigSpec>,
  earlier: EarlierProblems,
  problems: string[],
): Partial<Record<FlowSlug, unknown>> {
  const flowSettings: Partial<Record<FlowSlug, unknown>> = {};
  for (const slug of FLOW_SLUGS) {
    const schema = flowSpecs.get(slug)?.settings;
    const given = perFlow[slug];
    if (earlier.keys.includes(slug)) continue; // not an object: Pulumi's message says so
    if (!schema) {
      // Pulumi.yaml's default for every flow is {}: only real settings are a problem.
      if (given !== undefined && !isEmptyObject(given))
        problems.push(`${slug}: settings given for a flow this version does not implement`);
      continue;
    }
    // Turning a flow on later must not surprise.
    const result = schema.safeParse(given ?? {});
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(describeIssue(slug, issue));
    } else if (flows.includes(slug)) flowSettings[slug] = result.data;
  }
  return flowSettings;
}

/** Environment rules and cross-flow checks, run on whatever is valid. */
function stackProblems(
  config: StackConfig,
  perFlow: Record<string, unknown>,
  environmentValid: boolean,
  flowSpecs: ReadonlyMap<FlowSlug, FlowConfigSpec>,
): string[] {
  const problems: string[] = [];
  // They read the raw settings, so a flow whose other settings are wrong is still checked.
  for (const slug of environmentValid ? config.flows : []) {
    const open = openAuthProblem(perFlow[slug], config.environment);
    if (open) problems.push(`${slug}: ${open}`);
  }
  // Cross-flow checks see only the flows whose settings are valid, so they can trust the types.
  const checked: StackConfig = {
    ...config,
    flows: config.flows.filter((f) => f in config.flowSettings),
  };
  for (const slug of checked.flows) {
    const check = flowSpecs.get(slug)?.checkStack;
    for (const p of check?.(config.flowSettings[slug], checked) ?? [])
      problems.push(`${slug}: ${p}`);
  }
  return problems;
}

/**
 * Validates the whole raw config (as `pulumi.runtime.allConfig()` returns it: namespaced keys to
 * strings) and returns the typed config, or throws one ConfigError listing every problem of every
 * kind: `earlier` ones (Pulumi's rules, when the offline plan applies them), namespaces, unknown
 * keys and slugs, schema errors, environment rules and cross-flow checks, all in one run.
 * `flowSpecs` describe the flows this build implements (settings schema, cross-flow checks).
 */
export function loadConfig(
  raw: Record<string, string>,
  flowSpecs: ReadonlyMap<FlowSlug, FlowConfigSpec>,
  earlier: EarlierProblems = { problems: [], keys: [] },
): StackConfig {
  const problems: string[] = [...earlier.problems];
  const { top, perFlow } = splitKeys(raw, earlier, problems);
  const { values, invalid } = parseTopLevel(top, earlier, problems);
  const requested = !invalid.has("flows")
    ? values.flows
    : Array.isArray(top.flows)
      ? top.flows
      : [];
  const flows = enabledFlows(requested, flowSpecs, problems);
  const flowSettings = parseFlowSettings(perFlow, flows, flowSpecs, earlier, problems);
  const config: StackConfig = {
    ...values,
    alarmEmail: values.alarmEmail || undefined,
    flows,
    flowSettings,
  };
  problems.push(...stackProblems(config, perFlow, !invalid.has("environment"), flowSpecs));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
