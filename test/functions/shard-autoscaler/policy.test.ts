import { expect } from "chai";
import fc from "fast-check";
import { EMPTY_LEDGER, Ledger, LedgerCall } from "../../../functions/shard-autoscaler/ledger";
import {
  DEFAULT_POLICY_CONFIG,
  MetricPoint,
  PolicyConfig,
  PolicyInput,
  decide,
  policyConfigProblems,
  shardsNeeded,
} from "../../../functions/shard-autoscaler/policy";
import {
  DAY_MS,
  MINUTE_MS,
  SHARD_BYTES_PER_MINUTE,
  SHARD_RECORDS_PER_MINUTE,
  STREAM_SHARD_LIMIT,
  callsNeeded,
  isLegalTarget,
  legalTargetRange,
} from "../../../functions/shard-autoscaler/rules";

/** 30 s into a minute: the previous minute is the last complete one. */
const NOW = Date.UTC(2026, 0, 10, 12, 0, 30);
const MINUTE0 = Math.floor(NOW / MINUTE_MS) * MINUTE_MS;
/** 2 KiB records: the byte limit binds before the record limit. */
const RECORD = 2048;
const config: PolicyConfig = { ...DEFAULT_POLICY_CONFIG, maxShards: 10000 };

/**
 * Per-minute datapoints for the last `minutes` minutes, newest `delay` minutes missing (not yet
 * published). `load(ago)` gives the demand in shard-equivalents (1 MiB/s) `ago` minutes back;
 * whatever exceeds `capacity` shards is throttled.
 */
function series(
  minutes: number,
  load: (ago: number) => number,
  capacity = Infinity,
  delay = 2,
): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (let ago = minutes; ago >= 1 + delay; ago--) {
    const demand = load(ago) * SHARD_BYTES_PER_MINUTE;
    const accepted = Math.min(demand, capacity * SHARD_BYTES_PER_MINUTE);
    points.push({
      at: MINUTE0 - ago * MINUTE_MS,
      bytes: accepted,
      records: accepted / RECORD,
      throttledRecords: (demand - accepted) / RECORD,
    });
  }
  return points;
}

function input(partial: Partial<PolicyInput> & { shards?: number }): PolicyInput {
  return {
    now: NOW,
    stream: { status: "ACTIVE", openShardCount: partial.shards ?? 4, mode: "PROVISIONED" },
    metrics: [],
    ledger: EMPTY_LEDGER,
    config,
    ...partial,
  };
}

const call = (minutesAgo: number, from: number, to: number, emergency = false): LedgerCall => ({
  at: NOW - minutesAgo * MINUTE_MS,
  from,
  to,
  emergency,
});

describe("shard-autoscaler rules", () => {
  it("allows at most double and at least half, rounding half up for odd counts", () => {
    expect(legalTargetRange(4)).to.deep.equal({ min: 2, max: 8 });
    expect(legalTargetRange(3)).to.deep.equal({ min: 2, max: 6 });
    expect(isLegalTarget(3, 1)).to.equal(false); // floor(3/2) = 1 is below half
    expect(isLegalTarget(3, 2)).to.equal(true);
    expect(isLegalTarget(1, 1)).to.equal(false); // no change is not a call
    expect(isLegalTarget(1, 2)).to.equal(true);
  });

  it("caps scale-up at 10,000 shards and only lets a larger stream go below 10,000", () => {
    expect(legalTargetRange(6000)).to.deep.equal({ min: 3000, max: 10000 });
    expect(isLegalTarget(10000, 10001)).to.equal(false);
    expect(legalTargetRange(15000)).to.deep.equal({ min: 7500, max: 9999 });
    expect(isLegalTarget(15000, 10000)).to.equal(false);
    expect(legalTargetRange(20001)).to.equal(null);
  });

  it("counts the fewest calls between two counts", () => {
    expect(callsNeeded(3, 24)).to.equal(3);
    expect(callsNeeded(3, 25)).to.equal(4);
    expect(callsNeeded(24, 6)).to.equal(2);
    expect(callsNeeded(5, 5)).to.equal(0);
  });
});

