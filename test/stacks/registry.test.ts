import { expect } from "chai";
import { z } from "zod";
import { runStack } from "../../scripts/harness/runStack";
import { ConfigError, NAMESPACE, loadConfig } from "../../stacks/config";
import { FlowDefinition, defineFlow } from "../../stacks/flow";
import type { ProviderSlug } from "../../stacks/flowExports";
import { flowConfigSpecs, orderFlows } from "../../stacks/registry";
import type { FlowSlug } from "../../stacks/slugs";

const key = (k: string) => `${NAMESPACE}:${k}`;

/** A flow that builds nothing; `dependsOn` is cast so tests can declare any slug. */
function flow(
  slug: FlowSlug,
  dependsOn: string[] = [],
  build: FlowDefinition<unknown>["build"] = () => ({}),
): FlowDefinition<unknown> {
  return defineFlow({
    slug,
    componentName: `Fixture${slug.replace(/-/g, "")}`,
    summary: slug,
    settings: z.object({}).strict(),
    dependsOn: dependsOn as ProviderSlug[],
    build,
  });
}

describe("flow registry: declared dependencies, topological order", () => {
  it("builds a flow after the flows it depends on, keeping the listed order otherwise", () => {
    const order = orderFlows([
      flow("kinesis-autoscale", ["realtime-analytics"]),
      flow("three-tier-lambda"),
      flow("realtime-analytics", ["s3-events-lambda"]),
      flow("s3-events-lambda"),
    ]).map((f) => f.slug);
    expect(order).to.deep.equal([
      "s3-events-lambda",
      "realtime-analytics",
      "kinesis-autoscale",
      "three-tier-lambda",
    ]);
  });

  it("refuses a cycle, naming it", () => {
    expect(() =>
      orderFlows([
        flow("three-tier-lambda", ["kinesis-autoscale"]),
        flow("kinesis-autoscale", ["realtime-analytics"]),
        flow("realtime-analytics", ["three-tier-lambda"]),
      ]),
    ).to.throw(
      /dependency cycle three-tier-lambda -> kinesis-autoscale -> realtime-analytics -> three-tier-lambda/,
    );
    expect(() => orderFlows([flow("realtime-analytics", ["realtime-analytics"])])).to.throw(
      /cycle realtime-analytics -> realtime-analytics/,
    );
  });

  it("treats a dependency on a flow that is not registered as a flow that is off", () => {
    const order = orderFlows([flow("kinesis-autoscale", ["realtime-analytics"])]);
    expect(order.map((f) => f.slug)).to.deep.equal(["kinesis-autoscale"]);
  });

  it("gives a dependent's config check the provider's plan only when the provider is on", () => {
    const seen: unknown[] = [];
    const provider = defineFlow<{ shards: number }, "realtime-analytics">({
      slug: "realtime-analytics",
      componentName: "Provider",
      summary: "provider",
      settings: z.object({ shards: z.number().default(3) }).strict(),
      plan: (s) => ({ stream: { mode: "PROVISIONED", shardCount: s.shards } }),
      build: () => ({}),
    });
    const dependent = defineFlow({
      slug: "kinesis-autoscale",
      componentName: "Dependent",
      summary: "dependent",
      settings: z.object({}).strict(),
      dependsOn: ["realtime-analytics"],
      checkStack: (_s, _c, deps) => {
        seen.push(deps);
        return deps["realtime-analytics"]?.stream.shardCount === 7 ? ["seven shards"] : [];
      },
      build: () => ({}),
    });
    const specs = flowConfigSpecs([dependent, provider]);
    loadConfig({ [key("flows")]: '["kinesis-autoscale"]' }, specs);
    loadConfig({ [key("flows")]: '["kinesis-autoscale","realtime-analytics"]' }, specs);
    expect(seen).to.deep.equal([
      {},
      { "realtime-analytics": { stream: { mode: "PROVISIONED", shardCount: 3 } } },
    ]);
    expect(() =>
      loadConfig(
        {
          [key("flows")]: '["kinesis-autoscale","realtime-analytics"]',
          [key("realtime-analytics")]: '{"shards":7}',
        },
        specs,
      ),
    )
      .to.throw(ConfigError)
      .with.property("problems")
      .that.deep.equals(["kinesis-autoscale: seven shards"]);
  });

  it("hands a provider's export to its dependents only, and only through declared dependencies", async () => {
    const got: Record<string, unknown> = {};
    const provider = flow("realtime-analytics", [], (_f, _s, ctx) => {
      ctx.provide("realtime-analytics", { stream: "the stream" as never });
      return {};
    });
    const dependent = flow("kinesis-autoscale", ["realtime-analytics"], (_f, _s, ctx) => {
      got.dependent = ctx.dependency("realtime-analytics");
      return {};
    });
    const stranger = flow("three-tier-lambda", [], (_f, _s, ctx) => {
      try {
        ctx.dependency("realtime-analytics");
      } catch (e) {
        got.stranger = (e as Error).message;
      }
      try {
        ctx.provide("realtime-analytics", { stream: "forged" as never });
      } catch (e) {
        got.forger = (e as Error).message;
      }
      return {};
    });
    const flows = [dependent, stranger, provider];
    await runStack({
      stack: "deps",
      config: { [key("flows")]: '["kinesis-autoscale","three-tier-lambda","realtime-analytics"]' },
      flows,
    });
    expect(got).to.deep.equal({
      dependent: { stream: "the stream" },
      stranger: "three-tier-lambda: reads realtime-analytics without declaring it (fix: dependsOn)",
      forger: "three-tier-lambda: cannot provide realtime-analytics's export",
    });
    // Provider off: the dependent builds on its own.
    got.dependent = "unset";
    await runStack({ stack: "alone", config: { [key("flows")]: '["kinesis-autoscale"]' }, flows });
    expect(got.dependent).to.equal(undefined);
  });
});
