/**
 * The environment contract of `aggregates-api`: the stack sets these variables only through
 * `aggregatesApiEnvironment`, the handler reads them only through `readAggregatesApiEnv`.
 */

export interface AggregatesApiEnv {
  /** The analytics stage's table (hash `metric`, range `windowShard`). */
  aggregatesTable: string;
}

const NAMES = { aggregatesTable: "AGGREGATES_TABLE" } as const satisfies Record<
  keyof AggregatesApiEnv,
  string
>;

export function readAggregatesApiEnv(
  env: Record<string, string | undefined> = process.env,
): AggregatesApiEnv {
  const table = env[NAMES.aggregatesTable];
  if (!table) throw new Error(`environment variable ${NAMES.aggregatesTable} is not set`);
  return { aggregatesTable: table };
}

/** The variables, by name, for the component (values may be Pulumi outputs: `T`). */
export function aggregatesApiEnvironment<T>(values: {
  aggregatesTable: T | string;
}): Record<string, T | string> {
  return { [NAMES.aggregatesTable]: values.aggregatesTable };
}
