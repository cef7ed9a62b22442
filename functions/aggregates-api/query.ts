/**
 * Pure part of `GET /aggregates`: the query a client may make (its own keys only, a bounded time
 * range) and the merge of the per-shard rows the analytics stage writes into one row per window.
 * No AWS calls.
 */
import { z } from "zod";
import { ownsKey } from "../notify-subscriptions/subscriptions";

/** Longest range one request reads (24 hours of 1-minute windows: 1,440 windows). */
export const MAX_RANGE_MS = 24 * 3600 * 1000;
/** Default range: the last hour. */
export const DEFAULT_RANGE_MS = 3600 * 1000;

const isoTime = z.iso.datetime({ offset: true, message: "must be an ISO 8601 time" });

export const aggregatesQuerySchema = z.strictObject({
  type: z.string().min(1).max(128),
  key: z.string().min(1).max(256),
  from: isoTime.optional(),
  to: isoTime.optional(),
});

export interface AggregatesQuery {
  /** The aggregates table's hash key: `<type>#<key>`. */
  metric: string;
  /** Window starts from..to (inclusive), ISO strings as the aggregator writes them. */
  from: string;
  to: string;
}

export class QueryError extends Error {}

/** Validates a query for client `sub`; throws QueryError (a 400) naming the problem. */
export function parseAggregatesQuery(
  sub: string,
  params: Record<string, string | undefined>,
  now: Date,
): AggregatesQuery {
  const parsed = aggregatesQuerySchema.safeParse(params);
  if (!parsed.success) {
    throw new QueryError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "query"} ${i.message}`).join("; "),
    );
  }
  const q = parsed.data;
  if (!ownsKey(sub, q.key)) throw new QueryError(`key ${q.key} is not yours (yours: ${sub}/...)`);
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_RANGE_MS);
  if (from > to) throw new QueryError("from is after to");
  if (to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw new QueryError(`the range is over ${MAX_RANGE_MS / 3600_000} hours`);
  return { metric: `${q.type}#${q.key}`, from: isoSeconds(from), to: isoSeconds(to) };
}

/** ISO time to the second, as Lambda's tumbling windows name their starts (`...T17:00:00Z`). */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A row as the aggregator writes it (one per metric, window and shard). */
export interface ShardRow {
  windowStart: string;
  windowEnd: string;
  count: number;
  sum: number;
  valued: number;
  min?: number;
  max?: number;
  approximate?: boolean;
}

export interface WindowAggregate {
  start: string;
  end: string;
  count: number;
  sum: number;
  /** Mean of the values (events without a value are counted, not averaged). */
  avg: number | null;
  min: number | null;
  max: number | null;
  /** Shards whose rows made this window. */
  shards: number;
  approximate: boolean;
}

/** Sums the shards of each window (the aggregator writes them apart), in window order. */
export function mergeWindows(rows: ShardRow[]): WindowAggregate[] {
  const byStart = new Map<string, WindowAggregate & { valued: number }>();
  for (const r of rows) {
    const w = byStart.get(r.windowStart) ?? {
      start: r.windowStart,
      end: r.windowEnd,
      count: 0,
      sum: 0,
      valued: 0,
      avg: null,
      min: null,
      max: null,
      shards: 0,
      approximate: false,
    };
    w.count += r.count;
    w.sum += r.sum;
    w.valued += r.valued;
    if (r.min !== undefined) w.min = w.min === null ? r.min : Math.min(w.min, r.min);
    if (r.max !== undefined) w.max = w.max === null ? r.max : Math.max(w.max, r.max);
    w.shards += 1;
    w.approximate ||= r.approximate === true;
    byStart.set(r.windowStart, w);
  }
  return [...byStart.values()]
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
    .map(({ valued, ...w }) => ({ ...w, avg: valued > 0 ? w.sum / valued : null }));
}
