/**
 * Pure composition of several backend reads into one response (API Gateway's "aggregation"):
 * every part is fetched in parallel with its own deadline; a part that is slow, fails or does not
 * exist is reported in `missing` instead of failing the whole answer. No AWS calls here.
 */

/** Why a part is absent from a summary. */
export type MissingReason = "timeout" | "error" | "not-found";

/** Reads one part; resolves `undefined` when the backend says it does not exist. */
export type PartFetcher<T> = (signal: AbortSignal) => Promise<T | undefined>;

export interface Outcome<T> {
  value?: T;
  reason?: MissingReason;
  /** The failure, for the logs only (never in a response). */
  error?: unknown;
}

/**
 * Runs `fetch` with an AbortSignal that fires after `timeoutMs`, and resolves at that deadline
 * even if the backend ignores the signal, so one slow backend cannot hold the response.
 */
export async function fetchWithin<T>(
  fetch: PartFetcher<T>,
  timeoutMs: number,
): Promise<Outcome<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`deadline of ${timeoutMs} ms passed`));
      resolve({ reason: "timeout" });
    }, timeoutMs);
  });
  const call = (async (): Promise<Outcome<T>> => {
    try {
      const value = await fetch(controller.signal);
      return value === undefined ? { reason: "not-found" } : { value };
    } catch (error) {
      return controller.signal.aborted ? { reason: "timeout" } : { reason: "error", error };
    }
  })();
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface MissingPart {
  part: string;
  reason: MissingReason;
}

/** A composed answer: each part's value (or null) plus what is missing and why. */
export interface Summary<P extends string> {
  parts: Record<P, unknown>;
  partial: boolean;
  missing: MissingPart[];
  /** Failures by part, for the logs. */
  errors: Partial<Record<P, unknown>>;
}

/** Fetches every part in parallel, each within `timeoutMs`. Never rejects. */
export async function aggregate<P extends string>(
  fetchers: Record<P, PartFetcher<unknown>>,
  timeoutMs: number,
): Promise<Summary<P>> {
  const names = Object.keys(fetchers) as P[];
  const outcomes = await Promise.all(names.map((n) => fetchWithin(fetchers[n], timeoutMs)));
  const parts = {} as Record<P, unknown>;
  const missing: MissingPart[] = [];
  const errors: Partial<Record<P, unknown>> = {};
  names.forEach((n, i) => {
    const o = outcomes[i];
    parts[n] = o.value ?? null;
    if (o.reason) missing.push({ part: n, reason: o.reason });
    if (o.error !== undefined) errors[n] = o.error;
  });
  return { parts, partial: missing.length > 0, missing, errors };
}

/**
 * The HTTP answer for a summary whose `primary` part names the resource: 404 only when the
 * primary backend answered that it does not exist; otherwise 200, with `partial` and `missing`
 * telling the client what it did not get (a slow or failing backend is never a 5xx).
 */
export function summaryResponse<P extends string>(
  summary: Summary<P>,
  primary: P,
  id: string,
): { status: 200 | 404; body: Record<string, unknown> } {
  const primaryMissing = summary.missing.find((m) => m.part === primary);
  if (primaryMissing?.reason === "not-found") {
    return { status: 404, body: { error: { status: 404, message: `${primary} ${id} not found` } } };
  }
  return {
    status: 200,
    body: {
      id,
      ...summary.parts,
      partial: summary.partial,
      missing: summary.missing.map((m) => m.part),
      missingReasons: Object.fromEntries(summary.missing.map((m) => [m.part, m.reason])),
    },
  };
}
