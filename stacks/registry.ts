import type { FlowConfigSpec } from "./config";
import type { FlowDefinition } from "./flow";
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
 * The flows this build implements, in build order (a flow that attaches to another's resources
 * comes after it). A slug from DESIGN.md that is not listed here is rejected by the config loader.
 */
export const FLOWS: readonly FlowDefinition<unknown>[] = [
  threeTierLambda,
  threeTierLambdaS3,
  s3EventsFanout,
  s3EventsLambda,
  realtimeAnalytics,
  threeTierFargate,
  eventDrivenMicroservices,
  // After realtime-analytics: it attaches to that flow's stream when both are on.
  kinesisAutoscale,
];

/** Registry view the loader needs: slug -> settings schema and cross-flow checks. */
export function flowConfigSpecs(
  flows: readonly FlowDefinition<unknown>[] = FLOWS,
): ReadonlyMap<FlowSlug, FlowConfigSpec> {
  return new Map(flows.map((f) => [f.slug, f]));
}
