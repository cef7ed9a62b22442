import { Inputs, MockWorld, StateFn, stableHex } from "./mockStateKit";
import { MESSAGING_STATES } from "./mockStates/messaging";
import { NETWORK_STATES } from "./mockStates/network";
import { API_STATES } from "./mockStates/api";
import { COMPUTE_STATES } from "./mockStates/compute";
import { DATA_STATES } from "./mockStates/data";
import { PLATFORM_STATES } from "./mockStates/platform";

export { stableHex } from "./mockStateKit";
export type { MockWorld } from "./mockStateKit";

export const DEFAULT_WORLD: MockWorld = { region: "us-east-1", accountId: "123456789012" };

/** One entry per resource type the program creates: the identifiers AWS would return. */
const STATES: Record<string, StateFn> = {
  ...MESSAGING_STATES,
  ...NETWORK_STATES,
  ...API_STATES,
  ...COMPUTE_STATES,
  ...DATA_STATES,
  ...PLATFORM_STATES,
};

/**
 * The state a resource would have after `pulumi up`: its inputs plus the identifiers AWS assigns.
 * Types without an entry get a generic id and, for custom resources, nothing else, so a missing
 * entry shows up as a missing ARN in tests rather than a plausible-looking wrong one.
 */
export function mockState(
  type: string,
  name: string,
  inputs: Inputs,
  world: MockWorld = DEFAULT_WORLD,
): { id: string; state: Inputs } {
  const fn = STATES[type];
  const hex = (len = 8) => stableHex(`${type}::${name}`, len);
  if (!fn) return { id: `${name}-${hex(8)}`, state: { ...inputs } };
  const r = fn({ ...world, name, inputs, hex });
  return { id: r.id, state: { ...inputs, ...r.state } };
}

/** Types the mock gives real-format identifiers to (tests check every created type is here). */
export const MOCKED_TYPES: readonly string[] = Object.keys(STATES);
