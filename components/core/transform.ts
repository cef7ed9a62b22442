import * as pulumi from "@pulumi/pulumi";

/**
 * A per-child override hook: an object merged over the component's args for that child, or a
 * function that edits (or returns new) args. Lets users change any default without forking.
 */
export type Transform<T> = Partial<T> | ((args: T, name: string) => T | void);

/** Applies a transform hook to a child's args. */
export function applyTransform<T extends object>(
  args: T,
  transform: Transform<T> | undefined,
  name = "",
): T {
  if (!transform) return args;
  if (typeof transform === "function") {
    const copy = { ...args };
    return transform(copy, name) ?? copy;
  }
  return { ...args, ...transform };
}

/** Options every child of a component gets: parented to the component. */
export function childOpts(
  parent: pulumi.Resource,
  extra?: pulumi.CustomResourceOptions,
): pulumi.CustomResourceOptions {
  return { ...extra, parent };
}
