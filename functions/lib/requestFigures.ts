/**
 * The business figures of one request to a write API (pure), the same for the items API on
 * Lambda (functions/items-api) and in a container (items-service) and for orders-service: an item
 * written by a create or an update, a create replayed under its idempotency key (written once,
 * the repeat dropped), or a request refused with a 4xx other than 404 (an unknown id is an
 * answer, not a refusal). Here in lib/ because a container image copies only functions/lib and
 * its own app (functions/containers/Dockerfile).
 */
import { BUSINESS_METRICS, type BusinessMetric } from "./businessMetrics";
import { IDEMPOTENT_REPLAYED_HEADER } from "./idempotency";

const WRITES = new Set(["POST", "PUT", "PATCH"]);

export function requestFigures(
  method: string,
  response: { statusCode?: number; headers?: Record<string, unknown> },
): Partial<Record<BusinessMetric, number>> {
  const status = response.statusCode ?? 200;
  const replayed = Object.entries(response.headers ?? {}).some(
    ([k, v]) => k.toLowerCase() === IDEMPOTENT_REPLAYED_HEADER && String(v) === "true",
  );
  const ok = status >= 200 && status < 300;
  return {
    [BUSINESS_METRICS.itemsWritten]: ok && !replayed && WRITES.has(method.toUpperCase()) ? 1 : 0,
    [BUSINESS_METRICS.duplicatesDropped]: ok && replayed ? 1 : 0,
    [BUSINESS_METRICS.recordsRefused]: status >= 400 && status < 500 && status !== 404 ? 1 : 0,
  };
}