describe("shard-autoscaler policy: preconditions", () => {
  const hot = series(10, () => 8, 4);

  it("does nothing while the stream is UPDATING", () => {
    const d = decide(
      input({
        metrics: hot,
        stream: { status: "UPDATING", openShardCount: 4, mode: "PROVISIONED" },
      }),
    );
    expect(d.action).to.equal("none");
    expect(d.reason).to.match(/UPDATING/);
  });

  it("leaves on-demand streams alone", () => {
    const d = decide(
      input({ metrics: hot, stream: { status: "ACTIVE", openShardCount: 4, mode: "ON_DEMAND" } }),
    );
    expect(d.action).to.equal("none");
    expect(d.reason).to.match(/ON_DEMAND/);
  });

  it("honours a backoff recorded in the ledger", () => {
    const ledger: Ledger = { calls: [], backoff: { until: NOW + MINUTE_MS, attempts: 1 } };
    expect(decide(input({ metrics: hot, ledger })).action).to.equal("none");
    const expired: Ledger = { calls: [], backoff: { until: NOW - 1, attempts: 3 } };
    expect(decide(input({ metrics: hot, ledger: expired })).action).to.equal("scale");
  });

  it("never makes an 11th call in a rolling 24 hours, whatever the load", () => {
    const calls = Array.from({ length: 10 }, (_, i) => call(60 * 24 - 1 - i * 60, 4, 4));
    const d = decide(input({ metrics: hot, ledger: { calls } }));
    expect(d.action).to.equal("none");
    expect(d.callsInWindow).to.equal(10);
    // Calls older than 24 h no longer count.
    const old = calls.map((c) => ({ ...c, at: c.at - DAY_MS }));
    expect(decide(input({ metrics: hot, ledger: { calls: old } })).action).to.equal("scale");
  });
});

