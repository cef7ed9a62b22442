/**
 * A perfect-foresight lower bound on the score of any provisioned policy the simulator can run:
 * dynamic programming over (minute, shard count, changes made this calendar day).
 *
 * Why it is a true lower bound, i.e. no simulated run scores less:
 * - it sees the whole trace in advance and picks the cheapest legal path;
 * - a change takes effect the minute it is chosen (a real call waits for ACTIVE and writes keep
 *   going to the old shards while UPDATING), and a minute is billed for its open count only
 *   (the simulator bills the larger of parent and child counts while resharding);
 * - each change obeys the per-call rule [ceil(n/2), 2n] and the 10,000 cap, as every call must;
 * - the budget is per calendar day: 10 calls per rolling 24 h allow at most 10 in any calendar
 *   day, and since a change lands one resharding after its call, a day can also see the changes
 *   of the calls made in the last `maxReshard` minutes before it, at most
 *   ceil(maxReshard / minReshard) more (calls are at least one resharding apart). The bound
 *   allows 10 plus that many changes per calendar day;
 * - shard counts above the trace's peak never help (capping a path at the peak keeps every step
 *   legal and costs no more), so the search stops there.
 * Its per-minute cost is the simulator's: shards, PUT units of accepted records, and $1 per GiB
 * throttled.
 */
import {
  PRICES,
  RunDetail,
  SCORE_PER_THROTTLED_GB,
  initialShards,
  timeToAdequate,
} from "./simulate";
import { DEFAULT_MODEL, ModelParams } from "./stream";
import { Trace, demandShards } from "./traces";

const DAY = 1440;
const GIB = 1024 ** 3;

/** Changes per calendar day the bound allows (see the module comment). */
export function boundBudget(maxShards: number, model: ModelParams = DEFAULT_MODEL): number {
  const minReshard = model.reshardBaseMinutes;
  const maxReshard =
    model.reshardBaseMinutes + Math.floor(maxShards / 100) * model.reshardMinutesPer100Shards;
  return 10 + Math.ceil(maxReshard / Math.max(1, minReshard));
}

