/**
 * The scaling policy: a pure function from (metrics, stream state, config, ledger) to a decision.
 * The Lambda and the simulator (bench/autoscale) run exactly this code. The rules (README, "Shard
 * autoscaler"), each derived from the cost model in history.ts:
 * - demand is accepted + throttled traffic, from 1-minute datapoints (GetMetricData, up to
 *   holdHistoryMinutes back, so a cold start decides as a warm one);
 * - the hold level: the count the history's recurring bursts want in place before the next one
 *   (hold.ts holdView; a one-off is not held for); below it, it scales up without waiting for a
 *   breach when that saves more than a call is worth, and it never scales down below it;
 * - events at a stable period (season.ts) are pre-scaled a lead before they are due and left as
 *   soon as they are over, holding what the budget allows between them (seasonRules.ts);
 * - scale up after K breaching datapoints, straight to the hold level (demand the history reached
 *   before), a known level's band, or the target utilisation of a new high, in as few x2 calls as
 *   allowed; no scale-up at the history's static optimum for demand it already reached, nor for a
 *   recurring level it carries or noise around a steady level (noiseLevel);
 * - every call is legal (half rounded up, 10,000-shard limits, min/max bounds, ACTIVE only) and at
 *   most maxCallsPer24h are made in any rolling 24 h;
 * - scale down only after a quiet window, and only as far as the cost model pays (chooseHold);
 *   a level whose bursts recur faster than the budget can follow is held, and a scale-down leaves
 *   the calls to come back up plus a reserve; short of calls, only halvings are spent.
 */
import { callValue, chooseHold, holdCost, reactionMinutes, summarise } from "./history";
import { holdView } from "./hold";
import { callPaysInBurst, eventOverAt, lowestBetween, preScaleDue } from "./seasonRules";
import { carriesNoise, noiseLevel, relativeNoise, steadyFit } from "./noise";
import { pruneLedger } from "./ledger";
import { MINUTE_MS, callsNeeded, legalTargetRange } from "./rules";
import { Decision, MetricPoint, PolicyInput, demandView, throttledFraction } from "./policyInput";

// A local copy: the compiled module reads imports through getters, slow in per-minute loops.
const MINUTE = MINUTE_MS;

export type {
  Decision,
  MetricPoint,
  PolicyInput,
  StreamMode,
  StreamState,
  StreamStatus,
} from "./policyInput";
export { shardsNeeded } from "./policyInput";
export type { PolicyConfig } from "./config";
export { relativeNoise } from "./noise";
export { DEFAULT_POLICY_CONFIG, policyConfigProblems } from "./config";

