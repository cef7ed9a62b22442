/**
 * The typed environment contract (README "Architecture"): each function declares its variables
 * once, in `functions/<name>/env.ts`, with `defineEnv`. The handler reads them through the
 * contract's `read`, and the component that deploys the function writes them through its
 * `environment`, so a renamed or missing variable is a compile error on both sides.
 *
 * `environment` is generic over the type of string values (`T`): a component passes Pulumi
 * outputs for names and ARNs without functions/ importing Pulumi. Numbers and lists are plain
 * values known when the program runs; they are written as strings and checked with the same
 * parser the function runs, so a value the function would refuse fails the deployment instead.
 */

/** One variable: its name, whether it has a default, and how the function parses it. */
export interface EnvVar<V, W, HasDefault extends boolean> {
  readonly name: string;
  readonly hasDefault: HasDefault;
  /** The default, as the string the component writes when it is not given one. */
  readonly defaultRaw?: string;
  /** The value the function sees; `raw` is undefined when the variable is unset. */
  parse(raw: string | undefined): V;
  /** The plain value a component writes (strings may also be `T`, see `EnvSettings`). */
  format(value: W): string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any variable, whatever its types
type AnyVar = EnvVar<any, any, boolean>;
export type EnvSpec = Record<string, AnyVar>;

/** The values a function reads: one typed field per variable. */
export type EnvValues<S extends EnvSpec> = {
  -readonly [K in keyof S]: ReturnType<S[K]["parse"]>;
};

type Written<X, T> =
  X extends EnvVar<unknown, infer W, boolean> ? (W extends string ? W | T : W) : never;
type RequiredKeys<S extends EnvSpec> = {
  [K in keyof S]: S[K]["hasDefault"] extends false ? K : never;
}[keyof S];

/** What a component gives `environment`: variables without a default are required. */
export type EnvSettings<S extends EnvSpec, T = string> = {
  [K in RequiredKeys<S>]: Written<S[K], T>;
} & { [K in Exclude<keyof S, RequiredKeys<S>>]?: Written<S[K], T> };

/** A function's contract: its variable names, its reader and its writer. */
export interface EnvContract<S extends EnvSpec> {
  /** The function folder, used in messages. */
  readonly fn: string;
  readonly spec: S;
  /** The variable names, in declaration order. */
  readonly names: readonly string[];
  /** Parses every variable; throws one error listing every problem. */
  read(env: Record<string, string | undefined>): EnvValues<S>;
  /** Every declared variable (defaults filled in), ready for the function's environment. */
  environment<T = string>(settings: EnvSettings<S, T>): Record<string, T | string>;
}

type Opts<V> = { default?: V };

function withDefault<V, W>(
  name: string,
  defaultValue: V | undefined,
  parseSet: (raw: string) => V,
  format: (value: W) => string,
  defaultAsWritten: (value: V) => W,
  /** An empty value means "unset" (strings, numbers), or is a value of its own (an empty list). */
  emptyIsUnset = true,
): AnyVar {
  const hasDefault = defaultValue !== undefined;
  return {
    name,
    hasDefault,
    defaultRaw: hasDefault ? format(defaultAsWritten(defaultValue)) : undefined,
    parse: (raw) => {
      if (raw === undefined || (raw === "" && emptyIsUnset)) {
        if (hasDefault) return defaultValue;
        throw new Error(`${name} is not set`);
      }
      return parseSet(raw);
    },
    format,
  };
}

interface StringOpts {
  /** A shape the value must have (an ARN, a prefix ending in `/`). Default: any string. */
  pattern?: RegExp;
  /** What `pattern` means, for the error. Default: the pattern itself. */
  expected?: string;
}

/** A string variable (a name, an ARN, a URL), optionally of a given shape. */
export function envString(name: string, opts?: StringOpts): EnvVar<string, string, false>;
export function envString(
  name: string,
  opts: StringOpts & { default: string },
): EnvVar<string, string, true>;
export function envString(name: string, opts: StringOpts & Opts<string> = {}): AnyVar {
  const { pattern, expected } = opts;
  return withDefault(
    name,
    opts.default,
    (raw) => {
      if (pattern && !pattern.test(raw)) {
        throw new Error(`${name}=${raw} is not ${expected ?? `of the form ${pattern}`}`);
      }
      return raw;
    },
    (v: string) => v,
    (v) => v,
  );
}

interface IntOpts {
  /** Smallest value accepted. Default: 1. */
  min?: number;
  /** Largest value accepted. Default: none. */
  max?: number;
}

/** An integer variable (seconds, bytes, a count), within `[min, max]`. */
export function envInt(name: string, opts?: IntOpts): EnvVar<number, number, false>;
export function envInt(
  name: string,
  opts: IntOpts & { default: number },
): EnvVar<number, number, true>;
export function envInt(name: string, opts: IntOpts & Opts<number> = {}): AnyVar {
  const { min = 1, max = Number.MAX_SAFE_INTEGER } = opts;
  const parse = (raw: string): number => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(
        `${name}=${raw} is not an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? "..." : max}]`,
      );
    }
    return n;
  };
  return withDefault(
    name,
    opts.default,
    parse,
    (v: number) => String(v),
    (v) => v,
  );
}

