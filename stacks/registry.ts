import { z } from "zod";
import type { FlowDefinition } from "./flow";
import type { FlowSlug } from "./slugs";

/**
 * The flows this build implements, in build order (a flow that attaches to another's resources
 * comes after it). A slug from DESIGN.md that is not listed here is rejected by the config loader.
 */
export const FLOWS: readonly FlowDefinition<unknown>[] = [];

/** Registry view the loader needs: slug -> settings schema. */
export function settingsSchemas(
  flows: readonly FlowDefinition<unknown>[] = FLOWS,
): ReadonlyMap<FlowSlug, z.ZodType> {
  return new Map(flows.map((f) => [f.slug, f.settings]));
}
