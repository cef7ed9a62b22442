import { expect } from "chai";
import fc from "fast-check";
import {
  BLOCK_MINUTES,
  Burst,
  chooseHold,
  callValue,
  holdCost,
  holdLevel,
  missCost,
  missRisk,
  reactionMinutes,
  shardMinutePrices,
  staticOptimum,
  summarise,
} from "../../../functions/shard-autoscaler/history";
import {
  carriesNoise,
  expectedShortfall,
  fitNoise,
  noiseLevel,
  normalTail,
} from "../../../functions/shard-autoscaler/noise";
import { DEFAULT_POLICY_CONFIG, relativeNoise } from "../../../functions/shard-autoscaler/policy";
import { callsNeeded } from "../../../functions/shard-autoscaler/rules";

const c = { ...DEFAULT_POLICY_CONFIG, maxShards: 10000 };
const HOUR = BLOCK_MINUTES * 60_000;
/** A block's burst: from `base`, rising by `rise` to `peak`, in block `block` of the history. */
const burst = (peak: number, rise = peak, base = 0, block = 0): Burst => ({
  at: block * HOUR,
  peak,
  rise,
  base,
  riseAt: block * HOUR + 30 * 60_000,
});

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

  it("a rise from a plateau a reactive scaler already followed costs only what it adds", () => {
    // Inside a 15-shard step: +2 over the plateau's mean is under the threshold's headroom of
    // the count a reactive scaler holds (15 / 0.8), whatever count is held between bursts.
    expect(missCost(2, burst(17, 2, 15), c)).to.equal(0);
    // From a base of 4 on 6 shards, +6 reaches 10: 10 - 6 for a reaction, no further doubling.
    const { throttle } = shardMinutePrices(c);
    expect(missCost(6, burst(10, 6, 4), c)).to.be.closeTo(4 * reactionMinutes(c) * throttle, 1e-9);
  });

  it("summarises demand into hourly blocks of peak and fastest rise", () => {
    const demand = new Float64Array(180).fill(1);
    for (let t = 70; t < 80; t++) demand[t] = 9;
    const blocks = summarise(demand, 0, reactionMinutes(c));
    expect(blocks).to.have.length(180 / BLOCK_MINUTES);
    expect(blocks.map((b) => b.peak)).to.deep.equal([1, 9, 1]);
    expect(blocks.map((b) => b.rise)).to.deep.equal([0, 8, 0]);
    // The jump rose from the level before it, at its first minute.
    expect(blocks[1]).to.include({ base: 1, riseAt: 70 * 60_000 });
  });

  it("the blocks of a long step after its first rise from the step, not from before it", () => {
    const demand = Float64Array.from({ length: 600 }, (_, t) => (t >= 100 && t < 460 ? 15 : 1.5));
    const blocks = summarise(demand, 0, reactionMinutes(c));
    expect(blocks[1].base).to.equal(1.5);
    for (const b of blocks.slice(2, 7)) expect(b.base, String(b.at)).to.equal(15);
    expect(blocks.slice(2, 7).every((b) => missCost(2, b, c) === 0)).to.equal(true);
  });

  it("measures noise as the median relative change, blind to rare bursts", () => {
    const demand = Float64Array.from({ length: 600 }, (_, t) =>
      t % 100 < 10 ? 20 : 1 + 0.05 * (t % 2),
    );
    expect(relativeNoise(demand)).to.be.closeTo(0.05 / 1.05, 1e-9);
    expect(relativeNoise(new Float64Array(10))).to.equal(0);
  });
});

describe("shard-autoscaler recurrence (missRisk)", () => {
  const quiet = (h: number) => burst(1, 0, 1, h);
  const week = (bursty: number[]) =>
    Array.from({ length: 168 }, (_, h) => (bursty.includes(h) ? burst(20, 19, 1, h) : quiet(h)));

  it("a one-off burst risks nothing: its first occurrence is no evidence that it comes back", () => {
    expect(missRisk(2, week([10]), c)).to.deep.equal({
      perDay: 0,
      episodesPerDay: 0,
      callsBack: 0,
    });
    expect(holdCost(2, week([10]), c)).to.be.closeTo(2 * 0.015 * 24, 1e-9);
  });

  it("k bursts give k - 1 gaps over the time from the first to the history's end", () => {
    // At hours 24, 72 and 120 of 168: 2 gaps over 144 hours, one every 3 days.
    const r = missRisk(2, week([24, 72, 120]), c);
    expect(r.episodesPerDay).to.be.closeTo(2 / 6, 1e-9);
    expect(r.perDay).to.be.closeTo(missCost(2, burst(20, 19, 1), c) / 3, 1e-9);
    expect(r.callsBack).to.equal(callsNeeded(2, Math.ceil(20 / c.targetUtilisation)));
  });

  it("one rise that straddles two blocks counts once", () => {
    const bursts = week([]);
    bursts[50] = { ...burst(20, 19, 1, 50), riseAt: 51 * HOUR - 60_000 };
    bursts[51] = { ...burst(20, 17, 3, 51), riseAt: 51 * HOUR + 2 * 60_000 };
    expect(missRisk(2, bursts, c).perDay).to.equal(0);
  });
});

