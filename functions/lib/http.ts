import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/**
 * An error with an HTTP status and a message safe to show the client. `cause` (optional) is for
 * the logs only: it never reaches the response body.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HttpError";
  }
}

/**
 * Error names AWS services give throttling (DynamoDB, SNS, SQS, S3, Kinesis, STS...). The SDK has
 * already retried these with backoff when one reaches us, so the caller is over its capacity.
 */
const THROTTLING_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
  "KmsThrottled",
  "KMSThrottlingException",
]);

/** True for an AWS throttling error (by name, or flagged by the SDK's retry classification). */
export function isThrottlingError(e: unknown): boolean {
  const err = e as { name?: unknown; $retryable?: { throttling?: boolean } } | undefined;
  return (
    (typeof err?.name === "string" && THROTTLING_ERRORS.has(err.name)) ||
    err?.$retryable?.throttling === true
  );
}

/** Seconds a client is asked to wait (Retry-After) before retrying a throttled request. */
export const RETRY_AFTER_SECONDS = 1;

/** What to answer for an error that is not the client's fault. */
export interface Fault {
  status: 500 | 503;
  message: string;
  headers: Record<string, string>;
}

/**
 * Maps an unexpected error to a response: 503 with Retry-After when AWS throttled us (retrying
 * shortly helps), otherwise 500. The message never carries the error's own text (table names,
 * ARNs, stack traces): the caller logs the error itself.
 */
export function classifyFault(e: unknown): Fault {
  if (isThrottlingError(e)) {
    return {
      status: 503,
      message: "the service is busy; retry shortly",
      headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
    };
  }
  return { status: 500, message: "internal error", headers: {} };
}

/** A JSON response. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
  };
}

/** A path segment, decoded; malformed percent-encoding is the client's 400, not a 500. */
export function decodePathSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `${what} is not valid URL encoding`);
  }
}

/** The error body every API of the project (Lambda or container) returns. */
export function errorBody(status: number, message: string, details?: unknown) {
  return { error: { status, message, ...(details === undefined ? {} : { details }) } };
}

/** The JSON error response: `{ error: { status, message, details? } }`. */
export function errorResponse(
  status: number,
  message: string,
  details?: unknown,
): APIGatewayProxyStructuredResultV2 {
  return json(status, errorBody(status, message, details));
}

/** Largest request body an API accepts before parsing (bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Decodes and parses a JSON request body (base64 when API Gateway says so), enforcing a size
 * limit first so a huge body costs nothing. Throws HttpError 400/413/415.
 */
export function parseJsonBody(
  event: Pick<APIGatewayProxyEventV2, "body" | "isBase64Encoded" | "headers">,
  maxBytes = MAX_BODY_BYTES,
): unknown {
  if (event.body === undefined || event.body === null || event.body === "") {
    throw new HttpError(400, "request body is required");
  }
  const contentType = Object.entries(event.headers ?? {}).find(
    ([k]) => k.toLowerCase() === "content-type",
  )?.[1];
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, `content-type must be application/json, got ${contentType}`);
  }
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body, "base64")
    : Buffer.from(event.body, "utf8");
  if (raw.length > maxBytes)
    throw new HttpError(413, `request body is ${raw.length} bytes; the limit is ${maxBytes}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
  const proto = protoPath(parsed);
  if (proto !== undefined) {
    // JSON.parse keeps it as an own key, but assigning it anywhere (zod's records, spreads) sets a
    // prototype instead: the field would skip validation and vanish while the row is written.
    throw new HttpError(400, `field name "__proto__" is not allowed (at ${proto})`);
  }
  return parsed;
}

/** The dotted path of the first own `__proto__` key in a parsed JSON value, if any. */
export function protoPath(value: unknown, path = "(body)"): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = path === "(body)" ? k : `${path}.${k}`;
    if (k === "__proto__") return here;
    const inner = protoPath(v, here);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
