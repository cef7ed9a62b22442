import * as aws from "@pulumi/aws";
import { type PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { LAMBDA_ARCHITECTURE, SUPPORTED_NODE_RUNTIMES } from "./limits";
import { type Rule, UNKNOWN, asArray, isSet, known, requireOn } from "./util";

/**
 * The log group a function writes to: the stack's group (if any) and the name Lambda will use.
 * undefined when that cannot be decided yet (names unknown during preview).
 */
function logGroupOf(
  fn: PolicyResource,
  groups: PolicyResource[],
): { group?: PolicyResource; expected: string } | undefined {
  // loggingConfig.logGroup depends on the group resource when it is passed by reference.
  const byDependency = groups.find((g) =>
    (fn.propertyDependencies?.loggingConfig ?? []).some((d) => d.urn === g.urn),
  );
  if (byDependency) {
    const name = known(() => byDependency.props.name as unknown);
    return { group: byDependency, expected: isSet(name) ? String(name) : byDependency.name };
  }
  const configured = known(() => fn.props.loggingConfig?.logGroup as unknown);
  if (configured === UNKNOWN || configured === null) return undefined;
  let expected: string;
  if (isSet(configured)) {
    expected = String(configured);
  } else {
    // Without loggingConfig.logGroup, Lambda writes to /aws/lambda/<function name>.
    const fnName = known(() => fn.props.name as unknown);
    if (!isSet(fnName)) return undefined;
    expected = `/aws/lambda/${String(fnName)}`;
  }
  return { group: groups.find((g) => known(() => g.props.name) === expected), expected };
}

/**
 * A function's logs have a retention period: Lambda otherwise creates /aws/lambda/<name> on first
 * invocation with "never expire", which grows cost forever and is outside the stack's control.
 */
export const lambdaLogRetention: Rule = {
  name: "lambda-log-retention",
  description:
    "Every Lambda function logs to a log group of the stack (loggingConfig.logGroup or /aws/lambda/<name>) with retentionInDays set.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = args.resources.filter((r) => r.isType(aws.cloudwatch.LogGroup));
    for (const fn of args.resources.filter((r) => r.isType(aws.lambda.Function))) {
      const found = logGroupOf(fn, groups);
      // Name of the group still unknown (preview): decided on `up`.
      if (!found) continue;
      if (!found.group) {
        report(
          `Function ${fn.name} logs to ${found.expected}, which the stack does not create; Lambda would create it ` +
            "with no retention. Add an aws.cloudwatch.LogGroup with retentionInDays and set loggingConfig.logGroup.",
          fn.urn,
        );
        continue;
      }
      const days = known(() => found.group?.props.retentionInDays as unknown);
      if (days === UNKNOWN) continue;
      if (typeof days !== "number" || days <= 0) {
        report(
          `Function ${fn.name} logs to ${found.expected}, whose logs never expire; set retentionInDays.`,
          fn.urn,
        );
      }
    }
  },
};

/** Only supported Node.js runtimes: deprecated ones stop receiving patches, then block updates. */
export const lambdaSupportedRuntime: Rule = {
  name: "lambda-supported-runtime",
  description: `Zip-packaged Lambda functions use a supported runtime (${SUPPORTED_NODE_RUNTIMES.join(", ")}).`,
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
    if (fn.packageType === "Image") return;
    const runtime = fn.runtime as string | undefined;
    if ((SUPPORTED_NODE_RUNTIMES as readonly string[]).includes(runtime ?? "")) return;
    report(
      `runtime is ${JSON.stringify(runtime ?? null)}; use one of ${SUPPORTED_NODE_RUNTIMES.join(", ")}.`,
    );
  }),
};

/** Graviton costs less per GB-second for the same work; x86 only where a native dependency needs it. */
export const lambdaArm64: Rule = {
  name: "lambda-arm64",
  description: "Lambda functions run on arm64 (Graviton).",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
    const archs = asArray(fn.architectures);
    if (archs.includes(LAMBDA_ARCHITECTURE)) return;
    report(
      `architectures is ${JSON.stringify(archs.length ? archs : ["x86_64"])}; use ["${LAMBDA_ARCHITECTURE}"].`,
    );
  }),
};

/** X-Ray active tracing, so a request can be followed across API, functions and queues. */
export const lambdaTracingActive = requireOn(aws.lambda.Function, {
  name: "lambda-tracing-active",
  description: "Lambda functions have X-Ray active tracing (tracingConfig.mode Active).",
  enforcementLevel: "advisory",
  ok: (fn) => fn.tracingConfig?.mode === "Active",
  fix: (fn) =>
    `tracingConfig.mode is ${JSON.stringify(fn.tracingConfig?.mode ?? "PassThrough")}; set it to "Active".`,
});

export const LAMBDA_RULES: Rule[] = [
  lambdaLogRetention,
  lambdaSupportedRuntime,
  lambdaArm64,
  lambdaTracingActive,
];
