/**
 * Which AWS errors mean "this role may not do that" (a missing grant, a key policy or key state
 * that refuses, a bad credential): never a transient fault to retry quietly or a warning to log
 * and move on from. Every handler fails its invocation (or reports the item so it is retried and
 * reaches the DLQ) and logs an error on them, so the Errors alarm fires. Pure: no AWS calls.
 */

/** Error names (the SDK's `name`, AWS's error code) of denied requests, any service. */
const DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError", // SNS
  "AuthorizationErrorException",
  "Forbidden", // S3 HEAD: no body, only the status
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
]);

/**
 * KMS refusals as each service names them: KMSAccessDeniedException (Kinesis, Lambda),
 * KMS.AccessDeniedException / KMSAccessDenied (SNS), KmsAccessDenied (SQS), KMSDisabledException,
 * KMS.KMSInvalidStateException, KmsNotFound, KMSOptInRequired... Throttling is not a refusal.
 */
const KMS_REFUSAL =
  /^kms[._]?(.*)(accessdenied|disabled|invalidstate|notfound|optinrequired|invalidkeyusage|keyunavailable)/i;

/** The error's name or code, whichever the SDK set. */
function errorName(e: unknown): string {
  const err = e as { name?: unknown; Code?: unknown; code?: unknown } | undefined;
  const names = [err?.name, err?.Code, err?.code].filter((v): v is string => typeof v === "string");
  // A plain Error's name says nothing; an AWS code set beside it does.
  return names.find((n) => n !== "Error") ?? names[0] ?? "";
}

/** True when AWS refused the request for authorization (IAM, resource or key policy, key state). */
export function isAuthorizationError(e: unknown): boolean {
  const name = errorName(e);
  if (DENIED.has(name) || KMS_REFUSAL.test(name)) return true;
  // An HTTP 403 with an unnamed error (HEAD requests carry no error body).
  const status = (e as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata
    ?.httpStatusCode;
  return status === 403 && !/throttl/i.test(name);
}

/** Rethrows `e` when it is an authorization error; for catch blocks that absorb other failures. */
export function rethrowIfAuthorization(e: unknown): void {
  if (isAuthorizationError(e)) throw e;
}

/** A log-friendly description that never carries more than AWS's name and message. */
export function describeAwsError(e: unknown): {
  name: string;
  message: string;
  authorization: boolean;
} {
  return {
    name: errorName(e) || "Error",
    message: e instanceof Error ? e.message : String(e),
    authorization: isAuthorizationError(e),
  };
}
