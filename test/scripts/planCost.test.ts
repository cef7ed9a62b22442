import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { plan } from "../../scripts/plan";
import { allocateCents, estimateCost } from "../../scripts/plan/cost";
import type { PlanDocument, PlanResource } from "../../scripts/plan/document";
import { PriceTableError, pricesFor } from "../../scripts/plan/prices";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURE_STACKS = path.join(__dirname, "..", "fixtures", "stacks");

const sumCents = (values: number[]) => values.reduce((a, n) => a + Math.round(n * 100), 0);

function expectConsistent(doc: PlanDocument) {
  const { cost } = doc;
  expect(sumCents(Object.values(cost.byFlow)), "per-flow sums").to.equal(
    Math.round(cost.monthlyUsd * 100),
  );
  expect(sumCents(Object.values(cost.byType)), "per-type sums").to.equal(
    Math.round(cost.monthlyUsd * 100),
  );
  expect(sumCents(cost.items.map((i) => i.monthlyUsd)), "items").to.equal(
    Math.round(cost.monthlyUsd * 100),
  );
  expect(Object.keys(cost.byFlow).sort()).to.deep.equal([...doc.flows, "shared"].sort());
}

describe("plan cost", function () {
  // Each case runs whole dev/prod plans: minutes on a loaded 2-core machine.
  this.timeout(300_000);
  it("prices a small fixture stack as computed by hand", async () => {
    const doc = await plan("cost", FIXTURE_STACKS);
    // us-east-1, 730 h: NAT 0.045/h = 32.85; its EIP 0.005/h = 3.65; 2 KMS keys (logs, alarms) = 2.00;
    // internal ALB 0.0225/h = 16.425 -> 16.43; 2 arm64 tasks x 0.5 vCPU x 0.03238 = 23.6374 -> 23.64;
    // 2 x 1 GB x 0.00356 = 5.1976 -> 5.20; 6 alarms and 1 dashboard fit the account's free 10 and 3.
    expect(doc.cost.byFlow).to.deep.equal({ shared: 38.5, "three-tier-fargate": 45.27 });
    expect(doc.cost.monthlyUsd).to.equal(83.77);
    expect(doc.cost.byType["aws:ecs/service:Service"]).to.equal(28.84);
    expect(doc.cost.byType["aws:cloudwatch/metricAlarm:MetricAlarm"]).to.equal(0);
    expectConsistent(doc);
  });

  it("keeps the dev and prod figures stable, per-flow sums equal to the total", async () => {
    const dev = await plan("dev");
    // +$0.40 over 140.55: billing's and shipping's queue-age alarms (scale-out and page), 4 alarm
    // metrics at $0.10 beyond the account's free 10; +$0.90 for 9 alarms: errors + throttles of
    // order-summary, item-summary and the realtime client API's two functions, and its 5xx rate.
    expect(dev.cost.monthlyUsd).to.equal(141.85);
    expectConsistent(dev);
    const prod = await plan("prod");
    // The same 13 alarms (+$1.30 over 449.00); no NAT but 5 interface endpoints, which cost what
    // the NAT gateways did (see below).
    expect(prod.cost.monthlyUsd).to.equal(450.3);
    expectConsistent(prod);
    // prod: no NAT (natGateways none) but the 5 interface endpoints its private callers need
    // (ecr.api, ecr.dkr, logs, sns, sqs) in 3 AZs: 15 x 730 h x $0.01 = $109.50, where 3 NAT
    // gateways ($98.55) and their Elastic IPs ($10.95) cost the same. 4 shards with 7-day
    // retention, 3 tasks per service.
    expect(prod.cost.byType["aws:ec2/natGateway:NatGateway"]).to.equal(undefined);
    expect(prod.cost.byType["aws:ec2/vpcEndpoint:VpcEndpoint"]).to.equal(109.5);
    expect(prod.cost.byType["aws:kinesis/stream:Stream"]).to.equal(102.2);
  });

  it("bills metric-math alarms per metric, high resolution at its price, beyond the free allowance", () => {
    const alarm = (name: string, inputs: Record<string, unknown>): PlanResource => ({
      urn: `urn:pulumi:t::p::aws:cloudwatch/metricAlarm:MetricAlarm::${name}`,
      type: "aws:cloudwatch/metricAlarm:MetricAlarm",
      name,
      parent: null,
      inputs,
      state: {},
    });
    const math = {
      metricQueries: [
        { id: "a", metric: { period: 60 } },
        { id: "b", metric: { period: 60 } },
        { id: "e", expression: "a + b" },
      ],
    };
    const resources = [
      ...Array.from({ length: 10 }, (_, i) => alarm(`std${i}`, { period: 60 })),
      alarm("math", math),
      alarm("fast", { period: 10 }),
    ];
    const cost = estimateCost(resources, "us-east-1");
    // 10 + 2 + 1 = 13 alarm metrics, 10 free: 3/13 of (12 x 0.10 + 1 x 0.30) = 0.3462 -> 0.35.
    expect(cost.monthlyUsd).to.equal(0.35);
    const math$ = cost.items.find((i) => i.name === "math")!;
    expect(math$.quantity).to.equal(2);
    expect(math$.what).to.contain("metric math");
    expect(cost.items.find((i) => i.name === "fast")!.unitUsd).to.equal(0.3);
  });

  it("prices on-demand streams, interface endpoints per AZ and Flink KPUs", () => {
    const res = (type: string, inputs: Record<string, unknown>): PlanResource => ({
      urn: `urn:pulumi:t::p::${type}::x`,
      type,
      name: "x",
      parent: null,
      inputs,
      state: {},
    });
    const cost = estimateCost(
      [
        res("aws:kinesis/stream:Stream", { streamModeDetails: { streamMode: "ON_DEMAND" } }),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", {
          vpcEndpointType: "Interface",
          subnetIds: ["a", "b", "c"],
        }),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Gateway" }),
        res("aws:lb/loadBalancer:LoadBalancer", { internal: false, subnets: ["a", "b"] }),
        res("aws:kinesisanalyticsv2/application:Application", {
          applicationConfiguration: {
            flinkApplicationConfiguration: {
              parallelismConfiguration: {
                configurationType: "CUSTOM",
                parallelism: 4,
                parallelismPerKpu: 2,
              },
            },
          },
        }),
      ],
      "us-east-1",
    );
    // 0.04 x 730 = 29.20; 3 AZ x 0.01 x 730 = 21.90; (2 + 1) KPU x 0.11 x 730 = 240.90 + 100 GB x 0.10 = 10.00;
    // an internet-facing ALB: 0.0225 x 730 = 16.425 -> 16.43, plus 2 public IPv4 x 0.005 x 730 = 7.30.
    expect(cost.byType).to.deep.equal({
      "aws:ec2/vpcEndpoint:VpcEndpoint": 21.9,
      "aws:lb/loadBalancer:LoadBalancer": 23.73,
      "aws:kinesis/stream:Stream": 29.2,
      "aws:kinesisanalyticsv2/application:Application": 250.9,
    });
  });

  it("splits a free allowance so the parts sum exactly", () => {
    expect(allocateCents(1500, [3, 3, 3, 3, 3, 3, 3, 3])).to.deep.equal([
      188, 188, 188, 188, 187, 187, 187, 187,
    ]);
    expect(allocateCents(0, [1, 2])).to.deep.equal([0, 0]);
  });

  it("refuses a region without a price table, and the CLI exits 2 saying so", () => {
    expect(() => pricesFor("eu-west-3")).to.throw(
      PriceTableError,
      /no price table for region "eu-west-3"/,
    );
    const res = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/plan.ts", "--stack", "paris", "--dir", FIXTURE_STACKS],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    expect(res.status).to.equal(2);
    expect(res.stdout).to.equal("");
    expect(res.stderr).to.contain('no price table for region "eu-west-3" (tables: us-east-1)');
  });
});
