/** Every flow of the slide deck (README: "Flows"); a slug is the value used in config. */
export const FLOW_SLUGS = [
  "three-tier-fargate",
  "three-tier-lambda",
  "three-tier-lambda-s3",
  "event-driven-microservices",
  "s3-events-fanout",
  "s3-events-lambda",
  "realtime-analytics",
  "kinesis-autoscale",
] as const;

export type FlowSlug = (typeof FLOW_SLUGS)[number];

export function isFlowSlug(value: string): value is FlowSlug {
  return (FLOW_SLUGS as readonly string[]).includes(value);
}