describe("shard-autoscaler policy: scaling up", () => {
  it("scales up after two breaching 1-minute datapoints, sized for the target utilisation", () => {
    // 3.4 shard-equivalents on 4 shards: 0.85 >= 0.8, no throttling.
    const d = decide(input({ metrics: series(40, () => 3.4) }));
    expect(d).to.include({ action: "scale", direction: "up", emergency: false });
    // ceil(3.4 / 0.6) = 6 shards.
    expect(d.target).to.equal(6);
  });

  it("does not act on a single breaching datapoint", () => {
    const d = decide(input({ metrics: series(40, (ago) => (ago === 3 ? 3.6 : 2)) }));
    expect(d.action).to.equal("none");
  });

  it("estimates true demand from accepted plus throttled traffic", () => {
    // Demand 10 on 4 shards: IncomingBytes only shows 4, the throttled records show the rest.
    const metrics = series(40, (ago) => (ago <= 6 ? 10 : 2), 4);
    expect(metrics[metrics.length - 1].bytes).to.equal(4 * SHARD_BYTES_PER_MINUTE);
    const d = decide(input({ metrics }));
    expect(d).to.include({ action: "scale", direction: "up", emergency: true, target: 8 });
    expect(d.demandShards).to.be.closeTo(10, 1e-6);
    // Multi-step: the target utilisation needs 17 (three calls: 8, 16, 17); 16 is reachable in
    // two and keeps utilisation at 0.63, below the 0.7 midpoint: the goal is 16.
    expect(d.goal).to.equal(16);
  });

  it("uses fewer calls when a count one doubling short keeps utilisation below the threshold", () => {
    // 4.1 on 3 shards: target 0.6 needs 7 (2 calls: 6, 7); 6 shards is 0.68, comfortably below
    // the 0.8 threshold (under the 0.7 midpoint): 1 call.
    const d = decide(input({ shards: 3, metrics: series(40, (ago) => (ago <= 6 ? 4.1 : 1.5), 3) }));
    expect(d.target).to.equal(6);
    expect(d.goal).to.equal(6);
  });

  it("never exceeds maxShards or 10,000 shards", () => {
    const capped = decide(
      input({ shards: 4, config: { ...config, maxShards: 6 }, metrics: series(40, () => 20, 4) }),
    );
    expect(capped.target).to.equal(6);
    const huge = decide(input({ shards: 8000, metrics: series(40, () => 20000, 8000) }));
    expect(huge.target).to.equal(10000);
    const atLimit = decide(input({ shards: 10000, metrics: series(40, () => 20000, 10000) }));
    expect(atLimit.action).to.equal("none");
  });

  it("a scale-up may spend the last calls: throttling costs more than shards", () => {
    const calls = Array.from({ length: 9 }, (_, i) => call(600 + i * 60, 4, 4));
    const d = decide(input({ metrics: series(40, () => 12, 4), ledger: { calls } }));
    expect(d).to.include({ action: "scale", direction: "up", target: 8 });
    expect(d.reason).to.match(/budget allows 1 of 3 calls/);
  });

  it("limits a multi-step scale-up to the calls left, heading for the goal", () => {
    // 8 used: 2 of the 3 calls needed (4 -> 8 -> 16 -> 20).
    const calls = Array.from({ length: 8 }, (_, i) => call(600 + i * 60, 4, 4));
    const d = decide(input({ metrics: series(40, () => 12, 4), ledger: { calls } }));
    expect(d.target).to.equal(8);
    expect(d.goal).to.equal(16);
  });

  it("does not scale up for demand back at a recurring burst level it carries", () => {
    // Bursts to 9 shard-equivalents every 3 hours; 10 shards carry them.
    const burst = (ago: number) => (ago % 180 < 12 ? 9 : 1);
    const d = decide(input({ shards: 10, metrics: series(1440, burst) }));
    expect(d.action).to.equal("none");
    // The same level without that history scales up at the threshold.
    const fresh = decide(input({ shards: 10, metrics: series(40, (ago) => (ago < 12 ? 9 : 1)) }));
    expect(fresh).to.include({ action: "scale", direction: "up" });
  });

  it("still scales up when a recurring level throttles, while the burst has long to go", () => {
    // 40-minute bursts to 12 every 3 hours; this one began 9 minutes ago, on 10 shards.
    const burst = (ago: number) => ((ago + 30) % 180 < 40 ? 12 : 1);
    const d = decide(input({ shards: 10, metrics: series(1440, burst, 10) }));
    expect(d).to.include({ action: "scale", direction: "up", emergency: true });
    // 12-minute bursts, this one 11 minutes in: a call's shards would open after it, as the
    // history's bursts say; no emergency, only the hold level's move before the next burst.
    const short = (ago: number) => (ago % 180 < 12 ? 12 : 1);
    const late = decide(input({ shards: 10, metrics: series(1440, short, 10) }));
    expect(late).to.include({ emergency: false, target: 12 });
    expect(late.reason).to.match(/outrun a reaction/);
  });

  it("waits for a small shortfall right after a scale-up, not for a large one", () => {
    const ledger: Ledger = { calls: [call(5, 4, 8, true)] };
    // 9 on 8 shards: 12% short, the new shards are still settling.
    const small = decide(input({ shards: 8, metrics: series(40, () => 9, 4), ledger }));
    expect(small.action).to.equal("none");
    expect(small.reason).to.match(/settling/);
    const large = decide(input({ shards: 8, metrics: series(40, () => 14, 4), ledger }));
    expect(large).to.include({ action: "scale", target: 16 });
  });

  it("scales up to minShards when below it", () => {
    const d = decide(input({ shards: 1, config: { ...config, minShards: 3 } }));
    expect(d).to.include({ action: "scale", direction: "up", target: 2 });
  });
});

