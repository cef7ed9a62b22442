import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import {
  businessFiguresWidgets,
  businessMetricsNamespace,
  percentilesWidget,
} from "../observability/widgets";
import { bundleFunction } from "./bundle";
import {
  LAMBDA_ARCHITECTURE,
  LAMBDA_ASYNC_RETRIES,
  LAMBDA_MEMORY_MB,
  LAMBDA_RUNTIME,
  LAMBDA_TIMEOUT_SECONDS,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import { DashboardRow, metric } from "../observability/flowDashboard";
import {
  Statement,
  allow,
  assumeRolePolicy,
  leastPrivilegeProblems,
  policyDocument,
} from "../security/iam";
import { transform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import { BundledFunctionArgs, vpcNetworkStatements } from "./lambdaFunctionArgs";
import { FUNCTION_METRICS, powertoolsEnv } from "../../functions/lib/businessMetrics";

// The args and the VPC grants live in lambdaFunctionArgs.ts; one import for users.
export type { BundledFunctionArgs } from "./lambdaFunctionArgs";

/**
 * A Lambda function bundled from `functions/<code>/handler.ts`, with its own log group
 * (retention, JSON format), X-Ray tracing, arm64, and a role holding exactly the statements
 * passed in plus what the runtime itself needs (its log group, X-Ray, VPC networking).
 */
export class BundledFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** The function timeout, needed by queues sizing their visibility timeout. */
  readonly timeout: number;
  private readonly logicalName: string;
  private readonly asyncDestination: boolean;
  private readonly code: string;

  constructor(name: string, args: BundledFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:compute:BundledFunction", name, {}, opts);
    const timeout = args.timeout ?? LAMBDA_TIMEOUT_SECONDS;
    const retention = args.logRetentionDays ?? LOG_RETENTION_DAYS;
    const known = (args.statements ?? []).filter(
      (s): s is Statement => !pulumi.Output.isInstance(s) && !(s instanceof Promise),
    );
    new ArgumentErrors("BundledFunction", name)
      .check(
        timeout >= 1 && timeout <= 900,
        "timeout",
        `${timeout} is outside 1-900 s`,
        "use 1 to 900",
      )
      .checkLogRetention(retention)
      .check(
        leastPrivilegeProblems(known).length === 0,
        "statements",
        leastPrivilegeProblems(known).join("; "),
        "list explicit actions on explicit resource ARNs",
      )
      .check(
        args.asyncRetries === undefined ||
          (args.asyncRetries >= 0 && args.asyncRetries <= LAMBDA_ASYNC_RETRIES),
        "asyncRetries",
        `${args.asyncRetries} is outside 0-2`,
        "use 0, 1 or 2",
      )
      .throwIfAny();
    this.timeout = timeout;
    this.logicalName = name;
    this.code = args.code;
    this.asyncDestination = args.onFailureQueueArn !== undefined;
    const bundle = bundleFunction(args.code, args.functionsDir);
    args.vpc?.callLedger?.record(name, "function", args.statements ?? []);

    this.logGroup = new aws.cloudwatch.LogGroup(
      ...transform(
        args.transform?.logGroup,
        name,
        {
          name: `/aws/lambda/${pulumi.getProject()}-${pulumi.getStack()}/${name}`,
          retentionInDays: retention,
          kmsKeyId: args.logKmsKeyArn,
        },
        { parent: this },
      ),
    );

    this.role = new aws.iam.Role(
      ...transform(
        args.transform?.role,
        name,
        {
          assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
          description: `Role of function ${name}`,
        },
        { parent: this },
      ),
    );

    const runtimeStatements: pulumi.Input<Statement>[] = [
      allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [pulumi.interpolate`${this.logGroup.arn}:*`],
      ),
      // X-Ray has no resource-level permissions.
      allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
    ];
    if (args.vpc) runtimeStatements.push(...vpcNetworkStatements(args.vpc, { parent: this }));
    if (args.onFailureQueueArn) {
      runtimeStatements.push(allow(["sqs:SendMessage"], [args.onFailureQueueArn]));
    }
    this.policy = new aws.iam.RolePolicy(
      ...transform(
        args.transform?.policy,
        name,
        {
          role: this.role.id,
          policy: policyDocument(
            [...runtimeStatements, ...(args.statements ?? [])],
            `BundledFunction "${name}" role policy`,
          ),
        },
        { parent: this },
      ),
    );

    this.function = new aws.lambda.Function(
      ...transform(
        args.transform?.function,
        name,
        {
          description: args.description ?? `${args.code} (bundled from functions/${args.code})`,
          runtime: LAMBDA_RUNTIME,
          architectures: [LAMBDA_ARCHITECTURE],
          handler: "index.handler",
          code: new pulumi.asset.AssetArchive(
            Object.fromEntries(
              Object.entries(bundle.files).map(([file, text]) => [
                file,
                new pulumi.asset.StringAsset(text),
              ]),
            ),
          ),
          sourceCodeHash: bundle.sha256,
          role: this.role.arn,
          timeout,
          memorySize: args.memorySize ?? LAMBDA_MEMORY_MB,
          reservedConcurrentExecutions: args.reservedConcurrency,
          // Powertools reads these: the Metrics namespace and the `service` of every log line and
          // figure (the figures' dimension, one series per function; see widgets()). The EMF
          // lines have no `level`, which Lambda's log-level filter counts as INFO, so they pass
          // applicationLogLevel INFO
          // (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
          environment: {
            variables: {
              ...powertoolsEnv.environment({
                serviceName: name,
                metricsNamespace: businessMetricsNamespace(),
              }),
              ...args.environment,
            },
          },
          tracingConfig: { mode: "Active" },
          loggingConfig: {
            logFormat: "JSON",
            logGroup: this.logGroup.name,
            applicationLogLevel: "INFO",
            systemLogLevel: "WARN",
          },
          vpcConfig: args.vpc && {
            subnetIds: args.vpc.subnetIds,
            securityGroupIds: args.vpc.securityGroupIds,
          },
        },
        { parent: this, dependsOn: [this.policy, this.logGroup] },
      ),
    );
    this.arn = this.function.arn;
    this.name = this.function.name;

    if (args.onFailureQueueArn) {
      new aws.lambda.FunctionEventInvokeConfig(
        ...transform(
          args.transform?.eventInvokeConfig,
          name,
          {
            functionName: this.function.name,
            maximumRetryAttempts: args.asyncRetries ?? LAMBDA_ASYNC_RETRIES,
            destinationConfig: { onFailure: { destination: args.onFailureQueueArn } },
          },
          { parent: this },
        ),
      );
    }

    if (args.alarmTopicArn) {
      const dimensions = { FunctionName: this.function.name };
      metricAlarm(
        `${name}-errors`,
        {
          description: `Function ${name} raised errors (see its log group)`,
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions,
        },
        args.alarmTopicArn,
        this,
        args.transform?.alarm,
      );
      metricAlarm(
        `${name}-throttles`,
        {
          description: `Function ${name} was throttled (raise concurrency or slow the source)`,
          namespace: "AWS/Lambda",
          metricName: "Throttles",
          dimensions,
        },
        args.alarmTopicArn,
        this,
        args.transform?.alarm,
      );
    }
    this.registerOutputs({ arn: this.arn, name: this.name });
  }

  /**
   * Dashboard row: invocations, errors and throttles; duration (p50, p99, max) against the
   * timeout; concurrency; the business figures the code publishes (rows written, duplicates
   * dropped, records refused), when it publishes any; and, for asynchronous invocations with a failure destination, events
   * received, dropped and not delivered to the destination.
   */
  widgets(title = `Function ${this.logicalName}`): DashboardRow[] {
    const m = (metricName: string, stat?: string, label?: string) =>
      metric("AWS/Lambda", metricName, { FunctionName: this.function.name }, { stat, label });
    return [
      {
        title,
        widgets: [
          {
            title: "Invocations, errors, throttles",
            lines: [m("Invocations"), m("Errors"), m("Throttles")],
          },
          percentilesWidget(
            "Duration (ms)",
            (stat, label) => m("Duration", stat, label),
            [m("Duration", "Maximum", "max")],
            { thresholds: [{ label: "timeout", value: this.timeout * 1000 }] },
          ),
          {
            title: "Concurrent executions",
            stat: "Maximum",
            lines: [m("ConcurrentExecutions")],
          },
          ...businessFiguresWidgets(FUNCTION_METRICS[this.code], this.logicalName),
          ...(this.asyncDestination
            ? [
                {
                  title: "Async events",
                  lines: [
                    m("AsyncEventsReceived"),
                    m("AsyncEventsDropped"),
                    m("DestinationDeliveryFailures"),
                  ],
                },
              ]
            : []),
        ],
      },
    ];
  }
}