/** Minutes after a scale-up call by which the new shards are surely open. */
const SETTLE_MINUTES = 10;
/** Unserved share of demand that justifies a follow-up call before the last one settled. */
const FOLLOW_UP_SHORTFALL = 0.25;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Decides what to do now. Never returns a target that breaks an UpdateShardCount rule. */
export function decide(input: PolicyInput): Decision {
  const { now, stream, config: c } = input;
  const n = stream.openShardCount;
  const ledger = pruneLedger(input.ledger, now);
  const used = ledger.calls.filter((x) => x.at <= now).length;
  const base = { current: n, callsInWindow: used, emergency: false };
  const none = (reason: string, extra: Partial<Decision> = {}): Decision => ({
    ...base,
    ...extra,
    action: "none",
    reason,
  });

  if (stream.mode !== "PROVISIONED")
    return none(`stream is ${stream.mode}: UpdateShardCount applies to provisioned streams only`);
  if (stream.status !== "ACTIVE")
    return none(`stream is ${stream.status}: UpdateShardCount needs ACTIVE (the schedule retries)`);
  const range = legalTargetRange(n);
  if (!range) return none(`no legal UpdateShardCount target from ${n} shards`);
  if (ledger.backoff && now < ledger.backoff.until)
    return none(
      `backing off after a failure until ${new Date(ledger.backoff.until).toISOString()}`,
    );
  if (used >= c.maxCallsPer24h)
    return none(`${used} calls in the last 24 h: the budget of ${c.maxCallsPer24h} is spent`);

  const lo = Math.max(range.min, Math.min(c.minShards, n));
  const hi = Math.min(range.max, Math.max(c.maxShards, n));
  const scale = (
    goal: number,
    direction: "up" | "down",
    emergency: boolean,
    reason: string,
    demandShards?: number,
  ): Decision => {
    const target = clamp(goal, lo, hi);
    if (target === n || (direction === "up" ? target < n : target > n))
      return none(`${reason}, but no legal step towards ${goal}`, { demandShards });
    return {
      ...base,
      action: "scale",
      target,
      goal,
      direction,
      emergency,
      reason,
      demandShards,
    };
  };

  // Bounds first: a stream outside [min, max] (config changed, manual resize) is brought back.
  if (n > c.maxShards) return scale(c.maxShards, "down", false, `above maxShards ${c.maxShards}`);

  // Per-minute series. The last complete minute is the one before now's.
  const lastComplete = Math.floor(now / MINUTE) * MINUTE - MINUTE;
  const span = Math.max(c.historyMinutes, c.holdHistoryMinutes, c.quietMinutes + 1);
  const { points, need, demandAt } = demandView(input.metrics, lastComplete, span);
  const windowFrom = lastComplete - (c.quietMinutes + c.metricDelayMinutes) * MINUTE;
  const byMinute = new Map(points.filter((p) => p.at >= windowFrom).map((p) => [p.at, p]));

  // Demand of every minute of the history; missing minutes are idle.
  const historyStart = lastComplete - (c.historyMinutes - 1) * MINUTE;
  const demand = new Float64Array(c.historyMinutes);
  for (let i = 0; i < c.historyMinutes; i++) demand[i] = demandAt(historyStart + i * MINUTE);

  // Scale up: the newest K datapoints (fresh ones only) all breach.
  const freshFrom = lastComplete - (c.metricDelayMinutes + c.scaleUpDatapoints + 2) * MINUTE;
  const recent = points.filter((p) => p.at >= freshFrom).slice(-c.scaleUpDatapoints);
  const utilisation = (p: MetricPoint) => need(p, 1) / n;
  const throttled = (p: MetricPoint) =>
    p.throttledRecords > 0 && throttledFraction(p) >= c.throttleTrigger;
  // Throttling below the threshold counts only once the last scale-up has settled: before, it
  // was the old, smaller stream that throttled.
  const lastUp = [...ledger.calls].reverse().find((x) => x.to > x.from);
  const settled = (p: MetricPoint) => !lastUp || p.at >= lastUp.at + SETTLE_MINUTES * MINUTE;
  // Demand back at a level the history reached more than once (its second-highest block, in the
  // scale-up zone) that the stream carries without throttling: a recurring burst, no reason to
  // scale up. A trend makes new highs and scales up; a known level scales up to its band (the
  // level plus half the headroom).
  const reaction = reactionMinutes(c);
  const bursts = summarise(demand, historyStart, reaction);
  const peaks = bursts.map((b) => b.peak).sort((x, y) => y - x);
  const recurringPeak = peaks[1] ?? 0;
  // Minute-to-minute noise (twice the median relative change): the headroom a covered
  // level keeps, so that noise does not throttle it.
  const noise = 2 * relativeNoise(demand);
  const band = recurringPeak * (1 + (1 - c.scaleUpThreshold) / 2);
  // Noise headroom matters when the load stays near the level (the last hour never fell below
  // half of it); a burst (from under half) is over before noise could add to its own peaks.
  let hourLow = Infinity;
  const published = c.historyMinutes - 1 - c.metricDelayMinutes;
  for (let i = Math.max(0, published - 60); i < published; i++)
    hourLow = Math.min(hourLow, demand[i]);
  const plateau = hourLow >= recurringPeak / 2;
  // What the published history (holdHistoryMinutes, from its first datapoint: a minute before the
  // stream had data is unknown, not idle) wants held: its static optimum, and the count its bursts
  // want in place before they come (history.ts; below it, reacting costs more than holding).
  const longStart = Math.max(
    lastComplete - (c.holdHistoryMinutes - 1) * MINUTE,
    points.length > 0 ? points[0].at : lastComplete,
  );
  const longEnd = lastComplete - c.metricDelayMinutes * MINUTE;
  const long = new Float64Array(Math.max(0, Math.round((longEnd - longStart) / MINUTE) + 1));
  for (let i = 0; i < long.length; i++) long[i] = demandAt(longStart + i * MINUTE);
  const hold = holdView(long, longStart, c);
  const longBursts = hold.bursts;
  const top = hold.top;
  const held = Math.min(hold.held, c.maxShards);
  const dayMax = hold.max;
  const carried = plateau ? n / (1 + noise) : n;
  // Noise around a level: the history before the newest datapoints gives the count the prices want
  // for it (`noiseLevel`); a count that has it and does not throttle holds, unless every newest
  // datapoint is above the level (a burst or a shift, which scales up as before).
  const newestAt = recent.length > 0 ? recent[0].at : lastComplete + MINUTE;
  const levelEnd = clamp(Math.round((newestAt - historyStart) / MINUTE), 0, c.historyMinutes);
  const fit = steadyFit(
    demand.subarray(0, levelEnd),
    reaction + (lastComplete - newestAt) / MINUTE,
  );
  const withinNoise =
    fit !== undefined &&
    carriesNoise(fit, n, c) &&
    recent.every((p) => !throttled(p)) &&
    recent.some((p) => need(p, 1) <= noiseLevel(fit, c));
  // At the day's static optimum, demand back within what the day reached and not throttling: the
  // count the prices want for that load is there; another shard would not pay.
  const atOptimum =
    // A day of evidence at least: a shorter history says little about the load's tail.
    long.length >= c.historyMinutes &&
    top > 0 &&
    n >= top &&
    recent.every((p) => !throttled(p) && need(p, 1) <= Math.min(dayMax, n));
  const pre = hold.preScale;
  const covered =
    !callPaysInBurst(
      hold.events,
      n,
      Math.max(0, ...recent.map((p) => need(p, 1))),
      recent.at(-1)?.at ?? lastComplete,
      now,
      c,
    ) ||
    withinNoise ||
    atOptimum ||
    (n >= recurringPeak &&
      recurringPeak >= c.scaleUpThreshold * n &&
      recent.every((p) => !throttled(p) && need(p, 1) <= Math.min(recurringPeak, carried)));
  const breaching =
    recent.length === c.scaleUpDatapoints &&
    !covered &&
    recent.every((p) => utilisation(p) >= c.scaleUpThreshold || (throttled(p) && settled(p)));
  const latest = points[points.length - 1];

  let upGoal: number | undefined;
  let emergency = false;
  let upReason = "";
  let demandShards: number | undefined;
  // A pre-scale knows its target: each call follows the last as soon as the stream is ACTIVE.
  let preScaling = false;
  if (breaching) {
    demandShards = Math.max(...recent.map((p) => need(p, 1)));
    emergency = recent.every((p) => throttled(p) || utilisation(p) >= 1);
    // A level the history knows (within its band): cover the band, which stays `covered`; a new
    // high may keep rising: the target utilisation's headroom.
    // Demand the hold level carries (a burst like the history's): that level is what the prices
    // want for it; more would be held until a scale-down pays for its call.
    // (A level the history reached before this episode: the burst under way is no evidence.)
    let priorMax = 0;
    for (let i = 0; i < long.length - reaction; i++) priorMax = Math.max(priorMax, long[i]);
    const heldCarries = held > n && demandShards <= held && demandShards <= priorMax;
    const known = heldCarries || demandShards <= band;
    const atTarget = heldCarries
      ? held
      : known
        ? Math.ceil(band - 1e-9)
        : Math.ceil(demandShards / c.targetUtilisation - 1e-9);
    // Fewest calls: stop at a count reachable with fewer calls if it keeps utilisation between
    // the target and the threshold (it will not trigger again).
    const acceptable = known
      ? atTarget
      : Math.ceil(demandShards / ((c.targetUtilisation + c.scaleUpThreshold) / 2));
    const fewest = callsNeeded(n, Math.max(acceptable, n + 1));
    upGoal = Math.max(
      Math.min(atTarget, n * 2 ** fewest),
      acceptable,
      // Throttled below the threshold: bursts inside the minute or a hot shard; add a quarter.
      recent.some((p) => throttled(p) && settled(p)) ? n + Math.max(1, Math.ceil(n / 4)) : n + 1,
    );
    upReason = `utilisation ${recent.map((p) => utilisation(p).toFixed(2)).join(", ")} of ${n} shards${emergency ? " with throttling" : ""}: demand needs ${demandShards.toFixed(1)} shards at 100%`;
  } else if (
    ledger.goal &&
    ledger.goal.shards > n &&
    now - ledger.goal.at <= c.goalTtlMinutes * MINUTE &&
    latest &&
    utilisation(latest) >= c.targetUtilisation
  ) {
    upGoal = ledger.goal.shards;
    emergency = ledger.goal.emergency;
    demandShards = need(latest, 1);
    upReason = `continuing towards ${upGoal} shards (utilisation ${utilisation(latest).toFixed(2)})`;
  }
  // A season's next event is due: its shards in place before it.
  if (upGoal === undefined && pre && preScaleDue(pre, n, c.maxCallsPer24h - used, now, c)) {
    upGoal = pre.shards;
    preScaling = true;
    upReason = `events recur every ${pre.season.period} min: ${pre.shards} shards before the next, due ${new Date(pre.season.next).toISOString()}`;
  }
  // Below the count the day's bursts want held: go there before the next burst, keeping the
  // reserve (the way back up for a burst beyond it).
  if (
    upGoal === undefined &&
    held > n &&
    holdCost(n, longBursts, c) - holdCost(held, longBursts, c) > callValue(c) &&
    callsNeeded(n, held) + c.reserveCalls <= c.maxCallsPer24h - used
  ) {
    upGoal = held;
    upReason = `the last day's bursts outrun a reaction: holding ${held} shards costs less than throttling them`;
  }
  if (n < c.minShards && (upGoal === undefined || upGoal < c.minShards)) {
    upGoal = c.minShards;
    upReason = upReason || `below minShards ${c.minShards}`;
  }
  if (upGoal !== undefined) {
    upGoal = clamp(upGoal, c.minShards, c.maxShards);
    if (upGoal > n) {
      // A follow-up right after a scale-up, for a small shortfall, waits for the new shards to
      // settle: the call is worth more than a few minutes of marginal throttling.
      const unsettled = lastUp !== undefined && now < lastUp.at + SETTLE_MINUTES * MINUTE;
      const shortfall = demandShards !== undefined ? demandShards / n : 0;
      if (unsettled && !preScaling && shortfall < 1 + FOLLOW_UP_SHORTFALL)
        return none(
          `${upReason}, but the last scale-up is settling and the shortfall is under ${FOLLOW_UP_SHORTFALL * 100}%`,
          { demandShards },
        );
      // Throttling costs far more than shards: a scale-up may spend any call left (scale-downs
      // keep the reserve for it).
      const needed = callsNeeded(n, upGoal);
      const affordable = Math.min(needed, c.maxCallsPer24h - used);
      if (affordable < needed) {
        upGoal = Math.min(upGoal, n * 2 ** affordable);
        upReason += ` (budget allows ${affordable} of ${needed} calls)`;
      }
      return scale(upGoal, "up", emergency, upReason, demandShards);
    }
    if (n >= c.maxShards && breaching)
      return none(`${upReason}, but already at maxShards ${c.maxShards}`, { demandShards });
  }

  // Scale down: a quiet window of Q minutes after the last scale-up, missing minutes (older than
  // the publishing delay) idle; after a season's event that is over, the window starts there.
  const windowEnd = lastComplete - c.metricDelayMinutes * MINUTE;
  const over = pre ? eventOverAt(pre) : -Infinity;
  const windowStart = Math.max(windowEnd - (c.quietMinutes - 1) * MINUTE, over);
  if (lastUp && lastUp.at > windowStart) return none("no change needed (scale-up cooldown)");
  const window: MetricPoint[] = [];
  for (let t = windowStart; t <= lastComplete; t += MINUTE) {
    const p = byMinute.get(t);
    if (p) window.push(p);
    else if (t <= windowEnd) window.push({ at: t, bytes: 0, records: 0, throttledRecords: 0 });
  }
  if (window.length === 0) return none("no metrics");
  const peak = Math.max(...window.map((p) => need(p, 1)));
  const anyThrottled = window.some((p) => p.throttledRecords > 0);
  const lastCall = ledger.calls[ledger.calls.length - 1];
  const continuing =
    lastCall !== undefined &&
    lastCall.to < lastCall.from &&
    ledger.goal !== undefined &&
    ledger.goal.shards < n &&
    now - ledger.goal.at <= c.goalTtlMinutes * MINUTE;
  if (anyThrottled) return none("no change needed (throttled)", { demandShards: peak });
  // The least the quiet window allows: its peak stays below the scale-up threshold, or the
  // count the history's noise level wants (which the scale-up rule then holds) carries it.
  const dayFit = steadyFit(demand.subarray(0, published + 1), reaction + c.metricDelayMinutes);
  const dayLevel = dayFit ? noiseLevel(dayFit, c) : Infinity;
  // Between a season's events: below its floor when the calls the next day needs are there.
  const floor = pre
    ? lowestBetween(
        pre,
        ledger.calls.map((x) => x.at),
        n,
        held,
        range.min,
        now,
        c,
      )
    : held;
  const downGoal = Math.max(
    c.minShards,
    Math.min(
      // With the noise's headroom: a count the window's peak just fits would breach at once.
      Math.ceil((peak * (1 + noise)) / c.scaleUpThreshold - 1e-9),
      Math.max(Math.ceil(peak - 1e-9), Math.ceil(dayLevel - 1e-9)),
    ),
    continuing && ledger.goal ? ledger.goal.shards : 0,
    // Never below what the day's bursts want held (or the season's floor).
    floor,
  );
  if (downGoal >= n)
    return none(
      floor >= n && peak < n * c.scaleDownThreshold
        ? `quiet, but holding ${n} shards: the history's bursts want ${floor} in place before the next`
        : "no change needed",
      { demandShards: peak },
    );
  // Still falling from a burst (the window's last third needs under half its peak): wait until
  // the window has passed it, so that one call goes all the way down.
  const third = window.slice(-Math.ceil(window.length / 3));
  if (!continuing && Math.max(...third.map((p) => need(p, 1))) < peak / 2)
    return none("load still falling from a burst: waiting to go down in one call", {
      demandShards: peak,
    });
  // How far down pays, given the bursts of the history and the calls left.
  const choice = chooseHold(n, clamp(downGoal, lo, n), longBursts, c.maxCallsPer24h - used, c);
  if (choice.shards >= n)
    return none(`quiet, but holding ${n} shards: ${choice.reason}`, { demandShards: peak });
  // Calls short of the way down: only steps that halve (or reach the hold level) spend one; a
  // smaller step waits for the load to fall further (after a decaying burst, small steps would
  // spend the calls the tail needs).
  const eventual = Math.max(c.minShards, floor);
  const free = c.maxCallsPer24h - used - 1;
  if (
    !continuing &&
    choice.shards > range.min &&
    choice.shards > eventual &&
    free < callsNeeded(choice.shards, eventual) + c.reserveCalls
  )
    return none(
      `quiet, but ${free} calls would be left: waiting to halve from ${n} shards instead of going to ${choice.shards}`,
      { demandShards: peak },
    );
  const decision = scale(
    choice.shards,
    "down",
    false,
    `quiet for ${c.quietMinutes} min at peak utilisation ${(peak / n).toFixed(2)} of ${n} shards: ${choice.reason}`,
    peak,
  );
  return choice.shards === clamp(downGoal, lo, n) && downGoal < choice.shards
    ? { ...decision, goal: downGoal }
    : decision;
}
