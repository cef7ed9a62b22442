import * as pulumi from "@pulumi/pulumi";
import { PolicyViolation, evaluatePolicies } from "../../policy/evaluate";
import { environmentConfig } from "../../policy/rules";
import type { FlowDefinition } from "../../stacks/flow";
import { program } from "../../stacks/program";
import { FLOWS } from "../../stacks/registry";
import { PROJECT, RecordedResource, Recorder, installMocks } from "./recorder";

/** The result of running the real program under the mock runtime. */
export interface StackRun {
  stack: string;
  /** Every registered resource except Pulumi's own (root stack, providers). */
  resources: RecordedResource[];
  /** The stack outputs, resolved. */
  outputs: Record<string, unknown>;
  recorder: Recorder;
}

/** Pulumi's bookkeeping resources (root stack, default providers) are not part of the plan. */
export function isPulumiInternal(type: string): boolean {
  return type.startsWith("pulumi:");
}

/**
 * Runs the program for a stack config under mocks, exactly as `pulumi up` would run index.ts,
 * and returns what it registered. Throws the program's error (e.g. a ConfigError) unchanged.
 */
export async function runStack(options: {
  stack: string;
  config: Record<string, string>;
  flows?: readonly FlowDefinition<unknown>[];
}): Promise<StackRun> {
  const recorder = installMocks({ project: PROJECT, stack: options.stack, config: options.config });
  const outputs = await pulumi.runtime.runInPulumiStack(() => program(options.flows ?? FLOWS));
  await recorder.settle();
  const rootUrns = new Set(
    recorder.resources.filter((r) => isPulumiInternal(r.type)).map((r) => r.urn),
  );
  const resources = recorder.resources
    .filter((r) => !isPulumiInternal(r.type))
    .map((r) => ({ ...r, parent: r.parent && rootUrns.has(r.parent) ? null : r.parent }));
  return {
    stack: options.stack,
    resources,
    outputs: (outputs ?? {}) as Record<string, unknown>,
    recorder,
  };
}

/**
 * Policy findings for a run, evaluated for the environment the program validated (dev relaxes
 * deletion protection and API auth), exactly as the offline plan evaluates them.
 */
export function stackFindings(run: StackRun): PolicyViolation[] {
  const environment = run.outputs.environment;
  return evaluatePolicies(run.resources, {
    config: typeof environment === "string" ? environmentConfig(environment) : {},
  });
}
