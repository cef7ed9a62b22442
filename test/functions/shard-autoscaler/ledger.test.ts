import { expect } from "chai";
import fc from "fast-check";
import * as LG from "../../../functions/shard-autoscaler/ledger";
import { DAY_MS, MINUTE_MS } from "../../../functions/shard-autoscaler/rules";

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
/** Characters every AWS tag value accepts. */
const TAG_VALUE = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

describe("shard-autoscaler ledger", () => {
  it("round-trips through stream tags within Kinesis' limits (any 10 calls of a day)", () => {
    const arbLedger: fc.Arbitrary<LG.Ledger> = fc.record({
      calls: fc
        .array(
          fc.record({
            at: fc.integer({ min: NOW - DAY_MS + 1000, max: NOW }).map((t) => t - (t % 1000)),
            from: fc.integer({ min: 1, max: 20000 }),
            to: fc.integer({ min: 1, max: 20000 }),
            emergency: fc.boolean(),
          }),
          { maxLength: 10 },
        )
        .map((calls) => calls.sort((a, b) => a.at - b.at)),
      goal: fc.option(
        fc.record({
          shards: fc.integer({ min: 1, max: 20000 }),
          at: fc.integer({ min: NOW - DAY_MS, max: NOW }).map((t) => t - (t % 1000)),
          emergency: fc.boolean(),
        }),
        { nil: undefined },
      ),
      backoff: fc.option(
        fc.record({
          until: fc.integer({ min: NOW, max: NOW + DAY_MS }).map((t) => t - (t % 1000)),
          attempts: fc.integer({ min: 1, max: 30 }),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(arbLedger, (ledger) => {
        const tags = LG.encodeLedger(ledger);
        for (const [k, v] of Object.entries(tags)) {
          expect(k.length).to.be.at.most(128);
          expect(v.length).to.be.within(1, 256);
          expect(v).to.match(TAG_VALUE);
        }
        const back = LG.decodeLedger(tags);
        const clean = (l: LG.Ledger) => JSON.parse(JSON.stringify(l)) as LG.Ledger;
        expect(clean(back)).to.deep.equal(clean(ledger));
      }),
      { seed: 3, numRuns: 500 },
    );
  });

  it("ignores damaged or foreign tags instead of failing", () => {
    const l = LG.decodeLedger({
      [LG.LEDGER_TAGS.calls]: "garbage 1.x.2 tb9jc0.4.8",
      [LG.LEDGER_TAGS.goal]: "-",
      [LG.LEDGER_TAGS.backoff]: "zz",
      team: "data",
    });
    expect(l.calls).to.have.length(1);
    expect(l.calls[0]).to.include({ from: 4, to: 8, emergency: false });
    expect(l.goal).to.equal(undefined);
    expect(l.backoff).to.equal(undefined);
  });

  it("prunes calls older than the rolling 24 hours", () => {
    const l: LG.Ledger = {
      calls: [
        { at: NOW - DAY_MS - 1, from: 1, to: 2, emergency: false },
        { at: NOW - DAY_MS + 1, from: 2, to: 4, emergency: false },
      ],
    };
    expect(LG.pruneLedger(l, NOW).calls.map((c) => c.to)).to.deep.equal([4]);
  });

  it("records the goal of a multi-step change and forgets a rejected call with it", () => {
    const call = { at: NOW, from: 4, to: 8, emergency: true };
    const l = LG.recordCall({ calls: [] }, call, 20, NOW);
    expect(l.goal).to.deep.equal({ shards: 20, at: NOW, emergency: true });
    expect(LG.forgetCall(l, call)).to.deep.equal({ calls: [], goal: undefined });
  });

  it("backs off 2, 4, 8 ... minutes up to an hour, and starts over after a quiet hour", () => {
    let l: LG.Ledger = { calls: [] };
    const waits: number[] = [];
    let now = NOW;
    for (let i = 0; i < 8; i++) {
      l = LG.withBackoff(l, now);
      waits.push((l.backoff!.until - now) / MINUTE_MS);
      now = l.backoff!.until;
    }
    expect(waits).to.deep.equal([2, 4, 8, 16, 32, 60, 60, 60]);
    const later = LG.withBackoff(l, l.backoff!.until + (LG.BACKOFF_MAX_MINUTES + 1) * MINUTE_MS);
    expect(later.backoff!.attempts).to.equal(1);
  });

  it("drops an unconfirmed call once the stream is ACTIVE at the old count, not while in flight", () => {
    const l: LG.Ledger = { calls: [{ at: NOW - 5 * MINUTE_MS, from: 4, to: 8, emergency: false }] };
    expect(LG.reconcileLedger(l, 4, true, NOW).calls).to.deep.equal([]);
    expect(LG.reconcileLedger(l, 8, true, NOW).calls).to.have.length(1);
    expect(LG.reconcileLedger(l, 4, false, NOW).calls).to.have.length(1);
    expect(LG.reconcileLedger(l, 4, true, NOW - 4 * MINUTE_MS).calls).to.have.length(1);
  });
});
