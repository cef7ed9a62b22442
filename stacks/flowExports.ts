/**
 * What flows hand to each other. A flow that consumes another's resources declares it in
 * `dependsOn` (stacks/flow.ts); the provider hands its export over with `ctx.provide`, the
 * dependent reads it with `ctx.dependency`, both typed by the tables below, so flows never import
 * each other and the registry, not the order of a list, decides who is built first.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { StreamMode } from "../components/streaming/kinesisPipeline";

/** A Kinesis stream another flow may attach to (e.g. resize it). */
export interface ProvidedStream {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  /** Shards at deployment; undefined for an ON_DEMAND stream (which cannot be resharded). */
  shardCount: number | undefined;
  mode: StreamMode;
}

/** What a provider hands to its dependents once built, by provider slug. */
export interface FlowExports {
  /** realtime-analytics's stream (kinesis-autoscale resizes it when both are on). */
  "realtime-analytics": { stream: ProvidedStream };
}

/**
 * What a provider's export will be, known from its settings alone: dependents check the stack
 * config against it (`checkStack`) before anything is built.
 */
export interface FlowPlans {
  "realtime-analytics": { stream: { mode: StreamMode; shardCount: number | undefined } };
}

/** Flows other flows may depend on. */
export type ProviderSlug = keyof FlowExports & keyof FlowPlans;
