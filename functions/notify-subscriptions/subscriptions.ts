/**
 * Pure part of the client subscription routes: request validation, the filter policy that limits
 * a client to its own keys, and the ownership check for reading or deleting a subscription.
 *
 * Ownership: a client owns the record keys `<sub>` and `<sub>/...`, where `<sub>` is its JWT
 * subject (a Cognito user's UUID, so no subject is a prefix of another's `<sub>/`). The notifier
 * publishes each event's `key` as a message attribute; the subscription's filter policy
 * (MessageAttributes scope) matches only owned keys, so a client never receives another's events.
 */
import { z } from "zod";
import { SEVERITIES } from "../lib/streamEvents";

/** SNS's E.164: a plus sign, then up to 15 digits, no leading zero. */
export const E164 = /^\+[1-9]\d{1,14}$/;

/** Keys one subscription may list (SNS allows 150 value combinations per filter policy). */
export const MAX_KEYS = 20;

export const subscribeRequestSchema = z.discriminatedUnion("protocol", [
  z.strictObject({
    protocol: z.literal("email"),
    endpoint: z.email({ message: "must be an email address" }).max(254),
    keys: z.array(z.string().min(1).max(256)).min(1).max(MAX_KEYS).optional(),
    severities: z.array(z.enum(SEVERITIES)).min(1).optional(),
  }),
  z.strictObject({
    protocol: z.literal("sms"),
    endpoint: z.string().regex(E164, { message: "must be an E.164 phone number (+15555550100)" }),
    keys: z.array(z.string().min(1).max(256)).min(1).max(MAX_KEYS).optional(),
    severities: z.array(z.enum(SEVERITIES)).min(1).optional(),
  }),
]);
export type SubscribeRequest = z.infer<typeof subscribeRequestSchema>;

/** Is `key` one the client `sub` owns? */
export function ownsKey(sub: string, key: string): boolean {
  return key === sub || key.startsWith(`${sub}/`);
}

type KeyMatch = string | { prefix: string };

/** The filter policy of a client's subscription: its keys (all of them by default), severities. */
export function filterPolicyFor(sub: string, request: SubscribeRequest): Record<string, unknown> {
  const key: KeyMatch[] = request.keys ?? [sub, { prefix: `${sub}/` }];
  return { key, ...(request.severities ? { severity: request.severities } : {}) };
}

/** Keys of the request the client does not own (the route answers 400 naming them). */
export function foreignKeys(sub: string, request: SubscribeRequest): string[] {
  return (request.keys ?? []).filter((k) => !ownsKey(sub, k));
}

/**
 * Does `sub` own the subscription whose filter policy is `filterPolicy`? Only when every key the
 * policy matches is the client's: subscriptions made elsewhere (config, console) belong to nobody.
 */
export function ownsSubscription(sub: string, filterPolicy: string | undefined): boolean {
  if (!filterPolicy) return false;
  let policy: unknown;
  try {
    policy = JSON.parse(filterPolicy);
  } catch {
    return false;
  }
  const keys = (policy as { key?: unknown }).key;
  if (!Array.isArray(keys) || keys.length === 0) return false;
  return keys.every((k: unknown) =>
    typeof k === "string"
      ? ownsKey(sub, k)
      : typeof k === "object" &&
        k !== null &&
        typeof (k as { prefix?: unknown }).prefix === "string" &&
        (k as { prefix: string }).prefix.startsWith(`${sub}/`),
  );
}

/** A subscription ARN of this topic (`<topic ARN>:<uuid>`), or undefined. */
export function subscriptionArnOf(topicArn: string, raw: string): string | undefined {
  const suffix = raw.startsWith(`${topicArn}:`) ? raw.slice(topicArn.length + 1) : undefined;
  return suffix && /^[0-9a-f-]{36}$/i.test(suffix) ? raw : undefined;
}

/** Masks an endpoint for responses and logs: `a***@example.com`, `+4915******89`. */
export function maskEndpoint(endpoint: string): string {
  const at = endpoint.indexOf("@");
  if (at > 0) return `${endpoint[0]}***${endpoint.slice(at)}`;
  return endpoint.length > 6
    ? `${endpoint.slice(0, 5)}${"*".repeat(endpoint.length - 7)}${endpoint.slice(-2)}`
    : "***";
}
