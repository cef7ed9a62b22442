/**
 * EXPECTED FAILURES: findings of the IAM reference rules on the dev plan that are real, known
 * and fixed on other branches (the grants themselves, issue 11). The dev-plan tests accept exactly
 * these and fail on any other finding, and also fail when one of these is no longer found: empty
 * this list as the grant fixes are merged.
 */
export interface KnownFinding {
  policy: string;
  /** The resource's name (the URN's last part). */
  name: string;
  /** A part of the message that identifies the grant. */
  contains: string;
  why: string;
}

/** Empty: the grant fixes of issue 11 (branch iam) resolved every one. */
export const KNOWN_GRANT_FINDINGS: readonly KnownFinding[] = [];

/** Is this finding one of KNOWN_GRANT_FINDINGS? */
export function isKnownGrantFinding(f: { policy: string; urn: string; message: string }): boolean {
  return KNOWN_GRANT_FINDINGS.some((k) => matches(k, f));
}

export function matches(k: KnownFinding, f: { policy: string; urn: string; message: string }) {
  return f.policy === k.policy && f.urn.endsWith(`::${k.name}`) && f.message.includes(k.contains);
}

/** `findings` without the expected failures: for the per-flow tests that assert no findings. */
export function withoutKnownGrantFindings<
  T extends { policy: string; urn: string; message: string },
>(findings: readonly T[]): T[] {
  return findings.filter((f) => !isKnownGrantFinding(f));
}
