import { expect } from "chai";
import fc from "fast-check";
import { DEFAULT_POLICY_CONFIG } from "../../../functions/shard-autoscaler/config";
import { reactionMinutes, shardMinutePrices } from "../../../functions/shard-autoscaler/history";
import {
  eventShards,
  holdView,
  seasonFloor,
  seasonHalvings,
  seasonPlanFits,
} from "../../../functions/shard-autoscaler/hold";
import { DAY_MS, MINUTE_MS } from "../../../functions/shard-autoscaler/rules";
import {
  callPaysInBurst,
  eventOverAt,
  lowestBetween,
  preScaleDue,
} from "../../../functions/shard-autoscaler/seasonRules";
import {
  LoadEvent,
  SEASON_MIN_EVENTS,
  findEvents,
  findSeason,
} from "../../../functions/shard-autoscaler/season";

const c = { ...DEFAULT_POLICY_CONFIG, maxShards: 10000 };
const r = reactionMinutes(c);
const at = (minute: number) => minute * MINUTE_MS;
const event = (minute: number, peak = 20, length = 10): LoadEvent => ({
  at: at(minute),
  end: at(minute + length - 1),
  peak,
  closed: true,
});
/** Demand of `minutes` minutes: `base`, and `peak` for `length` minutes from each onset. */
function spiky(minutes: number, onsets: number[], base = 1, peak = 20, length = 10) {
  return Float64Array.from({ length: minutes }, (_, t) =>
    onsets.some((o) => t >= o && t < o + length) ? peak : base,
  );
}
const every = (first: number, period: number, until: number) =>
  Array.from({ length: Math.ceil((until - first) / period) }, (_, i) => first + i * period);

describe("shard-autoscaler seasons: events", () => {
  it("finds where demand at least doubles within a reaction, and when it is over", () => {
    const demand = spiky(600, [100, 400]);
    const events = findEvents(demand, 0, r);
    expect(events).to.deep.equal([
      { at: at(100), end: at(109), peak: 20, closed: true },
      { at: at(400), end: at(409), peak: 20, closed: true },
    ]);
    // Still above its midpoint at the end of the data: not over.
    const live = findEvents(spiky(405, [400]), 0, r);
    expect(live).to.deep.equal([{ at: at(400), end: at(404), peak: 20, closed: false }]);
  });

  it("a rise a reaction follows, noise, or under a shard starts none", () => {
    const sine = Float64Array.from(
      { length: 2880 },
      (_, t) => 6 + 4 * Math.sin((2 * Math.PI * t) / 1440),
    );
    expect(findEvents(sine, 0, r)).to.deep.equal([]);
    const noise = Float64Array.from({ length: 2880 }, (_, t) => 5 * (1 + 0.15 * Math.sin(t * 7.3)));
    expect(findEvents(noise, 0, r)).to.deep.equal([]);
    // 0.1 -> 0.5 shards: five times the base, but the capacity a shard has carries it.
    expect(findEvents(spiky(600, [100], 0.1, 0.5), 0, r)).to.deep.equal([]);
  });
});

