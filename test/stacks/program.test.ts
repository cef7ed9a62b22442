import { expect } from "chai";
import { ConfigError, NAMESPACE } from "../../stacks/config";
import * as pulumi from "@pulumi/pulumi";
import { outputName, program } from "../../stacks/program";
import { installMocks } from "../../scripts/harness/recorder";
import { FLOWS } from "../../stacks/registry";
import { StackRun, runStack } from "../../scripts/harness/runStack";
import { fixtureFlows } from "../fixtures/flows";

const key = (k: string) => `${NAMESPACE}:${k}`;
const flowsConfig = (...slugs: string[]) => ({ [key("flows")]: JSON.stringify(slugs) });

function flowSubtree(run: StackRun, slug: string) {
  const root = run.resources.find((r) => r.type.startsWith("serverless:flow:") && r.name === slug);
  return root ? [root, ...run.recorder.descendants(root.urn)] : [];
}

describe("program: flow registry and toggling", () => {
  it("an empty flow list yields only the shared alarm topic and log key", async () => {
    const run = await runStack({ stack: "empty", config: flowsConfig(), flows: fixtureFlows });
    expect(run.resources.filter((r) => r.type.startsWith("serverless:flow:"))).to.deep.equal([]);
    expect(run.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")).to.deep.equal([]); // network is lazy
    expect(run.resources.map((r) => r.type)).to.include.members([
      "aws:sns/topic:Topic",
      "aws:kms/key:Key",
    ]);
    expect(run.outputs.flows).to.deep.equal([]);
    expect(run.outputs.alarmTopicArn).to.match(/^arn:aws:sns:us-east-1:123456789012:alarms-/);
  });

  it("a stack enabling one flow contains only that flow's subtree (plus shared resources)", async () => {
    const run = await runStack({
      stack: "one",
      config: flowsConfig("three-tier-lambda"),
      flows: fixtureFlows,
    });
    const flows = run.resources.filter((r) => r.type.startsWith("serverless:flow:"));
    expect(flows.map((f) => `${f.type} ${f.name}`)).to.deep.equal([
      "serverless:flow:FixtureA three-tier-lambda",
    ]);
    const subtree = new Set(flowSubtree(run, "three-tier-lambda").map((r) => r.urn));
    const shared = run.resources.find((r) => r.type === "serverless:stack:Shared")!;
    const sharedTree = new Set([
      shared.urn,
      ...run.recorder.descendants(shared.urn).map((r) => r.urn),
    ]);
    for (const r of run.resources) {
      expect(
        subtree.has(r.urn) || sharedTree.has(r.urn),
        `${r.type} ${r.name} belongs to a flow or shared`,
      ).to.equal(true);
    }
    expect([...subtree].length).to.be.greaterThan(3);
    expect(run.resources.some((r) => r.type === "aws:ec2/vpc:Vpc")).to.equal(false);
    expect(run.outputs[outputName("three-tier-lambda")])
      .to.have.property("functionName")
      .that.is.a("string");
  });

  it("builds the shared network once, on first use, and passes flow settings through", async () => {
    const run = await runStack({
      stack: "two",
      config: {
        ...flowsConfig("s3-events-lambda", "three-tier-lambda"),
        [key("three-tier-lambda")]: JSON.stringify({ memorySize: 1024 }),
        [key("azCount")]: "3",
      },
      flows: fixtureFlows,
    });
    expect(run.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")).to.have.length(1);
    expect(run.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet")).to.have.length(6);
    expect(
      run.recorder.get("aws:lambda/function:Function", "fixture-a").inputs.memorySize,
    ).to.equal(1024);
    // Registry order, not config order, decides build order.
    expect(run.outputs.flows).to.deep.equal(["s3-events-lambda", "three-tier-lambda"]);
    const fnB = run.recorder.get("aws:lambda/function:Function", "fixture-b").inputs;
    expect((fnB.vpcConfig as { subnetIds: string[] }).subnetIds).to.have.length(3);
  });

  it("invalid config throws one ConfigError and creates no cloud resource", async () => {
    const recorder = installMocks({
      stack: "bad",
      config: { ...flowsConfig("nope"), [key("azCount")]: "0" },
    });
    let error: unknown;
    try {
      await pulumi.runtime.runInPulumiStack(() => program(fixtureFlows));
    } catch (e) {
      error = e;
    }
    await recorder.settle();
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.have.length(2);
    expect(recorder.resources.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
  });

  it("every registered flow has a distinct slug and component name", () => {
    const slugs = FLOWS.map((f) => f.slug);
    expect(new Set(slugs).size).to.equal(slugs.length);
    const names = FLOWS.map((f) => f.componentName);
    expect(new Set(names).size).to.equal(names.length);
  });
});
