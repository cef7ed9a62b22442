import { expect } from "chai";
import { planNetwork } from "../../components/network/networkPlan";

describe("planNetwork (pure planning of a Network)", () => {
  it("resolves defaults: 2 AZs, 10.0.0.0/16 in /20 subnets, one NAT gateway", () => {
    const p = planNetwork("n", {});
    expect(p).to.include({ azCount: 2, cidrBlock: "10.0.0.0/16", natMode: "single", natCount: 1 });
    expect(p.subnets.public).to.deep.equal(["10.0.0.0/20", "10.0.16.0/20"]);
    expect(p.subnets.private).to.deep.equal(["10.0.32.0/20", "10.0.48.0/20"]);
    expect(p.interfaceServices).to.deep.equal([]);
  });

  it("takes azCount from the zones given and counts NAT gateways per mode", () => {
    const zones = ["a", "b", "c"];
    expect(planNetwork("n", { availabilityZones: zones, natGateways: "perAz" }).natCount).to.equal(
      3,
    );
    expect(planNetwork("n", { natGateways: "none" }).natCount).to.equal(0);
  });

  it("throws one error listing every problem, naming the network", () => {
    expect(() =>
      planNetwork("edge", { azCount: 7, interfaceEndpoints: ["s3", "sqs", "sqs"] }),
    ).to.throw(
      /^Network "edge" has invalid arguments:\n[\s\S]*azCount: 7[\s\S]*s3 already get gateway endpoints[\s\S]*sqs listed more than once/,
    );
  });
});
