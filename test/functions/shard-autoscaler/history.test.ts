import { expect } from "chai";
import fc from "fast-check";
import {
  BLOCK_MINUTES,
  Burst,
  carriesNoise,
  chooseHold,
  expectedShortfall,
  fitNoise,
  missCost,
  noiseLevel,
  normalTail,
  reactionMinutes,
  shardMinutePrices,
  summarise,
} from "../../../functions/shard-autoscaler/history";
import { DEFAULT_POLICY_CONFIG, relativeNoise } from "../../../functions/shard-autoscaler/policy";

const c = { ...DEFAULT_POLICY_CONFIG, maxShards: 10000 };
const burst = (peak: number, rise = peak): Burst => ({ at: 0, peak, rise });

describe("shard-autoscaler cost model", () => {
  it("prices a shard-minute and a throttled shard-minute from the config", () => {
    const p = shardMinutePrices(c);
    expect(p.capacity).to.be.closeTo(0.015 / 60, 1e-12);
    // 60 MiB at $1 per GiB.
    expect(p.throttle).to.be.closeTo(60 / 1024, 1e-12);
    expect(shardMinutePrices({ ...c, throttledGbUsd: 2 }).throttle).to.be.closeTo(
      120 / 1024,
      1e-12,
    );
    // Publishing delay + breaching datapoints + resharding.
    expect(reactionMinutes(c)).to.equal(3 + 2 + 4);
  });

  it("a burst the shards carry, or a rise the threshold catches in time, costs nothing", () => {
    expect(missCost(10, burst(9), c)).to.equal(0);
    // Up to 9 on 8 shards, but slowly: +1 within a reaction is under the 20% headroom.
    expect(missCost(8, burst(9, 1), c)).to.equal(0);
  });

  it("a sudden burst above capacity throttles its excess for one reaction, and more doublings", () => {
    const { throttle } = shardMinutePrices(c);
    expect(missCost(8, burst(10), c)).to.be.closeTo(2 * reactionMinutes(c) * throttle, 1e-9);
    // 2 -> 20: 18 for a reaction, then 16 still short after 4, 12 after 8, 4 after 16.
    const far = missCost(2, burst(20), c);
    const expected = (18 * reactionMinutes(c) + (16 + 12 + 4) * c.reshardMinutes) * throttle;
    expect(far).to.be.closeTo(expected, 1e-9);
  });

  it("summarises demand into hourly blocks of peak and fastest rise", () => {
    const demand = new Float64Array(180).fill(1);
    for (let t = 70; t < 80; t++) demand[t] = 9;
    const blocks = summarise(demand, 0, reactionMinutes(c));
    expect(blocks).to.have.length(180 / BLOCK_MINUTES);
    expect(blocks.map((b) => b.peak)).to.deep.equal([1, 9, 1]);
    expect(blocks.map((b) => b.rise)).to.deep.equal([0, 8, 0]);
  });

  it("measures noise as the median relative change, blind to rare bursts", () => {
    const demand = Float64Array.from({ length: 600 }, (_, t) =>
      t % 100 < 10 ? 20 : 1 + 0.05 * (t % 2),
    );
    expect(relativeNoise(demand)).to.be.closeTo(0.05 / 1.05, 1e-9);
    expect(relativeNoise(new Float64Array(10))).to.equal(0);
  });
});

