import type { FlowConfigSpec } from "./config";
import type { FlowDefinition } from "./flow";
import type { FlowPlans, ProviderSlug } from "./flowExports";
import type { FlowSlug } from "./slugs";
import { threeTierLambda } from "./three-tier-lambda";
import { threeTierLambdaS3 } from "./three-tier-lambda-s3";
import { s3EventsFanout } from "./s3-events-fanout";
import { s3EventsLambda } from "./s3-events-lambda";
import { realtimeAnalytics } from "./realtime-analytics";
import { threeTierFargate } from "./three-tier-fargate";
import { eventDrivenMicroservices } from "./event-driven-microservices";
import { kinesisAutoscale } from "./kinesis-autoscale";

/**
 * The flows in build order: each after every flow it declares in `dependsOn`, in the listed
 * order otherwise. Refuses a cycle (naming it). A dependency on a flow not in the list is one
 * that is never on (dependencies are "when that flow is on": `ctx.dependency` is undefined).
 */
export function orderFlows(flows: readonly FlowDefinition<unknown>[]): FlowDefinition<unknown>[] {
  const bySlug = new Map(flows.map((f) => [f.slug, f] as const));
  const ordered: FlowDefinition<unknown>[] = [];
  const state = new Map<FlowSlug, "visiting" | "done">();
  const visit = (f: FlowDefinition<unknown>, path: FlowSlug[]): void => {
    if (state.get(f.slug) === "done") return;
    if (state.get(f.slug) === "visiting") {
      const cycle = [...path.slice(path.indexOf(f.slug)), f.slug];
      throw new Error(`flow registry: dependency cycle ${cycle.join(" -> ")}`);
    }
    state.set(f.slug, "visiting");
    for (const dep of f.dependsOn ?? []) {
      const provider = bySlug.get(dep);
      if (provider) visit(provider, [...path, f.slug]);
    }
    state.set(f.slug, "done");
    ordered.push(f);
  };
  for (const f of flows) visit(f, []);
  return ordered;
}

/** The flows this build implements, in build order. A slug not listed is rejected by the loader. */
export const FLOWS: readonly FlowDefinition<unknown>[] = orderFlows([
  threeTierLambda,
  threeTierLambdaS3,
  s3EventsFanout,
  s3EventsLambda,
  realtimeAnalytics,
  threeTierFargate,
  eventDrivenMicroservices,
  kinesisAutoscale,
]);

/**
 * Registry view the loader needs: slug -> settings schema and cross-flow checks, each check given
 * the plans of the flows it depends on that the stack turns on.
 */
export function flowConfigSpecs(
  flows: readonly FlowDefinition<unknown>[] = FLOWS,
): ReadonlyMap<FlowSlug, FlowConfigSpec> {
  const bySlug = new Map(orderFlows(flows).map((f) => [f.slug, f] as const));
  return new Map(
    [...bySlug.values()].map((f) => {
      const check = f.checkStack;
      const spec: FlowConfigSpec = {
        settings: f.settings,
        checkStack: check
          ? (settings, config) => {
              const plans: Partial<Record<ProviderSlug, unknown>> = {};
              for (const dep of f.dependsOn ?? []) {
                const provider = bySlug.get(dep);
                if (config.flows.includes(dep) && provider?.plan) {
                  plans[dep] = provider.plan(config.flowSettings[dep]);
                }
              }
              return check(settings, config, plans as Partial<FlowPlans>);
            }
          : undefined,
      };
      return [f.slug, spec] as const;
    }),
  );
}
