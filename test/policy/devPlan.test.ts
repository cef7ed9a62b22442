import { expect } from "chai";
import { plan } from "../../scripts/plan";

describe("policy pack on the dev plan", () => {
  it("the full dev stack has no mandatory findings", async function () {
    this.timeout(300_000);
    const doc = await plan("dev");
    const mandatory = doc.violations.filter((v) => v.enforcementLevel === "mandatory");
    expect(mandatory, JSON.stringify(mandatory, null, 2)).to.deep.equal([]);
  });
});