describe("shard-autoscaler hold rule (chooseHold)", () => {
  const day = (b: Burst, every: number) =>
    Array.from({ length: 24 }, (_, h) => (h % every === 0 ? b : burst(1, 0)));

  it("goes as far down as the quiet load allows when nothing in the history would be missed", () => {
    const choice = chooseHold(12, 6, day(burst(1, 0), 1), 10, c);
    expect(choice.shards).to.equal(6);
  });

  it("stops at the level recurring bursts need", () => {
    expect(chooseHold(12, 6, day(burst(9), 3), 10, c).shards).to.equal(9);
  });

  it("holds when bursts recur faster than the budget could follow them down and up", () => {
    // Every hour: 24 round trips a day at any level that misses them.
    const choice = chooseHold(9, 5, day(burst(9), 1), 10, c);
    expect(choice.shards).to.equal(9);
  });

  it("keeps the calls to come back up plus the reserve", () => {
    // A level below the burst needs 1 call back up; 3 free - 1 for this call < 1 + reserve 2.
    const choice = chooseHold(12, 6, day(burst(9, 9), 12), 3, c);
    expect(choice.shards).to.be.at.least(9);
    expect(chooseHold(12, 6, day(burst(1, 0), 1), 2, c).reason).to.match(/kept for scale-ups/);
  });

  it("properties: stays within [lowest, current], saves more than a call is worth, respects the budget", () => {
    const arbBurst = fc.record({
      at: fc.constant(0),
      peak: fc.double({ min: 0, max: 64, noNaN: true }),
      rise: fc.double({ min: 0, max: 64, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 64 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(arbBurst, { minLength: 1, maxLength: 48 }),
        fc.integer({ min: 0, max: 10 }),
        (current, f, bursts, free) => {
          const lowest = Math.max(Math.ceil(current / 2), Math.floor(current * f));
          const choice = chooseHold(current, lowest, bursts, free, c);
          expect(choice.shards).to.be.within(Math.min(lowest, current), current);
          if (choice.shards < current) {
            const { throttle } = shardMinutePrices(c);
            expect(choice.netPerDay).to.be.above(throttle * reactionMinutes(c));
            expect(free - 1).to.be.at.least(c.reserveCalls);
          }
          return true;
        },
      ),
      { seed: 13, numRuns: 300 },
    );
  });
});

describe("shard-autoscaler noise level (newsvendor rule)", () => {
  it("puts the count at the demand quantile where a shard costs what it saves", () => {
    expect(normalTail(0)).to.be.closeTo(0.5, 1e-7);
    expect(normalTail(1.96)).to.be.closeTo(0.025, 1e-4);
    const { capacity, throttle } = shardMinutePrices(c);
    const fit = { mean: 6, sd: 0.3, max: 6, slope: 0, minutes: 60 };
    const level = noiseLevel(fit, c);
    expect(normalTail((level - 6) / 0.3)).to.be.closeTo(capacity / throttle, 1e-6);
    expect(level).to.be.closeTo(6 + 2.63 * 0.3, 0.01);
    // Dearer throttling wants more headroom.
    expect(noiseLevel(fit, { ...c, throttledGbUsd: 10 })).to.be.above(level);
    expect(fitNoise([])).to.equal(undefined);
    // A trend is projected ahead (a reaction's worth), the noise measured around it.
    expect(fitNoise([2, 4, 6], 1)).to.deep.equal({ mean: 8, sd: 0, max: 6, slope: 2, minutes: 3 });
    // Never below the largest sample.
    expect(noiseLevel({ mean: 5, sd: 0, max: 6.5, slope: 0, minutes: 60 }, c)).to.equal(6.5);
  });

  it("expects the shortfall of a normal load, and holds a count whose day of it is under a call", () => {
    expect(expectedShortfall({ mean: 6, sd: 0, max: 6, slope: 0, minutes: 60 }, 5)).to.equal(1);
    // E[max(0, Z)] = 1 / sqrt(2 pi).
    expect(expectedShortfall({ mean: 6, sd: 1, max: 6, slope: 0, minutes: 60 }, 6)).to.be.closeTo(
      1 / Math.sqrt(2 * Math.PI),
      1e-6,
    );
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        (sd, n) => {
          const fit = { mean: 8, sd, max: 8, slope: 0, minutes: 60 };
          return expectedShortfall(fit, n + 1) <= expectedShortfall(fit, n) + 1e-12;
        },
      ),
    );
    expect(carriesNoise({ mean: 6, sd: 0.3, max: 6.8, slope: 0, minutes: 60 }, 7, c)).to.equal(
      true,
    );
    expect(carriesNoise({ mean: 6, sd: 0.3, max: 6.8, slope: 0, minutes: 60 }, 6, c)).to.equal(
      false,
    );
    // Not a count a minute of the samples exceeded, nor one the trend leaves within a reaction.
    expect(carriesNoise({ mean: 6, sd: 0.3, max: 7.2, slope: 0, minutes: 60 }, 7, c)).to.equal(
      false,
    );
    expect(carriesNoise({ mean: 6, sd: 0.3, max: 6.8, slope: 0.05, minutes: 60 }, 7, c)).to.equal(
      false,
    );
  });
});
