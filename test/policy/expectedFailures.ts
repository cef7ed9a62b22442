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

const ENI_ACTIONS =
  '"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses" on Resource "*"';

/** Functions in a VPC: their roles grant the ENI actions on "*", which AWS lets be scoped. */
const VPC_FUNCTIONS = [
  "fanout-api-objects",
  "fanout-api-uploads",
  "object-created-checksum-summary",
  "object-created-metadata-indexer",
  "realtime-processor",
  "three-tier-lambda-api-items",
  "three-tier-lambda-s3-api-files",
  "three-tier-lambda-s3-api-items",
  "three-tier-lambda-s3-file-indexer",
];

export const KNOWN_GRANT_FINDINGS: readonly KnownFinding[] = [
  {
    policy: "iam-resource-matches-action",
    name: "realtime-notify-notifier",
    contains: '"dynamodb:ListStreams" on "arn:aws:dynamodb:',
    why: "ListStreams has no resource type (tableStreamReadStatement grants it on the stream ARN)",
  },
  {
    policy: "iam-resource-matches-action",
    name: "realtime-ingest-account-logs",
    contains: '"logs:DescribeLogGroups" on "arn:aws:logs:',
    why: "DescribeLogGroups has no resource type (API Gateway account role grants it on log-group:*)",
  },
  ...VPC_FUNCTIONS.map((name) => ({
    policy: "iam-no-wildcard-resource",
    name,
    contains: ENI_ACTIONS,
    why: "AWS lists network-interface/subnet/security-group resource types for these (Lambda VPC role)",
  })),
];

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
