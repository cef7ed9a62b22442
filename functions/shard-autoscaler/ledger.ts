/**
 * The operations ledger: what the scaler did recently, kept durable in the stream's own tags so a
 * cold Lambda (or a second concurrent one) sees the same history. Pure: encode/decode and updates.
 */
import { DAY_MS, MINUTE_MS } from "./rules";

/** One UpdateShardCount call the scaler made. */
export interface LedgerCall {
  /** Epoch ms of the call. */
  at: number;
  from: number;
  to: number;
  /** Made to stop throttling (may use the reserved calls). */
  emergency: boolean;
}

/** The multi-step goal being worked towards (a call may only double or halve). */
export interface LedgerGoal {
  shards: number;
  at: number;
  emergency: boolean;
}

/** After a failed call or an AWS error: no call before `until`; `attempts` grows the delay. */
export interface LedgerBackoff {
  until: number;
  attempts: number;
}

export interface Ledger {
  /** Calls of the last 24 hours, oldest first. */
  calls: LedgerCall[];
  goal?: LedgerGoal;
  backoff?: LedgerBackoff;
}

export const EMPTY_LEDGER: Ledger = { calls: [] };

/** Tag keys (letters, digits and "/ . -" only: valid in every service's tag charset). */
export const LEDGER_TAGS = {
  calls: "shard-autoscaler/calls",
  goal: "shard-autoscaler/goal",
  backoff: "shard-autoscaler/backoff",
} as const;

/** Kinesis tag values hold at most 256 characters. */
const MAX_TAG_VALUE = 256;

const t36 = (ms: number) => Math.round(ms / 1000).toString(36);
const fromT36 = (s: string) => parseInt(s, 36) * 1000;
const int = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);

/** Ledger -> tag values. A value that would be empty is written as "-" (tags need a value). */
export function encodeLedger(ledger: Ledger): Record<string, string> {
  const entries = ledger.calls.map(
    (c) => `${t36(c.at)}.${c.from}.${c.to}${c.emergency ? ".e" : ""}`,
  );
  // Keep the newest entries that fit; 10 calls take about 200 characters.
  while (entries.join(" ").length > MAX_TAG_VALUE) entries.shift();
  return {
    [LEDGER_TAGS.calls]: entries.join(" ") || "-",
    [LEDGER_TAGS.goal]: ledger.goal
      ? `${ledger.goal.shards}.${t36(ledger.goal.at)}${ledger.goal.emergency ? ".e" : ""}`
      : "-",
    [LEDGER_TAGS.backoff]: ledger.backoff
      ? `${t36(ledger.backoff.until)}.${ledger.backoff.attempts}`
      : "-",
  };
}

/** Tag values -> ledger. Malformed parts are dropped (a damaged tag must not stop scaling). */
export function decodeLedger(tags: Record<string, string | undefined>): Ledger {
  const calls: LedgerCall[] = [];
  for (const entry of (tags[LEDGER_TAGS.calls] ?? "").split(/\s+/)) {
    const [at, from, to, flag] = entry.split(".");
    const c = { at: fromT36(at ?? ""), from: int(from), to: int(to), emergency: flag === "e" };
    if ([c.at, c.from, c.to].every(Number.isFinite) && c.from > 0 && c.to > 0) calls.push(c);
  }
  calls.sort((a, b) => a.at - b.at);
  const ledger: Ledger = { calls };
  const [gs, gat, gflag] = (tags[LEDGER_TAGS.goal] ?? "").split(".");
  const goal = { shards: int(gs), at: fromT36(gat ?? ""), emergency: gflag === "e" };
  if (Number.isFinite(goal.shards) && goal.shards > 0 && Number.isFinite(goal.at))
    ledger.goal = goal;
  const [bu, ba] = (tags[LEDGER_TAGS.backoff] ?? "").split(".");
  const backoff = { until: fromT36(bu ?? ""), attempts: int(ba) };
  if (Number.isFinite(backoff.until) && Number.isFinite(backoff.attempts)) ledger.backoff = backoff;
  return ledger;
}

/** Drops calls older than the rolling 24-hour window (they no longer count). */
export function pruneLedger(ledger: Ledger, now: number): Ledger {
  return { ...ledger, calls: ledger.calls.filter((c) => c.at > now - DAY_MS) };
}

/** The ledger after a call was made (or is about to be: the handler writes it first). */
export function recordCall(
  ledger: Ledger,
  call: LedgerCall,
  goal: number | undefined,
  now: number,
): Ledger {
  const next = pruneLedger({ calls: [...ledger.calls, call] }, now);
  if (goal !== undefined && goal !== call.to)
    next.goal = { shards: goal, at: call.at, emergency: call.emergency };
  return next;
}

/** Removes a call that AWS rejected (it did not happen and must not use up the budget). */
export function forgetCall(ledger: Ledger, call: LedgerCall): Ledger {
  return {
    ...ledger,
    calls: ledger.calls.filter(
      (c) => !(c.at === call.at && c.from === call.from && c.to === call.to),
    ),
    goal: ledger.goal?.at === call.at ? undefined : ledger.goal,
  };
}

/** Backoff bounds: 2, 4, 8 ... minutes, at most an hour. */
export const BACKOFF_BASE_MINUTES = 2;
export const BACKOFF_MAX_MINUTES = 60;

/**
 * The ledger after a failure: the next attempt waits exponentially longer. A failure more than
 * the longest backoff after the previous one ended starts the count again.
 */
export function withBackoff(ledger: Ledger, now: number): Ledger {
  const recent =
    ledger.backoff !== undefined && now - ledger.backoff.until <= BACKOFF_MAX_MINUTES * MINUTE_MS;
  const attempts = recent ? ledger.backoff!.attempts + 1 : 1;
  const minutes = Math.min(BACKOFF_MAX_MINUTES, BACKOFF_BASE_MINUTES * 2 ** (attempts - 1));
  return { ...ledger, backoff: { until: now + minutes * MINUTE_MS, attempts } };
}

/** The ledger after a success: the backoff is cleared. */
export function clearBackoff(ledger: Ledger): Ledger {
  return { calls: ledger.calls, ...(ledger.goal ? { goal: ledger.goal } : {}) };
}

/** How old an unconfirmed entry must be before it is judged failed (a call in flight is not). */
export const UNCONFIRMED_GRACE_MS = 2 * MINUTE_MS;

/**
 * A call the ledger records but that did not take effect (the Lambda wrote the entry, then the
 * call failed or the function died before correcting it): the stream, ACTIVE again, still has the
 * call's `from` count and nothing was called since. Dropping it gives the budget back. Entries
 * younger than the grace period are kept: another invocation may be making that call right now.
 */
export function reconcileLedger(
  ledger: Ledger,
  openShards: number,
  active: boolean,
  now: number,
): Ledger {
  const last = ledger.calls[ledger.calls.length - 1];
  if (!active || !last || now - last.at < UNCONFIRMED_GRACE_MS) return ledger;
  if (openShards === last.from && openShards !== last.to) return forgetCall(ledger, last);
  return ledger;
}
