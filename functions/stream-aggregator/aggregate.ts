/**
 * Pure part of the serverless analytics stage: fold Kinesis records into per-window aggregates
 * (count, sum, min, max per metric) carried from invocation to invocation as tumbling-window state,
 * and turn the final state into aggregate rows. No AWS calls.
 */
import { createHash } from "node:crypto";
import type { KinesisStreamRecord } from "aws-lambda";
import { NumberValue } from "@aws-sdk/lib-dynamodb";
import { ZERO, add, fromNumber, parseDecimal, toJson, toText } from "../lib/decimal";
import { type StreamEvent, decodeKinesisRecord } from "../lib/streamEvents";

export interface Aggregate {
  count: number;
  /**
   * Exact sum of `value` over the events that carried one, as `<mantissa>E<exponent>` text: a sum
   * of doubles would lose digits past 2^53 and could not be stored (DynamoDB numbers are decimals).
   */
  sum: string;
  valued: number;
  min: number | null;
  max: number | null;
}

export interface WindowState {
  aggregates: Record<string, Aggregate>;
  /** Short hashes of the event ids counted in this window (drops duplicates and replays). */
  seen: string[];
  /** True once `seen` hit MAX_SEEN: later duplicates may be counted twice. */
  approximate: boolean;
  duplicates: number;
  /** Records that are not valid events (the processor reports them; here they are only counted). */
  rejected: number;
}

/**
 * Lambda keeps the window state between invocations (at most 1 MB): 20,000 ids of 12 characters
 * stay well below that next to the aggregates.
 */
export const MAX_SEEN = 20_000;
/** Tumbling-window state travels as a map of strings; the whole state is one JSON value in it. */
export const STATE_KEY = "window";

export function emptyState(): WindowState {
  return { aggregates: {}, seen: [], approximate: false, duplicates: 0, rejected: 0 };
}

/** Reads the state Lambda passed back (or starts a new window). Malformed state starts afresh. */
export function restoreState(raw: Record<string, unknown> | undefined): WindowState {
  const text = raw?.[STATE_KEY];
  if (typeof text !== "string") return emptyState();
  try {
    const state = { ...emptyState(), ...(JSON.parse(text) as Partial<WindowState>) };
    // State written before sums were exact carries them as numbers.
    for (const a of Object.values(state.aggregates)) a.sum = toJson(sumOf(a.sum));
    return state;
  } catch {
    return emptyState();
  }
}

export function serializeState(state: WindowState): Record<string, string> {
  return { [STATE_KEY]: JSON.stringify(state) };
}

/** Aggregates are kept per event type, and per type and key when the event has a key. */
export function metricOf(event: Pick<StreamEvent, "type" | "key">): string {
  return event.key === undefined ? event.type : `${event.type}#${event.key}`;
}

function sumOf(sum: unknown) {
  return typeof sum === "number" ? fromNumber(sum) : parseDecimal(String(sum ?? "0"));
}

function shortId(eventId: string): string {
  return createHash("sha256").update(eventId).digest("base64url").slice(0, 12);
}

/** Adds a batch to the window state (returns a new state; the input is not modified). */
export function foldRecords(state: WindowState, records: KinesisStreamRecord[]): WindowState {
  const next: WindowState = {
    ...state,
    aggregates: Object.fromEntries(Object.entries(state.aggregates).map(([k, a]) => [k, { ...a }])),
    seen: [...state.seen],
  };
  const seen = new Set(next.seen);
  for (const record of records) {
    const decoded = decodeKinesisRecord(record);
    if (!decoded.ok) {
      next.rejected++;
      continue;
    }
    const id = shortId(decoded.event.eventId);
    if (seen.has(id)) {
      next.duplicates++;
      continue;
    }
    if (seen.size < MAX_SEEN) {
      seen.add(id);
      next.seen.push(id);
    } else {
      next.approximate = true;
    }
    const metric = metricOf(decoded.event);
    const a = (next.aggregates[metric] ??= {
      count: 0,
      sum: toJson(ZERO),
      valued: 0,
      min: null,
      max: null,
    });
    a.count++;
    const v = decoded.event.value;
    if (v !== undefined) {
      a.valued++;
      a.sum = toJson(add(sumOf(a.sum), fromNumber(v)));
      a.min = a.min === null ? v : Math.min(a.min, v);
      a.max = a.max === null ? v : Math.max(a.max, v);
    }
  }
  return next;
}

/**
 * The rows of a finished window. One row per metric, window and shard: Lambda aggregates each shard
 * on its own, so rows are per shard and a retried final invocation overwrites its own rows instead
 * of adding to a shared total. Readers sum the shards of a window (Query on `metric`, range on
 * `windowShard` beginning with the window start).
 */
export function aggregateItems(
  state: WindowState,
  window: { start: string; end: string },
  shardId: string,
  expiresAt: number,
): Record<string, unknown>[] {
  return Object.entries(state.aggregates).map(([metric, a]) => ({
    metric,
    windowShard: `${window.start}#${shardId}`,
    windowStart: window.start,
    windowEnd: window.end,
    shardId,
    count: a.count,
    // Number text, so the write keeps every digit DynamoDB can hold (38).
    sum: NumberValue.from(toText(sumOf(a.sum))),
    valued: a.valued,
    ...(a.min !== null ? { min: NumberValue.from(String(a.min)) } : {}),
    ...(a.max !== null ? { max: NumberValue.from(String(a.max)) } : {}),
    duplicatesDropped: state.duplicates,
    approximate: state.approximate,
    expiresAt,
  }));
}
