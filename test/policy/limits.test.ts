import { expect } from "chai";
import * as defaults from "../../components/core/defaults";
import * as limits from "../../policy/rules/limits";

describe("policy/rules/limits.ts (the pack's copies of component defaults)", () => {
  it("equals components/core/defaults.ts, so the pack holds the program to what it builds", () => {
    // The pack may not import components/ (it is installed and type-checked on its own).
    expect(limits.SUPPORTED_NODE_RUNTIMES).to.deep.equal(defaults.SUPPORTED_NODE_RUNTIMES);
    expect(limits.LAMBDA_ARCHITECTURE).to.equal(defaults.LAMBDA_ARCHITECTURE);
    expect(limits.VISIBILITY_TIMEOUT_FACTOR).to.equal(defaults.VISIBILITY_TIMEOUT_FACTOR);
    expect(limits.SUPPORTED_NODE_RUNTIMES).to.include(defaults.LAMBDA_RUNTIME);
  });
});