describe("shard-autoscaler policy: scaling down", () => {
  it("scales down after a quiet window, as far as its peak stays under the scale-up threshold", () => {
    // 1.0 to 1.5 shard-equivalents (a sawtooth) on 16 shards for a day: ceil(1.5 / 0.8) = 2 is
    // below the noise level's ceil(mean + 2.63 sd) = 3; one call only halves: 8.
    const d = decide(input({ shards: 16, metrics: series(1440, (ago) => 1 + (ago % 6) / 10) }));
    expect(d).to.include({ action: "scale", direction: "down", emergency: false });
    expect(d.target).to.equal(8);
    expect(d.goal).to.equal(2);
  });

  it("scales a steady noisy load down to the count the prices want, above the threshold", () => {
    // 6 +- 0.3 (a deterministic zigzag): the newsvendor count is 7 (utilisation 0.86), where
    // ceil(peak / 0.8) would keep 9.
    const noisy = (ago: number) => 6 + 0.3 * Math.sin(ago * 1.7);
    const d = decide(input({ shards: 12, metrics: series(1440, noisy) }));
    expect(d).to.include({ action: "scale", direction: "down", target: 7 });
    // At 7 it holds: utilisation 0.8-0.9 is noise the count carries.
    const held = decide(input({ shards: 7, metrics: series(1440, noisy) }));
    expect(held.action).to.equal("none");
  });

  it("scales up from the noise level when every newest datapoint is above it (a shift)", () => {
    const shifted = (ago: number) => (ago <= 4 ? 6.9 : 6 + 0.3 * Math.sin(ago * 1.7));
    const d = decide(input({ shards: 7, metrics: series(1440, shifted) }));
    expect(d).to.include({ action: "scale", direction: "up" });
  });

  it("holds capacity for bursts that recur: a missed burst costs more than the shards", () => {
    // 20-minute bursts to 9 every 3 hours, quiet for the last 40 minutes.
    const burst = (ago: number) => (ago > 40 && ago % 180 < 20 ? 9 : 1);
    // From 12 the quiet load alone would allow 6: it goes to the 9 the bursts need.
    const d = decide(input({ shards: 12, metrics: series(1440, burst) }));
    expect(d).to.include({ action: "scale", direction: "down", target: 9 });
    const held = decide(input({ shards: 9, metrics: series(1440, burst) }));
    expect(held.action).to.equal("none");
    expect(held.reason).to.match(/holding 9 shards/);
  });

  it("goes up before the next burst when the history's bursts outrun a reaction", () => {
    // 12 minutes at 16 every hour on a base of 2; the last 40 minutes are quiet, on 4 shards.
    const batch = (ago: number) => (ago > 40 && ago % 60 < 12 ? 16 : 2);
    const d = decide(input({ shards: 4, metrics: series(1440, batch, 4) }));
    expect(d).to.include({ action: "scale", direction: "up", target: 8, goal: 16 });
    expect(d.reason).to.match(/outrun a reaction/);
    // Caught by a batch on 4 shards: it goes to the hold level, not to 16 / 0.6 = 27.
    const caught = decide(
      input({ shards: 4, metrics: series(1440, (ago) => (ago <= 6 ? 16 : batch(ago)), 4) }),
    );
    expect(caught).to.include({ action: "scale", direction: "up", target: 8, goal: 16 });
    // Already there: nothing to do, and the quiet does not take it down.
    const there = decide(input({ shards: 16, metrics: series(1440, batch) }));
    expect(there.action).to.equal("none");
    expect(there.reason).to.match(/holding 16 shards/);
  });

  it("a daily cycle that a reaction follows holds nothing: it scales down when quiet", () => {
    const cycle = (ago: number) => 4 + 3 * Math.cos((2 * Math.PI * ago) / 1440);
    // Night (ago 720 = 12 hours after the peak, load ~1) on 12 shards.
    const night = (ago: number) => cycle(ago + 720);
    const d = decide(input({ shards: 12, metrics: series(1440, night) }));
    expect(d).to.include({ action: "scale", direction: "down" });
  });

  it("at the day's static optimum, demand the day already reached does not scale up", () => {
    // Noise around 6 with one earlier minute at 6.8; the newest two at 6.6 on 7 shards (0.94).
    const level = (ago: number) => (ago <= 4 ? 6.6 : ago === 500 ? 6.8 : 6 + 0.3 * Math.sin(ago));
    const d = decide(input({ shards: 7, metrics: series(1440, level) }));
    expect(d.action).to.equal("none");
    // A new high above the day's scales up as before.
    const higher = (ago: number) => (ago <= 4 ? 7.2 : level(ago));
    expect(decide(input({ shards: 7, metrics: series(1440, higher, 7) }))).to.include({
      action: "scale",
      direction: "up",
    });
  });

  it("scales down past a burst when the saving outweighs the rare miss", () => {
    // One 20-minute burst to 3 a day ago, on 8 shards: holding 8 for it does not pay.
    const once = (ago: number) => (ago > 1380 && ago < 1400 ? 3 : 1);
    const d = decide(input({ shards: 8, metrics: series(1440, once) }));
    expect(d).to.include({ action: "scale", direction: "down" });
  });

  it("rounds half up for odd counts (5 -> 3, never 5 -> 2)", () => {
    const d = decide(input({ shards: 5, metrics: series(60, () => 0) }));
    expect(d.target).to.equal(3);
  });

  it("does not spend a call to save less than the call is worth (one shard-reaction)", () => {
    // 3 -> 2 saves one shard: $0.36/day against $0.53 of throttling a call may prevent.
    const d = decide(input({ shards: 3, metrics: series(60, () => 0) }));
    expect(d.action).to.equal("none");
    expect(d.reason).to.match(/holding 3 shards/);
  });

  it("treats missing minutes older than the publishing delay as idle", () => {
    const d = decide(input({ shards: 6, metrics: [] }));
    expect(d).to.include({ action: "scale", direction: "down", target: 3 });
  });

  it("waits while the load is still falling from a burst, to go down in one call", () => {
    // 6 until 25 minutes ago, 1 since: the window still holds the burst's tail.
    const d = decide(input({ shards: 12, metrics: series(60, (ago) => (ago > 25 ? 6 : 1)) }));
    expect(d.action).to.equal("none");
    expect(d.reason).to.match(/still falling/);
  });

  it("does not scale down within the quiet window after a scale-up", () => {
    const ledger: Ledger = { calls: [call(20, 4, 8)] };
    const d = decide(input({ shards: 8, metrics: series(60, () => 1), ledger }));
    expect(d.action).to.equal("none");
  });

  it("does not scale down while any minute of the window throttled", () => {
    const metrics = series(60, () => 1);
    const i = metrics.length - 5;
    metrics[i] = { ...metrics[i], throttledRecords: 5 };
    expect(decide(input({ shards: 8, metrics })).action).to.equal("none");
  });

  it("has hysteresis: the window's peak lands below the scale-up threshold", () => {
    // Mean 1.2, peak 2.2 on 8 shards.
    const d = decide(input({ shards: 8, metrics: series(60, (ago) => (ago === 20 ? 2.2 : 1.2)) }));
    expect(d.action).to.equal("scale");
    const peakUtilisation = 2.2 / d.target!;
    expect(peakUtilisation).to.be.below(config.scaleUpThreshold);
  });

  it("does not scale down when fewer shards would breach the scale-up threshold", () => {
    // 2.5 on 4 shards: ceil(2.5 / 0.8) = 4.
    expect(decide(input({ shards: 4, metrics: series(60, () => 2.5) })).action).to.equal("none");
  });

  it("keeps calls for scale-ups: no scale-down that would leave fewer than the reserve", () => {
    const calls = Array.from({ length: 8 }, (_, i) => call(600 + i * 60, 4, 4));
    const d = decide(input({ shards: 8, metrics: series(60, () => 1), ledger: { calls } }));
    expect(d.action).to.equal("none");
    expect(d.reason).to.match(/kept for scale-ups/);
  });

  it("brings a stream above maxShards back down", () => {
    const d = decide(
      input({ shards: 20, config: { ...config, maxShards: 8 }, metrics: series(60, () => 10) }),
    );
    expect(d).to.include({ action: "scale", direction: "down", target: 10 });
  });
});

