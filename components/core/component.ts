import * as pulumi from "@pulumi/pulumi";

/**
 * The base of a component built as named steps (SST's style): the constructor registers the
 * component, then plans its args (defaults resolved, every problem thrown at once, before any
 * child exists) and keeps args, plan and transform hooks for the `create...()` steps.
 */
export abstract class PlannedComponent<A extends { transform?: object }, P>
  extends pulumi.ComponentResource
{
  /** The args as given. */
  protected readonly args: A;
  /** The args with defaults resolved, from the component's pure planning module. */
  protected readonly plan: P;
  /** The transform hooks, one per child. */
  protected readonly t: NonNullable<A["transform"]>;

  protected constructor(
    type: string,
    name: string,
    args: A,
    plan: (name: string, args: A) => P,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, {}, opts);
    this.plan = plan(name, args);
    this.args = args;
    this.t = (args.transform ?? {}) as NonNullable<A["transform"]>;
  }
}
