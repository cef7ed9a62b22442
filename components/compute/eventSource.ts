import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { BundledFunction, BundledFunctionArgs } from "./lambdaFunction";
import { Transform, transform } from "../core/transform";

/**
 * A `BundledFunction` and the event source mapping that feeds it, both named `name` and parented
 * to `parent` (the consumer component). The mapping waits for the role's policy: Lambda checks
 * the source's permissions when the mapping is created.
 */
export function bundledFunctionWithEventSource(
  name: string,
  fnArgs: BundledFunctionArgs,
  mapping: Omit<aws.lambda.EventSourceMappingArgs, "functionName">,
  mappingTransform: Transform<aws.lambda.EventSourceMappingArgs> | undefined,
  parent: pulumi.Resource,
): { function: BundledFunction; eventSourceMapping: aws.lambda.EventSourceMapping } {
  const fn = new BundledFunction(name, fnArgs, { parent });
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