describe("shard-autoscaler policy: seasons and the budget", () => {
  /** 20 for 10 minutes every 8 hours on a base of 1; the next onset `dueIn` minutes from now. */
  const spikes = (dueIn: number) => (ago: number) =>
    (((-ago - dueIn) % 480) + 480) % 480 < 10 ? 20 : 1;
  const week = 7 * 1440;
  /** The calls of the last day's events: up 7 minutes before each, down 24 after it ended. */
  const habit = (dueIn: number): LedgerCall[] =>
    [3, 2, 1]
      .map((k) => k * 480 - dueIn)
      .filter((ago) => ago + 7 < 1440)
      .flatMap((ago) => [call(ago + 7, 10, 20), call(ago - 34, 20, 10)])
      .filter((x) => x.at <= NOW);

  it("pre-scales to the events' count a lead before the next is due, not earlier", () => {
    // From the floor of 10 one call (4 min resharding + 1) and the tolerance of 2: 7 minutes.
    const ledger = { calls: habit(6) };
    const due = decide(input({ shards: 10, metrics: series(week, spikes(6)), ledger }));
    expect(due).to.include({ action: "scale", direction: "up", target: 20 });
    expect(due.reason).to.match(/events recur every 480 min/);
    const early = decide(
      input({ shards: 10, metrics: series(week, spikes(30)), ledger: { calls: habit(30) } }),
    );
    expect(early.action).to.equal("none");
    expect(early.reason).to.match(/holding 10 shards/);
    // From 5, two calls: the first goes 12 minutes before.
    const far = decide(input({ shards: 5, metrics: series(week, spikes(11)) }));
    expect(far).to.include({ action: "scale", direction: "up", target: 10, goal: 20 });
  });

  it("goes a call below the floor only when the next day's events still get their calls", () => {
    // No calls in the last day: the gap may go to 5 (two calls up before the next event).
    const free = decide(input({ shards: 10, metrics: series(week, spikes(200)) }));
    expect(free).to.include({ action: "scale", direction: "down", target: 5 });
    const used = decide(
      input({ shards: 10, metrics: series(week, spikes(200)), ledger: { calls: habit(200) } }),
    );
    expect(used.action).to.equal("none");
  });

  it("makes no scale-up call inside a pre-scaled event whose shards would open after it", () => {
    // The event began 8 minutes ago at 22 on 20 shards: a call's shards open after its 10th.
    const hot = (ago: number) => (ago <= 8 ? 22 : spikes(-8)(ago));
    const calls = [...habit(-8), call(15, 10, 20)];
    const d = decide(input({ shards: 20, metrics: series(week, hot, 20), ledger: { calls } }));
    expect(d.action).to.equal("none");
  });

  it("scales down as soon as the event is over, without waiting for the quiet window", () => {
    // The event ended 14 minutes ago; the pre-scale was 31 minutes ago.
    const calls = [...habit(-24), call(31, 10, 20)];
    const d = decide(input({ shards: 20, metrics: series(week, spikes(-24)), ledger: { calls } }));
    expect(d).to.include({ action: "scale", direction: "down", target: 10 });
  });

  it("short of calls, a scale-down only halves: small steps would spend what the tail needs", () => {
    // A one-off crowd from 35 minutes ago, decaying on 29 shards: about 16 would do for now.
    const crowd = (ago: number) => (ago > 35 ? 1.5 : 1.5 + 11 * 0.5 ** ((35 - ago) / 90));
    const plenty = decide(input({ shards: 29, metrics: series(1440, crowd) }));
    expect(plenty).to.include({ action: "scale", direction: "down" });
    expect(plenty.target).to.be.above(15);
    // Four calls made today: going to 16 would leave 5, and 16 -> 1 takes 4 plus the reserve.
    const calls = [call(300, 2, 4), call(297, 4, 8), call(294, 8, 16), call(290, 16, 29)];
    const short = decide(input({ shards: 29, metrics: series(1440, crowd), ledger: { calls } }));
    expect(short.action).to.equal("none");
    expect(short.reason).to.match(/waiting to halve/);
  });
});

