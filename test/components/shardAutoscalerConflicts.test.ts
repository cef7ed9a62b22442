import { expect } from "chai";
import {
  TOP_LEVEL_POLICY_FIELDS,
  checkPolicyConflicts,
  policyFieldsGivenTwice,
} from "../../components/streaming/shardAutoscalerConflicts";
import { ShardAutoscaler } from "../../components/streaming/shardAutoscaler";
import { ArgumentErrors } from "../../components/core/validate";
import { installMocks } from "../../scripts/harness/recorder";

const STREAM = { name: "s", arn: "arn:aws:kinesis:us-east-1:123456789012:stream/s" };

describe("ShardAutoscaler: a setting given at the top level and in policy", () => {
  it("finds each of the 8 settings given twice, and none given once", () => {
    expect(TOP_LEVEL_POLICY_FIELDS).to.have.length(8);
    for (const f of TOP_LEVEL_POLICY_FIELDS) {
      expect(policyFieldsGivenTwice({ [f]: 2, policy: { [f]: 3 } }), f).to.deep.equal([f]);
      expect(policyFieldsGivenTwice({ [f]: 2 }), f).to.deep.equal([]);
      expect(policyFieldsGivenTwice({ policy: { [f]: 2 } }), f).to.deep.equal([]);
    }
    expect(
      policyFieldsGivenTwice({
        minShards: 1,
        maxShards: 9,
        policy: { maxShards: 8, minShards: 2 },
      }),
    ).to.deep.equal(["minShards", "maxShards"]);
  });

  it("names both fields, the values and the fix", () => {
    const errors = checkPolicyConflicts(new ArgumentErrors("ShardAutoscaler", "a"), {
      quietMinutes: 10,
      policy: { quietMinutes: 20 },
    });
    expect(() => errors.throwIfAny()).to.throw(
      /ShardAutoscaler "a"[\s\S]*quietMinutes\/policy.quietMinutes: both given \(10 and 20\)[\s\S]*fix: set quietMinutes once/,
    );
  });

  it("is refused by the component before any child exists", async () => {
    const rec = installMocks({ stack: "autoscaler-conflict" });
    expect(
      () =>
        new ShardAutoscaler("scaler", {
          stream: STREAM,
          shardCount: 2,
          maxShards: 8,
          policy: { maxShards: 16 },
        }),
    ).to.throw(/maxShards\/policy.maxShards: both given \(8 and 16\)/);
    await rec.settle();
    expect(rec.resources.filter((r) => r.custom)).to.deep.equal([]);
  });
});
