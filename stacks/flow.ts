import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { Monitored } from "../components/observability/flowDashboard";
import type { Network } from "../components/network/network";
import type { OperationsContext } from "../components/core/operations";
import type { StackConfig } from "./config";
import type { FlowExports, FlowPlans, ProviderSlug } from "./flowExports";
import type { FlowSlug } from "./slugs";

/** `OperationsContext` with every field set: a stack always has an alarm topic and a log key. */
export interface StackOperations extends OperationsContext {
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly logKmsKeyArn: pulumi.Output<string>;
  readonly logRetentionDays: number;
}

/** What every flow may use from the stack: shared resources and stack-wide settings. */
export interface StackContext {
  readonly environment: StackConfig["environment"];
  /** dev relaxes protections for easy teardown (README: "Cost and teardown"). */
  readonly isDev: boolean;
  /**
   * Keep data (tables, buckets, streams and the keys that encrypt them) in AWS when a resource is
   * replaced or removed, or the stack destroyed (Pulumi `retainOnDelete`): true outside dev.
   */
  readonly retainData: boolean;
  /**
   * The stack's one alarm topic, the KMS key of every log group and their retention: passed to
   * every component as `...ctx.operations`.
   */
  readonly operations: StackOperations;
  /** Flows enabled in this stack, in build order. */
  readonly flows: readonly FlowSlug[];
  /** The shared VPC, created on first use so flows without a network cost nothing. */
  network(): Network;
  /** Hands this flow's export to the flows that declare `dependsOn` it (only its own slug). */
  provide<P extends ProviderSlug>(slug: P, value: FlowExports[P]): void;
  /**
   * The export of a flow this one declares in `dependsOn`, or undefined when that flow is off.
   * Throws for a flow not declared (the registry would not have built it first).
   */
  dependency<P extends ProviderSlug>(slug: P): FlowExports[P] | undefined;
  /**
   * Adds components to this flow's CloudWatch dashboard, in the order data flows through them
   * (each contributes its own `widgets()`). The flow's outputs then carry `dashboardUrl`.
   */
  dashboard(...components: Monitored[]): void;
}

/** Stack outputs of one flow: what a user needs (URLs, names, ARNs). */
export type FlowOutputs = Record<string, pulumi.Input<unknown>>;

/** One flow: its config schema and how to build it under its own parent component. */
export interface FlowDefinition<S = unknown, Slug extends FlowSlug = FlowSlug> {
  slug: Slug;
  /**
   * Flows whose export this one consumes when they are on (`ctx.dependency`): the registry builds
   * them first and refuses cycles. Default: none.
   */
  dependsOn?: readonly ProviderSlug[];
  /** A provider's export as its settings decide it (for its dependents' `checkStack`). */
  plan?: Slug extends ProviderSlug ? (settings: S) => FlowPlans[Slug] : never;
  /** Component type name: the flow's parent is `serverless:flow:<componentName>`. */
  componentName: string;
  /** One line for the README and the plan. */
  summary: string;
  /** Settings under the config key `<slug>`; must be strict and give every field a default. */
  settings: z.ZodType<S>;
  /**
   * Problems with this flow's settings that depend on the rest of the stack config (e.g. another
   * flow's settings); reported with every other config problem, before any resource exists.
   */
  checkStack?(settings: S, config: StackConfig, dependencies: Partial<FlowPlans>): string[];
  /** Builds the flow's resources with `{ parent: flow }` and returns its outputs. */
  build(flow: pulumi.ComponentResource, settings: S, ctx: StackContext): FlowOutputs;
}

/** Declares a flow with typed settings (the registry stores them type-erased). */
export function defineFlow<S, Slug extends FlowSlug = FlowSlug>(
  def: FlowDefinition<S, Slug>,
): FlowDefinition<unknown> {
  return def as unknown as FlowDefinition<unknown>;
}

/** The parent of every resource of one flow, so the resource tree groups by flow. */
export class FlowComponent extends pulumi.ComponentResource {
  constructor(def: FlowDefinition<unknown>, opts?: pulumi.ComponentResourceOptions) {
    super(`serverless:flow:${def.componentName}`, def.slug, {}, opts);
  }

  /** Records the flow's outputs on its component (shown by `pulumi stack` and the plan). */
  complete(outputs: FlowOutputs): void {
    this.registerOutputs(outputs);
  }
}