interface ListOpts<V extends string> {
  /** The only items accepted (others are errors). Default: any. */
  allowed?: readonly V[];
  /** Compare case-insensitively: items are read lower-cased (e.g. MIME types). Default: false. */
  lowerCase?: boolean;
}

/** A comma-separated list; `allowed` limits the items (unknown ones are errors). */
export function envList<V extends string = string>(
  name: string,
  opts?: ListOpts<V>,
): EnvVar<V[], readonly V[], false>;
export function envList<V extends string = string>(
  name: string,
  opts: ListOpts<V> & { default: readonly V[] },
): EnvVar<V[], readonly V[], true>;
export function envList(
  name: string,
  opts: ListOpts<string> & { default?: readonly string[] } = {},
): AnyVar {
  const parse = (raw: string): string[] => {
    const items = raw
      .split(",")
      .map((s) => (opts.lowerCase ? s.trim().toLowerCase() : s.trim()))
      .filter(Boolean);
    const unknown = opts.allowed ? items.filter((i) => !opts.allowed?.includes(i)) : [];
    if (unknown.length) {
      throw new Error(
        `${name} has unknown ${unknown.join(", ")} (allowed: ${opts.allowed?.join(", ")})`,
      );
    }
    return items;
  };
  const format = (v: readonly string[]) => {
    const comma = v.filter((i) => i.includes(","));
    if (comma.length) throw new Error(`${name}: ${comma.join(" ")} contains a comma`);
    return v.join(",");
  };
  // "" is the empty list (e.g. "every severity"), unset is the default.
  return withDefault(
    name,
    opts.default ? [...opts.default] : undefined,
    parse,
    format,
    (v) => v,
    false,
  );
}

/** A JSON document, parsed by `parse` (which throws on a bad one); the component writes it serialized. */
export function envJson<V>(name: string, parse: (raw: string) => V): EnvVar<V, string, false> {
  return withDefault(
    name,
    undefined,
    parse,
    (v: string) => v,
    (v) => JSON.stringify(v),
  ) as EnvVar<V, string, false>;
}

/** Declares the contract of function folder `fn` (see the module comment). */
export function defineEnv<const S extends EnvSpec>(fn: string, spec: S): EnvContract<S> {
  const keys = Object.keys(spec) as (keyof S & string)[];
  const names = keys.map((k) => spec[k].name);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) throw new Error(`${fn}: env.ts declares ${dup.join(", ")} twice`);
  return {
    fn,
    spec,
    names,
    read(env) {
      const problems: string[] = [];
      const values: Record<string, unknown> = {};
      for (const k of keys) {
        try {
          values[k] = spec[k].parse(env[spec[k].name]);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      if (problems.length) {
        throw new Error(`${fn}: bad environment (a deployment bug): ${problems.join("; ")}`);
      }
      return values as EnvValues<S>;
    },
    environment<T>(settings: EnvSettings<S, T>) {
      const given = settings as Record<string, unknown>;
      const out: Record<string, T | string> = {};
      for (const k of keys) {
        const v = spec[k];
        const value = given[k];
        if (value === undefined) {
          if (v.defaultRaw === undefined) throw new Error(`${fn}: ${k} (${v.name}) is required`);
          out[v.name] = v.defaultRaw;
        } else if (typeof value === "string" || typeof value === "number" || Array.isArray(value)) {
          const raw = v.format(value);
          // Checked with the function's own parser: the deploy fails, not the first invocation.
          try {
            v.parse(raw);
          } catch (e) {
            throw new Error(`${fn}: ${k}: ${(e as Error).message}`);
          }
          out[v.name] = raw;
        } else {
          // A value known only at deployment (a Pulumi output): passed through as it is.
          out[v.name] = value as T;
        }
      }
      return out;
    },
  };
}

/**
 * The log level every function shares: an operator's override, not set by any component
 * (POWERTOOLS_LOG_LEVEL, then LOG_LEVEL, which tests set to SILENT). Default: INFO.
 */
export function readLogLevel(env: Record<string, string | undefined> = process.env): string {
  return env.POWERTOOLS_LOG_LEVEL ?? env.LOG_LEVEL ?? "INFO";
}