export function lowerBound(trace: Trace, model: ModelParams = DEFAULT_MODEL): RunDetail {
  const T = trace.bytes.length;
  let peak = 0;
  for (let m = 0; m < T; m++) peak = Math.max(peak, demandShards(trace.bytes[m], trace.records[m]));
  const start = initialShards(trace);
  const N = Math.max(start, Math.ceil(peak - 1e-9), 1);
  const B = boundBudget(N, model);
  const K = B + 1;
  const shardMinute = PRICES.shardHour / 60;
  // Per-minute cost of n shards, and its parts.
  const parts = (m: number, n: number) => {
    const d = demandShards(trace.bytes[m], trace.records[m]);
    const f = d > 0 ? Math.min(1, n / d) : 1;
    const size = trace.records[m] > 0 ? trace.bytes[m] / trace.records[m] : 0;
    const units = Math.max(1, Math.ceil(size / (25 * 1024)));
    const put = ((trace.records[m] * f * units) / 1e6) * PRICES.putUnitsPerMillion;
    const thrBytes = trace.bytes[m] * (1 - f);
    const thrRecords = trace.records[m] * (1 - f);
    return { cost: n * shardMinute + put, thrBytes, thrRecords };
  };
  let cur = new Float64Array(K * (N + 1)).fill(Infinity);
  let next = new Float64Array(K * (N + 1));
  cur[start] = 0; // k = 0, n = start
  // choice[t][k][n]: the count before minute t's change (0: no change).
  const choice = new Int16Array(T * K * (N + 1));
  // dayK[d][n]: the changes made on day d - 1 by the cheapest path ending it at n.
  const dayK = new Int8Array((Math.floor(T / DAY) + 1) * (N + 1));
  const dequeIdx = new Int32Array(N + 2);
  for (let t = 0; t < T; t++) {
    if (t > 0 && t % DAY === 0) {
      // A new calendar day: its budget is fresh.
      for (let n = 1; n <= N; n++) {
        let best = 0;
        for (let k = 1; k < K; k++) if (cur[k * (N + 1) + n] < cur[best * (N + 1) + n]) best = k;
        const value = cur[best * (N + 1) + n];
        dayK[(t / DAY) * (N + 1) + n] = best;
        for (let k = 0; k < K; k++) cur[k * (N + 1) + n] = k === 0 ? value : Infinity;
      }
    }
    const costs = new Float64Array(N + 1);
    for (let n = 1; n <= N; n++) {
      const p = parts(t, n);
      costs[n] = p.cost + (p.thrBytes / GIB) * SCORE_PER_THROTTLED_GB;
    }
    for (let k = 0; k < K; k++) {
      const row = k * (N + 1);
      const prev = (k - 1) * (N + 1);
      // Sliding minimum of cur[k-1][m] over m in [ceil(n/2), min(2n, N)] (both ends grow with n).
      let head = 0;
      let tail = 0;
      let hiM = 0;
      for (let n = 1; n <= N; n++) {
        let best = cur[row + n];
        let from = 0;
        if (k > 0) {
          const loM = Math.ceil(n / 2);
          const upTo = Math.min(2 * n, N);
          while (hiM < upTo) {
            hiM++;
            while (tail > head && cur[prev + dequeIdx[tail - 1]] >= cur[prev + hiM]) tail--;
            dequeIdx[tail++] = hiM;
          }
          while (tail > head && dequeIdx[head] < loM) head++;
          if (tail > head) {
            const m = dequeIdx[head];
            if (m !== n && cur[prev + m] < best) {
              best = cur[prev + m];
              from = m;
            }
          }
        }
        next[row + n] = best + costs[n];
        choice[(t * K + k) * (N + 1) + n] = from;
      }
    }
    [cur, next] = [next, cur];
  }
  // Walk the cheapest path back.
  let bestN = 1;
  let bestK = 0;
  for (let k = 0; k < K; k++)
    for (let n = 1; n <= N; n++)
      if (cur[k * (N + 1) + n] < cur[bestK * (N + 1) + bestN]) [bestN, bestK] = [n, k];
  const path = new Int32Array(T);
  const changes: number[] = [];
  let n = bestN;
  let k = bestK;
  for (let t = T - 1; t >= 0; t--) {
    path[t] = n;
    const from = choice[(t * K + k) * (N + 1) + n];
    if (from > 0) {
      changes.push(t);
      n = from;
      k--;
    }
    // Crossing back over midnight: the day before ended with the changes that were cheapest.
    if (t > 0 && t % DAY === 0) k = dayK[(t / DAY) * (N + 1) + n];
  }
  return summarisePath(trace, path, changes.reverse(), parts);
}

/** The bound's path measured like a simulated run. */
function summarisePath(
  trace: Trace,
  path: Int32Array,
  changes: number[],
  parts: (m: number, n: number) => { cost: number; thrBytes: number; thrRecords: number },
): RunDetail {
  let cost = 0;
  let thrBytes = 0;
  let thrRecords = 0;
  let shardMinutes = 0;
  let totalBytes = 0;
  let totalRecords = 0;
  for (let m = 0; m < path.length; m++) {
    const p = parts(m, path[m]);
    cost += p.cost;
    thrBytes += p.thrBytes;
    thrRecords += p.thrRecords;
    shardMinutes += path[m];
    totalBytes += trace.bytes[m];
    totalRecords += trace.records[m];
  }
  let maxCalls24h = 0;
  for (let i = 0; i < changes.length; i++) {
    let j = i;
    while (j < changes.length && changes[j] < changes[i] + DAY) j++;
    maxCalls24h = Math.max(maxCalls24h, j - i);
  }
  return {
    policy: "bound",
    throttledRecordsPct: totalRecords > 0 ? (100 * thrRecords) / totalRecords : 0,
    throttledBytesPct: totalBytes > 0 ? (100 * thrBytes) / totalBytes : 0,
    throttledGb: thrBytes / GIB,
    shardHours: shardMinutes / 60,
    costUsd: cost,
    calls: changes.length,
    maxCalls24h,
    minutesToAdequate: timeToAdequate(
      trace,
      (m) => path[m] >= demandShards(trace.bytes[m], trace.records[m]),
    ),
    violations: [],
    finalShards: path[path.length - 1],
  };
}
