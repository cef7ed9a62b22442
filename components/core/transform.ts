import * as pulumi from "@pulumi/pulumi";

/**
 * A per-child override hook, as SST's `transform`: an object merged over the args the component
 * computed for that child, or a function that receives the child's args and resource options
 * (edit either in place, or return new args). The options are where a user sets `protect`,
 * `ignoreChanges`, `retainOnDelete`, `aliases` or a provider on one child without forking.
 */
export type Transform<T> =
  Partial<T> | ((args: T, opts: pulumi.CustomResourceOptions, name: string) => T | void);

/**
 * Marks a child that is itself a component in a {@link Transforms} map: its hook is that
 * component's own `transform` object (`rawBucket: Nested<SecureBucketArgs["transform"]>`).
 */
export interface Nested<Hooks> {
  /** Never set: only carries the nested component's hooks type. */
  readonly nestedHooks: Hooks;
}

/**
 * A component's `transform` arg: one optional hook per child, keyed by the child's name and typed
 * by its args, so `Transforms<{ queue: aws.sqs.QueueArgs }>` is
 * `{ queue?: Transform<aws.sqs.QueueArgs> }`; a {@link Nested} child takes its component's hooks.
 * Each hook defaults to none; a child's TSDoc in the map carries over to its hook.
 */
export type Transforms<Children extends object> = {
  [K in keyof Children]?: Children[K] extends Nested<infer Hooks>
    ? NonNullable<Hooks>
    : Transform<Children[K]>;
};

/**
 * Applies a hook to a child's name, args and options and returns them in the order a resource
 * constructor takes them: `new aws.sqs.Queue(...transform(t.queue, name, args, { parent }))`.
 * The copies it hands to a function hook are fresh, so the caller's objects are never mutated.
 */
export function transform<T extends object, O extends pulumi.ResourceOptions>(
  hook: Transform<T> | undefined,
  name: string,
  args: T,
  opts: O,
): [string, T, O] {
  if (!hook) return [name, args, opts];
  if (typeof hook === "function") {
    const a = { ...args };
    const o = { ...opts };
    const returned = hook(a, o as pulumi.CustomResourceOptions, name);
    return [name, returned ?? a, o];
  }
  return [name, { ...args, ...hook }, opts];
}

/**
 * Applies a hook to args alone, for a child whose options the component must own (none today
 * outside tests); prefer {@link transform}, which also hands the hook the options.
 */
export function applyTransform<T extends object>(
  args: T,
  hook: Transform<T> | undefined,
  name = "",
): T {
  return transform(hook, name, args, {})[1];
}

/** Options every child of a component gets: parented to the component. */
export function childOpts(
  parent: pulumi.Resource,
  extra?: pulumi.CustomResourceOptions,
): pulumi.CustomResourceOptions {
  return { ...extra, parent };
}
