/**
 * Pure part of `GET /aggregates`: the query a client may make (its own keys only, a bounded time
 * range) and the merge of the per-shard rows the analytics stage writes into one row per window.
 * No AWS calls.
 */
import { z } from "zod";
import { ZERO, add, parseDecimal, toText } from "../lib/decimal";
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

/**
 * A number as DynamoDB hands it back: a JS number, or (read with `wrapNumbers`, so a sum past
 * 2^53 keeps its digits) an object whose text is the number, or the text itself.
 */
export type StoredNumber = number | string | { toString(): string };

/** A row as the aggregator writes it (one per metric, window and shard). */
export interface ShardRow {
  windowStart: string;
  windowEnd: string;
  count: StoredNumber;
  /** Exact decimal sum (DynamoDB number). */
  sum: StoredNumber;
  valued: StoredNumber;
  min?: StoredNumber;
  max?: StoredNumber;
  approximate?: boolean;
}

export interface WindowAggregate {
  start: string;
  end: string;
  count: number;
  /** Exact sum of the values, as decimal text (it may exceed a double's 2^53). */
  sum: string;
  /** Mean of the values (events without a value are counted, not averaged). */
  avg: number | null;
  min: number | null;
  max: number | null;
  /** Shards whose rows made this window. */
  shards: number;
  approximate: boolean;
}

const num = (v: StoredNumber): number => (typeof v === "number" ? v : Number(String(v)));

/** Sums the shards of each window (the aggregator writes them apart), in window order. */
export function mergeWindows(rows: ShardRow[]): WindowAggregate[] {
  type Acc = Omit<WindowAggregate, "sum" | "avg"> & { sum: ReturnType<typeof add>; valued: number };
  const byStart = new Map<string, Acc>();
  for (const r of rows) {
    const w = byStart.get(r.windowStart) ?? {
      start: r.windowStart,
      end: r.windowEnd,
      count: 0,
      sum: ZERO,
      valued: 0,
      min: null,
      max: null,
      shards: 0,
      approximate: false,
    };
    w.count += num(r.count);
    w.sum = add(w.sum, parseDecimal(String(r.sum)));
    w.valued += num(r.valued);
    if (r.min !== undefined) w.min = w.min === null ? num(r.min) : Math.min(w.min, num(r.min));
    if (r.max !== undefined) w.max = w.max === null ? num(r.max) : Math.max(w.max, num(r.max));
    w.shards += 1;
    w.approximate ||= r.approximate === true;
    byStart.set(r.windowStart, w);
  }
  return [...byStart.values()]
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
    .map(({ valued, sum, ...w }) => {
      const text = toText(sum);
      return { ...w, sum: text, avg: valued > 0 ? Number(text) / valued : null };
    });
}
