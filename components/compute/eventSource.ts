import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DashboardRow } from "../observability/flowDashboard";
import { Statement, allow } from "../security/iam";
import { BundledFunction, BundledFunctionArgs } from "./lambdaFunction";
import { Transform, transform } from "../core/transform";

/** A consumer's hooks: its function's, and the event source mapping's. */
export type ConsumerTransform = BundledFunctionArgs["transform"] & {
  /** @default none */
  eventSourceMapping?: Transform<aws.lambda.EventSourceMappingArgs>;
};

/** Read statements on an event source, then `kms:Decrypt` on its customer-managed key if any. */
export function withKeyDecrypt(
  statements: Statement[],
  kmsKeyArn: pulumi.Input<string> | undefined,
): Statement[] {
  return kmsKeyArn ? [...statements, allow(["kms:Decrypt"], [kmsKeyArn])] : statements;
}

/** What a consumer's planning hands to its creation: the function, its source grants, the mapping. */
export interface ConsumerPlan {
  fnArgs: Omit<BundledFunctionArgs, "transform"> & { transform?: ConsumerTransform };
  sourceStatements: pulumi.Input<Statement>[];
  mapping: Omit<aws.lambda.EventSourceMappingArgs, "functionName">;
}

/**
 * A `BundledFunction` and the event source mapping that feeds it, both named `name` and parented
 * to `parent` (the consumer component). The mapping waits for the role's policy: Lambda checks
 * the source's permissions when the mapping is created.
 */
export function bundledFunctionWithEventSource(
  name: string,
  { fnArgs, sourceStatements, mapping }: ConsumerPlan,
  parent: pulumi.Resource,
): { function: BundledFunction; eventSourceMapping: aws.lambda.EventSourceMapping } {
  // The function reads only its own hooks from the consumer's; the mapping's is applied here.
  const statements = [...sourceStatements, ...(fnArgs.statements ?? [])];
  const fn = new BundledFunction(name, { ...fnArgs, statements }, { parent });
  const mappingTransform = fnArgs.transform?.eventSourceMapping;
  const { eventSourceArn, ...settings } = mapping;
  const eventSourceMapping = new aws.lambda.EventSourceMapping(
    ...transform(
      mappingTransform,
      name,
      { eventSourceArn, functionName: fn.arn, ...settings },
      { parent, dependsOn: [fn.policy] },
    ),
  );
  return { function: fn, eventSourceMapping };
}

/**
 * The base of QueueConsumer and StreamConsumer: registers the component, then builds the
 * function and its mapping from the subclass's plan (checked after registration, so a bad arg
 * names the component).
 */
export abstract class EventSourceConsumer extends pulumi.ComponentResource {
  readonly function: BundledFunction;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  protected readonly logicalName: string;

  protected constructor(
    type: string,
    name: string,
    plan: () => ConsumerPlan,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, {}, opts);
    this.logicalName = name;
    ({ function: this.function, eventSourceMapping: this.eventSourceMapping } =
      bundledFunctionWithEventSource(name, plan(), this));
  }

  /** Dashboard row of the consuming function. */
  widgets(title = `Consumer ${this.logicalName}`): DashboardRow[] {
    return this.function.widgets(title);
  }
}