describe("shard-autoscaler policy: config validation", () => {
  it("accepts the defaults", () => {
    expect(policyConfigProblems(DEFAULT_POLICY_CONFIG)).to.deep.equal([]);
  });

  it("names each bad field", () => {
    const problems = policyConfigProblems({
      ...DEFAULT_POLICY_CONFIG,
      minShards: 5,
      maxShards: 4,
      scaleDownThreshold: 0.7,
      reserveCalls: 10,
      quietMinutes: 2000,
    });
    expect(problems.join("\n"))
      .to.match(/minShards/)
      .and.match(/scaleDownThreshold/);
    expect(problems.join("\n"))
      .to.match(/reserveCalls/)
      .and.match(/quietMinutes/);
  });
});

// ---- Properties: for any state and metrics, the decision obeys every rule and bound. ----

const arbConfig: fc.Arbitrary<PolicyConfig> = fc
  .record({
    minShards: fc.integer({ min: 1, max: 50 }),
    span: fc.integer({ min: 0, max: 12000 }),
    targetUtilisation: fc.double({ min: 0.3, max: 0.8, noNaN: true }),
    up: fc.double({ min: 0.05, max: 0.2, noNaN: true }),
    down: fc.double({ min: 0.05, max: 0.25, noNaN: true }),
    scaleUpDatapoints: fc.integer({ min: 1, max: 5 }),
    quietMinutes: fc.integer({ min: 5, max: 90 }),
    maxCallsPer24h: fc.integer({ min: 1, max: 10 }),
    reserve: fc.integer({ min: 0, max: 9 }),
  })
  .map((r) => ({
    ...DEFAULT_POLICY_CONFIG,
    minShards: r.minShards,
    maxShards: Math.min(10000, r.minShards + r.span),
    targetUtilisation: r.targetUtilisation,
    scaleUpThreshold: Math.min(1, r.targetUtilisation + r.up),
    scaleDownThreshold: Math.max(0.01, r.targetUtilisation - r.down),
    scaleUpDatapoints: r.scaleUpDatapoints,
    quietMinutes: r.quietMinutes,
    maxCallsPer24h: r.maxCallsPer24h,
    reserveCalls: Math.min(r.reserve, r.maxCallsPer24h - 1),
  }));

