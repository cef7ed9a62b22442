import { z } from "zod";

/**
 * The shape most flow settings share: a whole number in `[min, max]` (no upper bound when `max`
 * is omitted) with a default. Callers chain `.describe(...)`, which `npm run docs` turns into the
 * config reference; the schema is the same zod chain each flow would otherwise spell out.
 */
export function intSetting(min: number, max: number | undefined, defaultValue: number) {
  const base = z.number().int().min(min);
  return (max === undefined ? base : base.max(max)).default(defaultValue);
}

/**
 * A yes/no setting with its default (e.g. `privateSubnets`: every flow that can run in the VPC
 * does so by default). Callers chain `.describe(...)`.
 */
export function boolSetting(defaultValue: boolean) {
  return z.boolean().default(defaultValue);
}
