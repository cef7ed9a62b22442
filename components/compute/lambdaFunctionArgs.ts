import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Transforms } from "../core/transform";
import type { CallLedger } from "../security/callLedger";
import { Statement, allow } from "../security/iam";

export interface BundledFunctionArgs {
  /** Folder under `functions/` whose `handler.ts` exports `handler`. Required. */
  code: string;
  /**
   * Folder holding the function folders.
   * @default the repository's `functions/`
   */
  functionsDir?: string;
  /**
   * Least-privilege grants for the role: explicit actions on explicit resources.
   * @default none
   */
  statements?: pulumi.Input<Statement>[];
  /**
   * Environment variables.
   * @default none
   */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Seconds.
   * @default 10
   */
  timeout?: number;
  /**
   * MB.
   * @default 256
   */
  memorySize?: number;
  /**
   * Reserved concurrency.
   * @default unreserved
   */
  reservedConcurrency?: number;
  /**
   * Run in these private subnets with these security groups.
   * @default no VPC
   */
  vpc?: {
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Where the function's grants are recorded, so a NAT-free VPC gets its endpoints.
     * @default none
     */
    callLedger?: CallLedger;
  };
  /**
   * Log retention in days (a value CloudWatch accepts).
   * @default 14
   */
  logRetentionDays?: number;
  /**
   * KMS key for the log group.
   * @default CloudWatch Logs' own encryption
   */
  logKmsKeyArn?: pulumi.Input<string>;
  /**
   * Topic for the errors and throttles alarms.
   * @default no alarms
   */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * For asynchronous invocations (S3, SNS direct): failed events go to this SQS queue.
   * @default none
   */
  onFailureQueueArn?: pulumi.Input<string>;
  /**
   * Retries of a failed asynchronous invocation (0-2).
   * @default 2
   */
  asyncRetries?: number;
  /**
   * Description shown in the console.
   * @default names the code folder it was bundled from
   */
  description?: string;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    role: aws.iam.RoleArgs;
    policy: aws.iam.RolePolicyArgs;
    logGroup: aws.cloudwatch.LogGroupArgs;
    function: aws.lambda.FunctionArgs;
    /** The async invocation settings (with `onFailureQueueArn`). */
    eventInvokeConfig: aws.lambda.FunctionEventInvokeConfigArgs;
    /** Both alarms (errors, throttles). */
    alarm: aws.cloudwatch.MetricAlarmArgs;
  }>;
}

/**
 * What Lambda needs to manage the function's Hyperplane ENIs, as the Lambda developer guide lists
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions,
 * AWSLambdaVPCAccessExecutionRole): the Describe calls have no resource type (`"*"` alone), the
 * rest are scoped to this account's ENIs and the function's own subnets and security groups.
 */
export function vpcNetworkStatements(
  vpc: NonNullable<BundledFunctionArgs["vpc"]>,
  opts: pulumi.InvokeOutputOptions,
): Statement[] {
  const region = aws.getRegionOutput({}, opts).region;
  const account = aws.getCallerIdentityOutput({}, opts).accountId;
  const ec2 = (resource: string) =>
    pulumi.interpolate`arn:aws:ec2:${region}:${account}:${resource}`;
  const enis = ec2("network-interface/*");
  const subnets = pulumi.output(vpc.subnetIds).apply((ids) => ids.map((id) => `subnet/${id}`));
  const groups = pulumi
    .output(vpc.securityGroupIds)
    .apply((ids) => ids.map((id) => `security-group/${id}`));
  const scoped = pulumi
    .all([region, account, subnets, groups])
    .apply(([r, a, s, g]) => [...s, ...g].map((x) => `arn:aws:ec2:${r}:${a}:${x}`));
  return [
    allow(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], ["*"]),
    allow(
      ["ec2:CreateNetworkInterface"],
      pulumi.all([enis, scoped]).apply(([e, s]) => [e, ...s]),
    ),
    allow(
      [
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      [enis],
    ),
  ];
}