const arbPoint = (n: number): fc.Arbitrary<MetricPoint> =>
  fc
    .record({
      ago: fc.integer({ min: 0, max: 120 }),
      load: fc.double({ min: 0, max: 4, noNaN: true }),
      size: fc.integer({ min: 1, max: 1024 * 1024 }),
      throttled: fc.double({ min: 0, max: 3, noNaN: true }),
    })
    .map((r) => {
      const bytes = r.load * n * SHARD_BYTES_PER_MINUTE;
      const records = Math.min(bytes / r.size, r.load * n * SHARD_RECORDS_PER_MINUTE);
      return {
        at: MINUTE0 - r.ago * MINUTE_MS,
        bytes,
        records,
        throttledRecords: records * r.throttled,
      };
    });

const arbCase: fc.Arbitrary<PolicyInput> = fc
  .record({
    n: fc.oneof(
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 20000 }),
      fc.constantFrom(1, 2, 3, 5, 9999, 10000, 10001, 15000),
    ),
    status: fc.constantFrom("ACTIVE", "ACTIVE", "ACTIVE", "UPDATING", "CREATING"),
    mode: fc.constantFrom("PROVISIONED", "PROVISIONED", "ON_DEMAND"),
    config: arbConfig,
    calls: fc.array(
      fc.record({
        ago: fc.integer({ min: 0, max: 2 * 24 * 60 }),
        from: fc.integer({ min: 1, max: 20000 }),
        to: fc.integer({ min: 1, max: 20000 }),
        emergency: fc.boolean(),
      }),
      { maxLength: 14 },
    ),
    goal: fc.option(
      fc.record({
        shards: fc.integer({ min: 1, max: 20000 }),
        ago: fc.integer({ min: 0, max: 60 }),
        emergency: fc.boolean(),
      }),
    ),
    backoff: fc.option(fc.integer({ min: -30, max: 30 })),
    seed: fc.integer(),
  })
  .chain((r) =>
    fc.array(arbPoint(r.n), { maxLength: 80 }).map((metrics): PolicyInput => ({
      now: NOW,
      stream: { status: r.status, openShardCount: r.n, mode: r.mode },
      metrics,
      config: r.config,
      ledger: {
        calls: r.calls
          .map((c) => ({
            at: NOW - c.ago * MINUTE_MS,
            from: c.from,
            to: c.to,
            emergency: c.emergency,
          }))
          .sort((a, b) => a.at - b.at),
        ...(r.goal
          ? {
              goal: {
                shards: r.goal.shards,
                at: NOW - r.goal.ago * MINUTE_MS,
                emergency: r.goal.emergency,
              },
            }
          : {}),
        ...(r.backoff !== null
          ? { backoff: { until: NOW + r.backoff * MINUTE_MS, attempts: 1 } }
          : {}),
      },
    })),
  );

