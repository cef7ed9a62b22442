/**
 * The few numbers and names the rules hold the program to. The pack is self-contained (it is
 * installed and type-checked from policy/ alone), so these are copies of the values in
 * components/core/defaults.ts, which must not import the pack either; test/policy/limits.test.ts
 * fails when the two disagree.
 */

/** Lambda runtimes the pack accepts: supported and not deprecated. */
export const SUPPORTED_NODE_RUNTIMES = ["nodejs22.x", "nodejs24.x"] as const;

/** The only architecture the pack accepts for functions (Graviton). */
export const LAMBDA_ARCHITECTURE = "arm64";

/** AWS guidance: a queue's visibility timeout is at least 6x the consuming function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
