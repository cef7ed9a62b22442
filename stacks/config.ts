import { z } from "zod";
import {
  AZ_COUNT,
  LOG_RETENTION_DAYS,
  LOG_RETENTION_VALUES,
  NAT_GATEWAYS,
} from "../components/core/defaults";
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
 * Top-level keys: the ones `Pulumi.yaml` declares (string, integer, boolean, array only).
 * The descriptions and defaults here are the source of the README's config reference, and a test
 * checks that `Pulumi.yaml` declares the same defaults.
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
    alarmEmail: emailSchema
      .optional()
      .describe(
        "Email subscribed to the stack's alarm topic (confirm the subscription mail). Default: none.",
      ),
    azCount: z
      .number()
      .int()
      .min(2)
      .max(6)
      .default(AZ_COUNT)
      .describe("Availability zones the shared VPC spans (2-6)."),
    natGateways: z
      .enum(NAT_MODES)
      .default(NAT_GATEWAYS)
      .describe(
        "NAT for private subnets: none (VPC endpoints only), single (one shared NAT), perAz (one per AZ, survives an AZ outage).",
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
export interface StackConfig extends Omit<TopLevelConfig, "flows"> {
  flows: FlowSlug[];
  /** Settings per enabled flow, already validated and defaulted by that flow's schema. */
  flowSettings: Partial<Record<FlowSlug, unknown>>;
}

/** What the loader needs of a flow: its settings schema and optional cross-flow checks. */
export interface FlowConfigSpec {
  settings: z.ZodType;
  /** Problems that depend on other flows' settings (e.g. a stream another flow must provide). */
  checkStack?(settings: unknown, config: StackConfig): string[];
}

/**
 * Every flow with an API names its authentication setting `auth`; these values of it leave the
 * API open to anyone, which only dev stacks allow (DESIGN section 7: "auth on by default outside
 * dev"). The loader checks it for every flow, so the rule cannot be forgotten in one of them.
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

/**
 * Validates the whole raw config (as `pulumi.runtime.allConfig()` returns it: namespaced keys to
 * strings) and returns the typed config, or throws one ConfigError listing every problem.
 * `flowSpecs` describe the flows this build implements (settings schema, cross-flow checks).
 */
export function loadConfig(
  raw: Record<string, string>,
  flowSpecs: ReadonlyMap<FlowSlug, FlowConfigSpec>,
): StackConfig {
  const problems: string[] = [];
  const top: Record<string, unknown> = {};
  const perFlow: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;

  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(prefix)) continue; // aws:region and other providers' keys
    const key = fullKey.slice(prefix.length);
    if (isFlowSlug(key)) {
      try {
        perFlow[key] = JSON.parse(value);
      } catch {
        problems.push(`${key}: settings must be an object (got ${JSON.stringify(value)})`);
      }
    } else {
      top[key] = parseValue(value, TOP_LEVEL_JSON_KEYS.has(key));
    }
  }

  const parsed = topLevelSchema.safeParse(top);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) {
          problems.push(
            `${k}: unknown config key (valid keys: ${[...Object.keys(topLevelSchema.shape), ...FLOW_SLUGS].join(", ")})`,
          );
        }
      } else problems.push(describeIssue("", issue));
    }
  }

  const flows: FlowSlug[] = [];
  const requested = parsed.success ? parsed.data.flows : Array.isArray(top.flows) ? top.flows : [];
  const available = [...flowSpecs.keys()];
  requested.forEach((slug: unknown, i: number) => {
    if (typeof slug !== "string") return; // reported by the schema
    if (!isFlowSlug(slug)) {
      problems.push(`flows[${i}]: unknown flow "${slug}" (valid: ${FLOW_SLUGS.join(", ")})`);
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

  const flowSettings: Partial<Record<FlowSlug, unknown>> = {};
  for (const slug of FLOW_SLUGS) {
    const schema = flowSpecs.get(slug)?.settings;
    const given = perFlow[slug];
    if (!schema) {
      if (given !== undefined)
        problems.push(`${slug}: settings given for a flow this version does not implement`);
      continue;
    }
    // Settings of a flow that is off are validated too: turning it on later must not surprise.
    const result = schema.safeParse(given ?? {});
    if (result.success) {
      if (flows.includes(slug)) flowSettings[slug] = result.data;
    } else {
      for (const issue of result.error.issues) problems.push(describeIssue(slug, issue));
    }
  }

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const config: StackConfig = { ...parsed.data, flows, flowSettings };
  // Cross-flow checks run on valid settings only, so they can trust the types.
  for (const slug of flows) {
    const open = openAuthProblem(flowSettings[slug], config.environment);
    if (open) problems.push(`${slug}: ${open}`);
    for (const p of flowSpecs.get(slug)?.checkStack?.(flowSettings[slug], config) ?? []) {
      problems.push(`${slug}: ${p}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
