import { expect } from "chai";
import * as fs from "node:fs";
import { README, generatedBlocks, replaceBlock } from "../../scripts/docs";

describe("README", function () {
  // The drift check plans the dev stack, which takes over a minute on a loaded machine (as planCost).
  this.timeout(300_000);
  it("its generated sections (config reference, diagram) match the code: run `npm run docs`", async () => {
    const text = fs.readFileSync(README, "utf8");
    for (const [name, body] of Object.entries(await generatedBlocks())) {
      expect(replaceBlock(text, name, body) === text, `README block "${name}" is stale`).to.equal(
        true,
      );
    }
  });

  it("has the two quick-start commands CI and new users run", () => {
    const text = fs.readFileSync(README, "utf8");
    expect(text).to.contain("npm ci && npm run plan -- --stack dev");
    expect(text).to.match(/^npm test\b/m);
  });

  it("replaceBlock refuses a README without the markers", () => {
    expect(() => replaceBlock("no markers", "diagram", "x")).to.throw(/diagram:start/);
  });
});
