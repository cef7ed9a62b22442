import { createHash } from "node:crypto";

/** Account and region the mocks pretend to be in. */
export interface MockWorld {
  region: string;
  accountId: string;
}

export type Inputs = Record<string, unknown>;

/** Deterministic hex of `len` chars from the resource's identity, so plans are reproducible. */
export function stableHex(seed: string, len = 8): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, len);
}

/** Pulumi-style auto-name: logical name plus a 7-char suffix (stable here, random in Pulumi). */
export function autoName(name: string, inputs: Inputs, key = "name", maxLen = 80): string {
  const given = inputs[key];
  if (typeof given === "string" && given.length > 0) return given;
  const suffix = stableHex(name, 7);
  const fifo = inputs.fifoQueue === true || inputs.fifoTopic === true ? ".fifo" : "";
  return `${name.slice(0, maxLen - 8 - fifo.length)}-${suffix}${fifo}`;
}

export function uuid(seed: string): string {
  const h = stableHex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface Ctx extends MockWorld {
  name: string;
  inputs: Inputs;
  hex: (len?: number) => string;
}

export type StateFn = (c: Ctx) => { id: string; state: Inputs };

export const arn = (
  c: Ctx,
  service: string,
  resource: string,
  region = c.region,
  account = c.accountId,
) => `arn:aws:${service}:${region}:${account}:${resource}`;

export function bucket(c: Ctx) {
  // S3 bucket names are lowercase, 3-63 chars, globally unique.
  const name = autoName(c.name, c.inputs, "bucket", 63).toLowerCase();
  return {
    id: name,
    state: {
      bucket: name,
      arn: `arn:aws:s3:::${name}`,
      bucketDomainName: `${name}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`,
      region: c.region,
    },
  };
}

export function securityGroupRule(c: Ctx) {
  const id = `sgr-${c.hex(17)}`;
  return {
    id,
    state: { securityGroupRuleId: id, arn: arn(c, "ec2", `security-group-rule/${id}`) },
  };
}

export function bucketConfig(c: Ctx) {
  return { id: String(c.inputs.bucket), state: {} };
}

export function prefixed(c: Ctx, prefix: string, arnType: string) {
  const id = `${prefix}-${c.hex(17)}`;
  return { id, state: { arn: arn(c, "ec2", `${arnType}/${id}`) } };
}