describe("shard-autoscaler policy: properties", () => {
  const params = { seed: 20260110, numRuns: 3000 };

  it("only ever requests a target UpdateShardCount accepts", () => {
    fc.assert(
      fc.property(arbCase, (inp) => {
        const d = decide(inp);
        if (d.action !== "scale") return true;
        const n = inp.stream.openShardCount;
        expect(isLegalTarget(n, d.target!), `${n} -> ${d.target}`).to.equal(true);
        expect(inp.stream.status).to.equal("ACTIVE");
        expect(inp.stream.mode).to.equal("PROVISIONED");
        expect(d.direction).to.equal(d.target! > n ? "up" : "down");
        return true;
      }),
      params,
    );
  });

  it("stays within the 24-hour budget; scale-downs leave the reserve for scale-ups", () => {
    fc.assert(
      fc.property(arbCase, (inp) => {
        const d = decide(inp);
        if (d.action !== "scale") return true;
        const used = inp.ledger.calls.filter((c) => c.at > NOW - DAY_MS && c.at <= NOW).length;
        expect(used).to.be.below(inp.config.maxCallsPer24h);
        if (d.direction === "down" && inp.stream.openShardCount <= inp.config.maxShards)
          expect(used).to.be.below(inp.config.maxCallsPer24h - 1 - inp.config.reserveCalls + 1);
        expect(inp.ledger.backoff === undefined || NOW >= inp.ledger.backoff.until).to.equal(true);
        return true;
      }),
      params,
    );
  });

  it("respects minShards and maxShards (or moves towards them)", () => {
    fc.assert(
      fc.property(arbCase, (inp) => {
        const d = decide(inp);
        if (d.action !== "scale") return true;
        const n = inp.stream.openShardCount;
        const { minShards, maxShards } = inp.config;
        if (n <= maxShards) expect(d.target).to.be.at.most(maxShards);
        // Above 10,000 shards a call must land below 10,000, even if maxShards is 10,000.
        else expect(d.target).to.be.within(Math.min(maxShards, STREAM_SHARD_LIMIT - 1), n - 1);
        if (n >= minShards) expect(d.target).to.be.at.least(minShards);
        else expect(d.target).to.be.above(n);
        return true;
      }),
      params,
    );
  });

  it("is a pure function: same input, same decision, input untouched", () => {
    fc.assert(
      fc.property(arbCase, (inp) => {
        const copy = structuredClone(inp);
        const a = decide(inp);
        expect(inp).to.deep.equal(copy);
        expect(decide(copy)).to.deep.equal(a);
        return true;
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("sizes demand as accepted plus throttled traffic", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (bytes, records, throttled) => {
          const p = { at: 0, bytes, records, throttledRecords: throttled };
          const size = bytes / records;
          const expected = Math.max(
            (bytes + throttled * size) / SHARD_BYTES_PER_MINUTE,
            (records + throttled) / SHARD_RECORDS_PER_MINUTE,
          );
          expect(shardsNeeded(p, 1)).to.be.closeTo(expected, 1e-9 * Math.max(1, expected));
          expect(shardsNeeded(p, 0.5)).to.be.closeTo(2 * expected, 1e-9 * Math.max(1, expected));
        },
      ),
      { seed: 11, numRuns: 500 },
    );
  });
});