describe("shard-autoscaler hold rule (chooseHold)", () => {
  const day = (b: Burst, every: number) =>
    Array.from({ length: 24 }, (_, h) =>
      h % every === 0 ? { ...b, at: h * HOUR, riseAt: h * HOUR } : burst(1, 0, 1, h),
    );

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
      base: fc.double({ min: 0, max: 32, noNaN: true }),
      riseAt: fc.integer({ min: 0, max: 48 }).map((h) => h * HOUR),
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

/** The hindsight cost of holding `m` shards through `demand` (shards at 100% per minute). */
function staticCost(demand: ArrayLike<number>, m: number): number {
  const { capacity, throttle } = shardMinutePrices(c);
  let cost = 0;
  for (let i = 0; i < demand.length; i++)
    cost += m * capacity + throttle * Math.max(0, demand[i] - m);
  return cost;
}

describe("shard-autoscaler static optimum and hold level", () => {
  it("the static optimum is the cheapest whole count to hold through the history (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        (values) => {
          const demand = Float64Array.from(values);
          const best = staticOptimum(demand, c);
          const top = Math.ceil(Math.max(...values)) + 1;
          for (let m = 0; m <= top; m++)
            expect(staticCost(demand, best)).to.be.at.most(staticCost(demand, m) + 1e-9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("allows about 6 minutes a day above the count at list prices, never a batch", () => {
    // A day at 2 shards with 12 minutes an hour at 16: the batches are 20% of the minutes.
    const batch = Float64Array.from({ length: 1440 }, (_, t) => (t % 60 < 12 ? 16 : 2));
    expect(staticOptimum(batch, c)).to.equal(16);
    // Five minutes at 16 in a day are cheaper to throttle than a day of 14 more shards.
    const rare = Float64Array.from({ length: 1440 }, (_, t) => (t < 5 ? 16 : 2));
    expect(staticOptimum(rare, c)).to.equal(2);
    // Dearer throttling allows fewer minutes above.
    expect(staticOptimum(rare, { ...c, throttledGbUsd: 100 })).to.equal(16);
  });

  it("noise around a level is no rise; a jump from it is", () => {
    // +-10% around 10 shards, then a jump to 30.
    const demand = Float64Array.from({ length: 120 }, (_, t) =>
      t >= 90 ? 30 : 10 * (1 + (t % 2 ? -0.1 : 0.1)),
    );
    const [quiet, jump] = summarise(demand, 0, reactionMinutes(c));
    // A lowest-minute baseline would see 2 (9 -> 11); the mean of the reaction before sees ~1.
    expect(quiet.rise).to.be.at.most(1.2);
    expect(jump.rise).to.be.closeTo(20, 1);
  });

  it("holds the peak of bursts that outrun a reaction, not of a slow cycle", () => {
    const hourly = Float64Array.from({ length: 2880 }, (_, t) => (t % 60 < 12 ? 16 : 2));
    const r = reactionMinutes(c);
    expect(holdLevel(hourly, summarise(hourly, 0, r), c)).to.equal(16);
    // A daily sine between 2 and 10 shards: a reaction follows it, nothing is held.
    const sine = Float64Array.from(
      { length: 2880 },
      (_, t) => 6 + 4 * Math.sin((2 * Math.PI * t) / 1440),
    );
    expect(holdLevel(sine, summarise(sine, 0, r), c)).to.equal(c.minShards);
    // One burst of 20 in a week: reacting to it once costs less than a week of 18 more shards.
    const once = Float64Array.from({ length: 10080 }, (_, t) => (t >= 5000 && t < 5030 ? 20 : 2));
    expect(holdLevel(once, summarise(once, 0, r), c)).to.be.below(20);
    // A 6-hour step that passed is a one-off: nothing held, though it sets the static optimum.
    const step = Float64Array.from({ length: 10080 }, (_, t) => (t >= 3000 && t < 3360 ? 15 : 1.5));
    expect(staticOptimum(step, c)).to.equal(15);
    expect(holdLevel(step, summarise(step, 0, r), c)).to.equal(c.minShards);
    // The same hour at 15 every day: a habit, whose reaction costs more than its shards.
    const daily = Float64Array.from({ length: 10080 }, (_, t) => (t % 1440 < 60 ? 15 : 1.5));
    expect(holdLevel(daily, summarise(daily, 0, r), c)).to.be.at.least(8);
  });

  it("the hold level is never dearer to hold than any count below the static optimum (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 30, max: 600 }),
        fc.integer({ min: 3, max: 40 }),
        (base, factor, every, length) => {
          const demand = Float64Array.from({ length: 2880 }, (_, t) =>
            t % every < Math.min(length, every - 1) ? base * factor : base,
          );
          const bursts = summarise(demand, 0, reactionMinutes(c));
          const held = holdLevel(demand, bursts, c);
          const top = Math.max(c.minShards, staticOptimum(demand, c));
          expect(held).to.be.within(c.minShards, top);
          // Lower counts the budget can follow are dearer, or within one call's worth (which a
          // move must beat).
          for (let m = c.minShards; m < held; m++) {
            const risk = missRisk(m, bursts, c);
            const followable =
              risk.episodesPerDay * (risk.callsBack + 1) + 1 <= c.maxCallsPer24h &&
              c.maxCallsPer24h - 1 >= risk.callsBack + c.reserveCalls;
            if (followable)
              expect(holdCost(m, bursts, c) + callValue(c)).to.be.at.least(
                holdCost(held, bursts, c) - 1e-9,
              );
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
