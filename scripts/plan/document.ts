import type { RecordedResource } from "../harness/recorder";
import type { StackRun } from "../harness/runStack";
import { PlanCost, estimateCost } from "./cost";
import type { PlanResource, PlanViolation } from "./resource";
import { toPlainJson } from "./plainJson";

export type { PlanResource, PlanViolation } from "./resource";

/** The `--format json` document: a stable contract other tools read. */
export interface PlanDocument {
  stack: string;
  flows: string[];
  resources: PlanResource[];
  outputs: unknown;
  violations: PlanViolation[];
  /** The fixed monthly cost at list price, per flow and per item, and the usage prices. */
  cost: PlanCost;
}

async function planResource(r: RecordedResource): Promise<PlanResource> {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    inputs: await toPlainJson(r.inputs),
    state: await toPlainJson(r.state),
  };
}

/** Builds the JSON plan document from a mock run and its policy findings. */
export async function planDocument(
  run: StackRun,
  violations: PlanViolation[],
): Promise<PlanDocument> {
  const flows = Array.isArray(run.outputs.flows) ? (run.outputs.flows as string[]) : [];
  const resources = await Promise.all(run.resources.map(planResource));
  return {
    stack: run.stack,
    flows,
    resources,
    outputs: await toPlainJson(run.outputs),
    violations: violations.map((v) => ({ ...v })),
    cost: estimateCost(resources, run.recorder.world.region),
  };
}
