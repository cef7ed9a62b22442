import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  API_QUOTA_PER_DAY,
  API_THROTTLE_BURST,
  API_THROTTLE_RATE,
  LOG_RETENTION_DAYS,
} from "../core/defaults";
import type { Transforms } from "../core/transform";
import type { OperationsContext } from "../core/operations";
import { ArgumentErrors } from "../core/validate";

export type QuotaPeriod = "DAY" | "WEEK" | "MONTH";

/**
 * The alarm topic (`OperationsContext`) receives the 5XX and latency alarms; the log key and
 * retention apply to the access and execution log groups.
 */
export interface KinesisIngestApiArgs extends OperationsContext {
  /** Name of the stream records are put into. Required. */
  streamName: pulumi.Input<string>;
  /** ARN of that stream: the only resource the API's role may write to. Required. */
  streamArn: pulumi.Input<string>;
  /**
   * Customer-managed key the stream is encrypted with: producers need `kms:GenerateDataKey` on it,
   * granted only through Kinesis (`kms:ViaService`).
   * @default none (AWS-managed key)
   */
  streamKmsKeyArn?: pulumi.Input<string>;
  /**
   * Stage name, the first path segment of the URL.
   * @default "v1"
   */
  stageName?: string;
  /**
   * Caller authentication on top of the API key: "AWS_IAM" (SigV4, `execute-api:Invoke`) or "NONE"
   * (the API key alone identifies the caller).
   * @default "AWS_IAM"
   */
  authorization?: "AWS_IAM" | "NONE";
  /**
   * Steady-state requests per second (stage and usage plan).
   * @default 50 (`API_THROTTLE_RATE`)
   */
  throttleRateLimit?: number;
  /**
   * Burst of requests above the rate.
   * @default 100 (`API_THROTTLE_BURST`)
   */
  throttleBurstLimit?: number;
  /**
   * Requests per API key per `quotaPeriod`.
   * @default 1,000,000 (`API_QUOTA_PER_DAY`)
   */
  quotaLimit?: number;
  /**
   * Quota period.
   * @default "DAY"
   */
  quotaPeriod?: QuotaPeriod;
  /**
   * Set this region's account-wide API Gateway CloudWatch Logs role (REST API logging needs it). It
   * is one setting per account and region: turn it on in exactly one stack.
   * @default false
   */
  manageAccountLogsRole?: boolean;
  /**
   * Override hooks, one per child.
   * @default none
   */
  transform?: Transforms<{
    restApi: aws.apigateway.RestApiArgs;
    role: aws.iam.RoleArgs;
    stage: aws.apigateway.StageArgs;
    methodSettings: aws.apigateway.MethodSettingsArgs;
    usagePlan: aws.apigateway.UsagePlanArgs;
    accessLogGroup: aws.cloudwatch.LogGroupArgs;
    putRecordIntegration: aws.apigateway.IntegrationArgs;
    putRecordsIntegration: aws.apigateway.IntegrationArgs;
    rolePolicy: aws.iam.RolePolicyArgs;
    requestValidator: aws.apigateway.RequestValidatorArgs;
    /** Both routes' resources, models, methods and responses; names end in the path. */
    resource: aws.apigateway.ResourceArgs;
    model: aws.apigateway.ModelArgs;
    method: aws.apigateway.MethodArgs;
    methodResponse: aws.apigateway.MethodResponseArgs;
    integrationResponse: aws.apigateway.IntegrationResponseArgs;
    /** The BAD_REQUEST_BODY gateway response. */
    gatewayResponse: aws.apigateway.ResponseArgs;
    deployment: aws.apigateway.DeploymentArgs;
    executionLogGroup: aws.cloudwatch.LogGroupArgs;
    /** With `manageAccountLogsRole`: the account's logging role, its policy, the setting. */
    accountRole: aws.iam.RoleArgs;
    accountRolePolicy: aws.iam.RolePolicyArgs;
    account: aws.apigateway.AccountArgs;
    apiKey: aws.apigateway.ApiKeyArgs;
    usagePlanKey: aws.apigateway.UsagePlanKeyArgs;
    /** The 5XX alarm. */
    alarm: aws.cloudwatch.MetricAlarmArgs;
  }>;
}

/**
 * Records every problem with the API's arguments (`field` prefixes the names), so a component
 * embedding the API can reject bad arguments before creating anything.
 */
export function checkIngestArgs(
  errors: ArgumentErrors,
  field: string,
  args: Partial<KinesisIngestApiArgs>,
): ArgumentErrors {
  const f = (n: string) => (field ? `${field}.${n}` : n);
  const { stageName, rate, burst, quota, retention } = planIngest(args);
  return errors
    .check(
      /^[A-Za-z0-9_-]{1,128}$/.test(stageName),
      f("stageName"),
      `"${stageName}" is not a valid stage name`,
      "use letters, digits, - and _",
    )
    .check(rate > 0, f("throttleRateLimit"), `${rate} is not positive`, "use a rate above 0")
    .checkPositiveInteger(burst, f("throttleBurstLimit"))
    .checkPositiveInteger(quota, f("quotaLimit"), "use 1 or more requests per period")
    .checkLogRetention(retention, f("logRetentionDays"));
}

/** The ingest API's args with every default resolved. */
export interface IngestPlan {
  stageName: string;
  rate: number;
  burst: number;
  quota: number;
  retention: number;
  authorization: "AWS_IAM" | "NONE";
}

/** Resolves the defaults of the ingest API's args (no validation: see `checkIngestArgs`). */
export function planIngest(args: Partial<KinesisIngestApiArgs>): IngestPlan {
  return {
    stageName: args.stageName ?? "v1",
    rate: args.throttleRateLimit ?? API_THROTTLE_RATE,
    burst: args.throttleBurstLimit ?? API_THROTTLE_BURST,
    quota: args.quotaLimit ?? API_QUOTA_PER_DAY,
    retention: args.logRetentionDays ?? LOG_RETENTION_DAYS,
    authorization: args.authorization ?? "AWS_IAM",
  };
}
