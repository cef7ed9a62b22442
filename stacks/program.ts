import * as pulumi from "@pulumi/pulumi";
import { AlarmTopic } from "../components/observability/alarmTopic";
import { DashboardRow, FlowDashboard } from "../components/observability/flowDashboard";
import { ServiceKey } from "../components/security/kmsKey";
import { Network } from "../components/network/network";
import { StackConfig, loadConfig } from "./config";
import { FlowComponent, FlowDefinition, FlowOutputs, StackContext } from "./flow";
import type { FlowExports, ProviderSlug } from "./flowExports";
import { FLOWS, flowConfigSpecs, orderFlows } from "./registry";

/** Groups the resources every flow shares (alarm topic, log key, VPC) in the resource tree. */
class SharedResources extends pulumi.ComponentResource {
  constructor(opts?: pulumi.ComponentResourceOptions) {
    super("serverless:stack:Shared", "shared", {}, opts);
  }
}

/** `three-tier-lambda` -> `threeTierLambda`: the stack output name of a flow. */
export function outputName(slug: string): string {
  return slug.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Builds the shared resources and every enabled flow; returns the stack outputs. */
export function buildStack(
  config: StackConfig,
  flows: readonly FlowDefinition<unknown>[] = FLOWS,
): Record<string, pulumi.Input<unknown>> {
  const shared = new SharedResources();
  const logKey = new ServiceKey(
    "logs",
    { description: "Encrypts the stack's CloudWatch log groups", allowLogs: true },
    { parent: shared },
  );
  const alarms = new AlarmTopic("alarms", { email: config.alarmEmail }, { parent: shared });

  let network: Network | undefined;
  const exports = new Map<ProviderSlug, unknown>();
  const ctx: StackContext = {
    environment: config.environment,
    isDev: config.environment === "dev",
    retainData: config.environment !== "dev",
    operations: {
      alarmTopicArn: alarms.arn,
      logRetentionDays: config.logRetentionDays,
      logKmsKeyArn: logKey.arn,
    },
    flows: config.flows,
    network: () =>
      (network ??= new Network(
        "network",
        {
          azCount: config.azCount,
          natGateways: config.natGateways,
          flowLogRetentionDays: config.logRetentionDays,
          logKmsKeyArn: logKey.arn,
        },
        { parent: shared },
      )),
    provide: () => {
      throw new Error("ctx.provide is only available inside a flow's build");
    },
    dependency: () => {
      throw new Error("ctx.dependency is only available inside a flow's build");
    },
    dashboard: () => {
      throw new Error("ctx.dashboard is only available inside a flow's build");
    },
  };

  const outputs: Record<string, pulumi.Input<unknown>> = {
    environment: config.environment,
    flows: config.flows,
    alarmTopicArn: alarms.arn,
  };
  for (const def of orderFlows(flows)) {
    if (!config.flows.includes(def.slug)) continue;
    const parent = new FlowComponent(def);
    const rows: DashboardRow[] = [];
    const flowCtx: StackContext = {
      ...ctx,
      dashboard: (...components) => void rows.push(...components.flatMap((c) => c.widgets())),
      provide: (slug, value) => {
        if (slug !== def.slug) throw new Error(`${def.slug}: cannot provide ${slug}'s export`);
        exports.set(slug, value);
      },
      dependency: <P extends ProviderSlug>(slug: P) => {
        if (!def.dependsOn?.includes(slug)) {
          throw new Error(`${def.slug}: reads ${slug} without declaring it (fix: dependsOn)`);
        }
        if (!config.flows.includes(slug)) return undefined;
        const value = exports.get(slug);
        if (value === undefined) throw new Error(`${def.slug}: ${slug} is on but provided nothing`);
        return value as FlowExports[P];
      },
    };
    const flowOutputs: FlowOutputs = def.build(parent, config.flowSettings[def.slug], flowCtx);
    if (rows.length > 0) {
      const dashboard = new FlowDashboard(
        def.slug,
        { title: `${def.slug} (${pulumi.getStack()})`, description: def.summary, rows },
        { parent },
      );
      flowOutputs.dashboardUrl = dashboard.url;
    }
    parent.complete(flowOutputs);
    outputs[outputName(def.slug)] = flowOutputs;
  }
  // Every private caller is built: a NAT-free network now gets the endpoints their grants need.
  network?.completeEndpoints();
  return outputs;
}

/**
 * The program `pulumi up` runs (index.ts) and the offline plan evaluates: validate the whole
 * config first, so invalid config fails before any resource exists, then build.
 */
export async function program(
  flows: readonly FlowDefinition<unknown>[] = FLOWS,
): Promise<Record<string, pulumi.Input<unknown>>> {
  const config = loadConfig(pulumi.runtime.allConfig(), flowConfigSpecs(flows));
  return buildStack(config, flows);
}