describe("shard-autoscaler seasons: periods", () => {
  it("finds the period of events that recur, and when the next is due", () => {
    const s = findSeason(
      every(300, 480, 7 * 1440).map((m) => event(m)),
      at(7 * 1440),
    );
    expect(s).to.include({ period: 480, tolerance: 2, peak: 20, length: 10 });
    const last = every(300, 480, 7 * 1440).at(-1)!;
    expect(s!.next).to.equal(at(last + 480));
    expect(s!.events).to.have.length(21);
  });

  it("needs SEASON_MIN_EVENTS in a row, without a missed one", () => {
    const three = every(300, 480, 300 + 3 * 480).map((m) => event(m));
    expect(three).to.have.length(SEASON_MIN_EVENTS - 1);
    expect(findSeason(three, at(1800))).to.equal(undefined);
    // 300, 780, (1260 missing), 1740, 2220: the chain from the newest is 2 long.
    const gap = [300, 780, 1740, 2220].map((m) => event(m));
    expect(findSeason(gap, at(2300))).to.equal(undefined);
  });

  it("takes its tolerance from the chain's own jitter", () => {
    const jittered = [0, 483, 958, 1442, 1919, 2400].map((m) => event(m));
    const s = findSeason(jittered, at(2500))!;
    expect(s.period).to.be.within(476, 484);
    expect(s.tolerance).to.be.within(3, 10);
  });

  it("is broken when the next event is overdue", () => {
    const events = every(300, 480, 3000).map((m) => event(m));
    const last = every(300, 480, 3000).at(-1)!;
    expect(findSeason(events, at(last + 480))).to.not.equal(undefined);
    expect(findSeason(events, at(last + 480 + 3))).to.equal(undefined);
  });

  it("still sees the season when a burst of another kind came after its last event", () => {
    const events = [...every(300, 480, 3000).map((m) => event(m)), event(2900, 8)];
    const s = findSeason(events, at(2950));
    expect(s?.period).to.equal(480);
    expect(s?.events.at(-1)?.peak).to.equal(20);
  });

  it("a season found among bursts at random times is one their gaps really hold (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 20, max: 400 }), { minLength: 10, maxLength: 80 }),
        (gaps) => {
          let t = 0;
          const events = gaps.map((g) => event((t += g)));
          const s = findSeason(events, at(t));
          // Any chain found is one the gaps really hold: four onsets at one period apart.
          if (s) {
            for (let i = 1; i < s.events.length; i++) {
              const gap = (s.events[i].at - s.events[i - 1].at) / MINUTE_MS;
              expect(Math.abs(gap - s.period)).to.be.at.most(Math.max(2, s.period * 0.02) * 2);
            }
          }
          return true;
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe("shard-autoscaler seasons: what to hold between events", () => {
  it("the budget sets the floor: three events a day can go one call down and back", () => {
    const s = findSeason(
      every(300, 480, 3000).map((m) => event(m)),
      at(3000),
    )!;
    expect(seasonFloor(s, 22, c)).to.equal(11);
    // One a day: (10 - 2) / 1 / 2 = 4 calls each way.
    expect(seasonFloor({ ...s, period: 1440 }, 22, c)).to.equal(2);
    // Hourly: 24 a day, no budget for it.
    expect(seasonFloor({ ...s, period: 60 }, 22, c)).to.equal(undefined);
  });

  it("sizes an event by the newsvendor rule over its minutes, with the floor it sets", () => {
    // Four 10-minute events every 8 hours, 39 minutes at 20 and one at 30.
    const demand = spiky(2000, [100, 580, 1060, 1540]);
    demand[1545] = 30;
    const s = findSeason(findEvents(demand, 0, r), at(1999))!;
    const { capacity, throttle } = shardMinutePrices(c);
    // A shard of the event's count is held for the lead, the event and until it is known over,
    // and half of it (one halving, `seasonHalvings`) between events.
    expect(seasonHalvings(s, c)).to.equal(1);
    const during = 10 + c.reshardMinutes + 1 + s.tolerance + r + c.metricDelayMinutes;
    const held = during + (480 - during) / 2;
    // That is worth four of the 40 minutes throttled: the one minute at 30 goes through.
    expect(Math.floor((40 * capacity * held) / (throttle * 10))).to.equal(4);
    expect(eventShards(demand, 0, s, c)).to.equal(20);
    // Throttling a hundred times dearer lets none through.
    expect(eventShards(demand, 0, s, { ...c, throttledGbUsd: 100 })).to.equal(30);
  });

  it("pre-scales spikes every 8 hours: holds half their count between, weighs the other bursts", () => {
    const demand = spiky(7 * 1440, every(300, 480, 7 * 1440 - 60));
    const view = holdView(demand, 0, c);
    expect(view.top).to.equal(20);
    expect(view.preScale).to.include({ shards: 20 });
    expect(seasonFloor(view.preScale!.season, view.preScale!.shards, c)).to.equal(10);
    expect(view.held).to.equal(10);
    expect(view.preScale!.season.period).to.equal(480);
    // The spikes' blocks are out of the bursts the hold rules weigh.
    expect(view.bursts.every((b) => b.peak < 20)).to.equal(true);
  });

  it("holds hourly batches: no budget pre-scales 24 events a day", () => {
    const demand = spiky(2 * 1440, every(20, 60, 2 * 1440), 2, 16, 12);
    const view = holdView(demand, 0, c);
    expect(view.preScale).to.equal(undefined);
    expect(view.held).to.equal(16);
  });

  it("the plan keeps the reserve in every rolling 24 h", () => {
    const demand = spiky(7 * 1440, every(300, 480, 7 * 1440 - 60));
    const pre = holdView(demand, 0, c).preScale!;
    const now = at(7 * 1440 - 60);
    // Two calls around each of the last day's events: room for the floor's pattern, not below.
    const last = every(300, 480, 7 * 1440 - 60).filter((m) => at(m) > now - DAY_MS);
    const calls = last.flatMap((m) => [at(m - 7), at(m + 43)]);
    expect(seasonPlanFits(calls, now, 10, 10, 10, pre, c)).to.equal(true);
    expect(seasonPlanFits(calls, now, 10, 5, 10, pre, c)).to.equal(false);
    // Without those calls, one gap may go a call deeper.
    expect(seasonPlanFits([], now, 10, 5, 10, pre, c)).to.equal(true);
  });
});

describe("shard-autoscaler seasons: the policy's rules", () => {
  const demand = spiky(7 * 1440, every(300, 480, 7 * 1440 - 60));
  const pre = holdView(demand, 0, c).preScale!;
  const { next } = pre.season;

  it("pre-scales a lead before the next event, when the calls up are left", () => {
    // From 10: one call, 4 + 1 minutes, and the tolerance of 2.
    expect(preScaleDue(pre, 10, 10, next - at(7), c)).to.equal(true);
    expect(preScaleDue(pre, 10, 10, next - at(8), c)).to.equal(false);
    expect(preScaleDue(pre, 10, 0, next - at(7), c)).to.equal(false);
    expect(preScaleDue(pre, 20, 10, next - at(7), c)).to.equal(false);
    // From 5: two calls, 12 minutes.
    expect(preScaleDue(pre, 5, 10, next - at(12), c)).to.equal(true);
  });

  it("an event is over from the minute after its last above the midpoint", () => {
    const current = pre.season.events.at(-1)!;
    expect(eventOverAt(pre)).to.equal(current.end + MINUTE_MS);
    const live = { ...pre, season: { ...pre.season, events: [{ ...current, closed: false }] } };
    expect(eventOverAt(live)).to.equal(-Infinity);
  });

  it("goes below the floor only as far as the plan still fits", () => {
    const now = at(7 * 1440 - 60);
    expect(lowestBetween(pre, [], 10, 10, 5, now, c)).to.equal(5);
    const last = every(300, 480, 7 * 1440 - 60).filter((m) => at(m) > now - DAY_MS);
    const calls = last.flatMap((m) => [at(m - 7), at(m + 43)]);
    expect(lowestBetween(pre, calls, 10, 10, 5, now, c)).to.equal(10);
    // While the next event is due, never below its count: the quiet window cannot see it yet.
    expect(lowestBetween(pre, [], 20, 10, 10, next - at(5), c)).to.equal(20);
    expect(lowestBetween(pre, [], 20, 10, 10, next + at(5), c)).to.equal(20);
  });
});

describe("shard-autoscaler bursts under way: does a call pay before it ends?", () => {
  // Past bursts of 15 minutes; one under way for 6 minutes (published), now 3 minutes later.
  const past = [100, 400, 700, 1000].map((m) => event(m, 20, 15));
  const live = { ...event(1300, 20, 6), closed: false };
  const now = at(1300 + 9);
  const dataEnd = at(1300 + 5);

  it("a call whose shards open near the burst's expected end does not pay for a small excess", () => {
    // Ends ~1315: the shards open at 1313, two minutes of help.
    expect(callPaysInBurst([...past, live], 16, 17, dataEnd, now, c)).to.equal(false);
    // Ten shards short: two minutes of help at 10 shards beat two calls.
    expect(callPaysInBurst([...past, live], 10, 20, dataEnd, now, c)).to.equal(true);
  });

  it("knows nothing without enough past bursts that lasted as long, or after the burst", () => {
    expect(callPaysInBurst([...past.slice(0, 2), live], 16, 17, dataEnd, now, c)).to.equal(true);
    // Under way for longer than any before: no past burst says when it ends.
    const long = { ...event(1300, 20, 30), closed: false };
    expect(callPaysInBurst([...past, long], 16, 17, at(1329), at(1333), c)).to.equal(true);
    expect(callPaysInBurst([...past, event(1300)], 16, 17, dataEnd, now, c)).to.equal(true);
    expect(callPaysInBurst([], 16, 17, dataEnd, now, c)).to.equal(true);
  });
});
