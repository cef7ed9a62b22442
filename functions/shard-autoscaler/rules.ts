/**
 * Kinesis Data Streams facts the scaler must respect (UpdateShardCount API reference, provisioned
 * mode). Pure: shared by the policy, the handler and the simulator's policy adapter.
 */

/** Write capacity of one shard: 1 MiB/s and 1,000 records/s. */
export const SHARD_BYTES_PER_SECOND = 1024 * 1024;
export const SHARD_RECORDS_PER_SECOND = 1000;
/** The same per one-minute metric period (the alarms and the policy work on 1-minute sums). */
export const SHARD_BYTES_PER_MINUTE = SHARD_BYTES_PER_SECOND * 60;
export const SHARD_RECORDS_PER_MINUTE = SHARD_RECORDS_PER_SECOND * 60;

/** UpdateShardCount: at most ten calls per rolling 24 hours per stream. */
export const MAX_CALLS_PER_24H = 10;
/** UpdateShardCount cannot scale a stream above 10,000 shards... */
export const STREAM_SHARD_LIMIT = 10000;

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * The targets one UpdateShardCount call may request from `current` open shards:
 * at least half (rounded up: 3 -> 2 is legal, 3 -> 1 is not), at most double, never above 10,000;
 * a stream above 10,000 shards may only go below 10,000. Returns null when no call is possible.
 */
export function legalTargetRange(current: number): { min: number; max: number } | null {
  if (!Number.isInteger(current) || current < 1) return null;
  const min = Math.ceil(current / 2);
  if (current > STREAM_SHARD_LIMIT) {
    const max = STREAM_SHARD_LIMIT - 1;
    return min <= max ? { min, max } : null;
  }
  return { min, max: Math.min(current * 2, STREAM_SHARD_LIMIT) };
}

/** True when UpdateShardCount(current -> target) obeys every per-call rule (and changes something). */
export function isLegalTarget(current: number, target: number): boolean {
  const range = legalTargetRange(current);
  return (
    range !== null &&
    Number.isInteger(target) &&
    target !== current &&
    target >= range.min &&
    target <= range.max
  );
}

/** Calls made in the rolling 24 hours ending at `now` (the window AWS counts). */
export function callsInWindow(callTimes: readonly number[], now: number): number {
  return callTimes.filter((t) => t > now - DAY_MS && t <= now).length;
}

/** The fewest UpdateShardCount calls that take `from` shards to `to` (each call at most x2 or /2). */
export function callsNeeded(from: number, to: number): number {
  let n = from;
  let calls = 0;
  while (n !== to && calls < 64) {
    n = to > n ? Math.min(to, n * 2) : Math.max(to, Math.ceil(n / 2));
    calls++;
  }
  return calls;
}
