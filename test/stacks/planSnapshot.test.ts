import { expect } from "chai";
import {
  SNAPSHOT_STACKS,
  canonicalJson,
  describeDiff,
  diffSnapshots,
  readSnapshot,
  resolveDeep,
  snapshotOf,
} from "../../scripts/planSnapshot";
import { stackFileRun } from "./stackFiles";

describe("plan snapshot (test/fixtures/plans, `npm run snapshot:update`)", function () {
  this.timeout(300_000);

  for (const stack of SNAPSHOT_STACKS) {
    it(`the ${stack} plan has the committed URNs, types and inputs`, async () => {
      const actual = await snapshotOf((await stackFileRun(stack)).resources);
      const diff = diffSnapshots(readSnapshot(stack), actual);
      const message = describeDiff(stack, diff);
      expect(message, message).to.equal("");
    });
  }

  it("canonical inputs ignore key order and undefined fields, not values", async () => {
    const a = canonicalJson({ b: 1, a: { y: [1, { d: 2, c: 3 }], x: undefined } });
    const b = canonicalJson({ a: { y: [1, { c: 3, d: 2 }] }, b: 1 });
    expect(a).to.equal(b);
    expect(canonicalJson({ a: [2, 1] })).to.not.equal(canonicalJson({ a: [1, 2] }));
    expect(
      await resolveDeep({ code: Promise.resolve({ text: Promise.resolve("x") }) }),
    ).to.deep.equal({ code: { text: "x" } });
  });

  it("a diff names the added, removed and changed URNs", () => {
    const e = { type: "t", inputs: "1" };
    const diff = diffSnapshots(
      { "urn:a": e, "urn:b": e, "urn:c": e },
      { "urn:a": e, "urn:b": { type: "t", inputs: "2" }, "urn:d": e },
    );
    expect(diff).to.deep.equal({ added: ["urn:d"], removed: ["urn:c"], changed: ["urn:b"] });
    expect(describeDiff("dev", diff)).to.match(
      /added \(1\):\n {2}urn:d\nremoved \(1\):\n {2}urn:c\nchanged/,
    );
    expect(describeDiff("dev", { added: [], removed: [], changed: [] })).to.equal("");
  });
});
