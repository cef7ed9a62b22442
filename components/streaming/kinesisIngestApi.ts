import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { metricAlarm } from "../observability/alarms";
import { percentilesWidget } from "../observability/widgets";
import { DashboardRow, metric } from "../observability/flowDashboard";
import { allow, assumeRolePolicy, policyDocument } from "../security/iam";
import { Transform, transform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";
import {
  IngestPlan,
  KinesisIngestApiArgs,
  checkIngestArgs,
  planIngest,
} from "./kinesisIngestApiArgs";
import {
  ACCESS_LOG_FORMAT,
  BAD_REQUEST_BODY_TEMPLATE,
  JSON_CONTENT,
  routesFingerprint,
} from "./kinesisIngestTemplates";
import { createIngestRoutes } from "./kinesisIngestRoutes";
import { createAccountLogsSetting } from "./apiGatewayAccountLogs";

// The models, templates and responses live in kinesisIngestTemplates.ts; one import for users.
export * from "./kinesisIngestTemplates";

export { checkIngestArgs } from "./kinesisIngestApiArgs";
export type { KinesisIngestApiArgs, QuotaPeriod } from "./kinesisIngestApiArgs";

/**
 * API Gateway REST API as a Kinesis proxy, so clients never hold Kinesis credentials or know the
 * stream: `POST /record` (PutRecord) and `POST /records` (PutRecords, up to 500), bodies validated
 * against JSON schema models before any call, mapping templates that base64-encode the data, a role
 * that may only put records into this one stream, API keys with a usage plan (throttle and quota),
 * stage throttling, JSON access logs, execution error logs with retention, X-Ray, and alarms.
 */
export class KinesisIngestApi extends pulumi.ComponentResource {
  readonly restApi: aws.apigateway.RestApi;
  readonly role: aws.iam.Role;
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly requestValidator: aws.apigateway.RequestValidator;
  readonly models: Record<"record" | "records", aws.apigateway.Model>;
  readonly methods: Record<"record" | "records", aws.apigateway.Method>;
  readonly integrations: Record<"record" | "records", aws.apigateway.Integration>;
  readonly deployment: aws.apigateway.Deployment;
  readonly stage: aws.apigateway.Stage;
  readonly methodSettings: aws.apigateway.MethodSettings;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  readonly executionLogGroup: aws.cloudwatch.LogGroup;
  readonly apiKey: aws.apigateway.ApiKey;
  readonly usagePlan: aws.apigateway.UsagePlan;
  /** The account-level logging role setting; only with `manageAccountLogsRole`. */
  readonly account?: aws.apigateway.Account;
  /** Base URL of the stage; POST to `${url}/record` or `${url}/records`. */
  readonly url: pulumi.Output<string>;
  readonly apiKeyId: pulumi.Output<string>;
  private readonly logicalName: string;

  /** Resolved args the steps share. */
  private readonly settings: IngestPlan;
  private readonly args: KinesisIngestApiArgs;
  private readonly t: NonNullable<KinesisIngestApiArgs["transform"]>;
  private readonly region: pulumi.Output<string>;
  private readonly accountId: pulumi.Output<string>;

  constructor(name: string, args: KinesisIngestApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:streaming:KinesisIngestApi", name, {}, opts);
    checkIngestArgs(new ArgumentErrors("KinesisIngestApi", name), "", args).throwIfAny();
    this.logicalName = name;
    this.args = args;
    this.t = args.transform ?? {};
    this.settings = planIngest(args);
    this.region = aws.getRegionOutput({}, { parent: this }).region;
    this.accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    this.restApi = this.createRestApi();
    // The only thing the proxy may do: put records into this stream.
    this.role = this.createApiGatewayRole(
      `${name}-kinesis`,
      `API Gateway ${name} puts records into its stream`,
      this.t.role,
    );
    this.rolePolicy = this.createRolePolicy();
    this.requestValidator = this.createRequestValidator();
    const routes = createIngestRoutes({
      name,
      parent: this,
      restApi: this.restApi,
      requestValidator: this.requestValidator,
      role: this.role,
      rolePolicy: this.rolePolicy,
      region: this.region,
      authorization: this.settings.authorization,
      streamName: args.streamName,
      t: this.t,
    });
    this.models = routes.models;
    this.methods = routes.methods;
    this.integrations = routes.integrations;
    const badRequestBody = this.createBadRequestResponse();
    this.deployment = this.createDeployment([
      ...Object.values(routes.methods),
      ...Object.values(routes.integrations),
      ...routes.others,
      badRequestBody,
    ]);
    this.accessLogGroup = this.createAccessLogGroup();
    this.executionLogGroup = this.createExecutionLogGroup();
    if (args.manageAccountLogsRole) {
      this.account = createAccountLogsSetting(name, {
        role: (n, description, hook) => this.createApiGatewayRole(n, description, hook),
        region: this.region,
        accountId: this.accountId,
        t: this.t,
        parent: this,
      });
    }
    this.stage = this.createStage();
    this.methodSettings = this.createMethodSettings();
    this.apiKey = new aws.apigateway.ApiKey(
      ...transform(
        this.t.apiKey,
        name,
        { description: `Producer key for ${name}`, enabled: true },
        { parent: this },
      ),
    );
    this.usagePlan = this.createUsagePlan();
    if (args.alarmTopicArn) this.createAlarm(args.alarmTopicArn);

    this.url = this.stage.invokeUrl;
    this.apiKeyId = this.apiKey.id;
    this.registerOutputs({ url: this.url, apiKeyId: this.apiKeyId });
  }

  private createRestApi(): aws.apigateway.RestApi {
    const name = this.logicalName;
    return new aws.apigateway.RestApi(
      ...transform(
        this.t.restApi,
        name,
        {
          description: `Kinesis ingest proxy ${name}: POST /record and POST /records`,
          endpointConfiguration: { types: "REGIONAL" },
          // Producers send their key in the x-api-key header.
          apiKeySource: "HEADER",
        },
        { parent: this },
      ),
    );
  }

  /** A role API Gateway of this account assumes. */
  private createApiGatewayRole(
    n: string,
    description: string,
    hook: Transform<aws.iam.RoleArgs> | undefined,
  ): aws.iam.Role {
    return new aws.iam.Role(
      ...transform(
        hook,
        n,
        {
          assumeRolePolicy: assumeRolePolicy("apigateway.amazonaws.com", this.accountId),
          description,
        },
        { parent: this },
      ),
    );
  }

  /** PutRecord(s) on this stream; data keys of its customer key only through Kinesis. */
  private createRolePolicy(): aws.iam.RolePolicy {
    const { streamArn, streamKmsKeyArn } = this.args;
    return new aws.iam.RolePolicy(
      ...transform(
        this.t.rolePolicy,
        `${this.logicalName}-kinesis`,
        {
          role: this.role.id,
          policy: policyDocument(
            [
              allow(["kinesis:PutRecord", "kinesis:PutRecords"], [streamArn]),
              ...(streamKmsKeyArn
                ? [
                    allow(["kms:GenerateDataKey"], [streamKmsKeyArn], {
                      StringEquals: {
                        "kms:ViaService": pulumi.interpolate`kinesis.${this.region}.amazonaws.com`,
                      },
                    }),
                  ]
                : []),
            ],
            `KinesisIngestApi "${this.logicalName}" role policy`,
          ),
        },
        { parent: this },
      ),
    );
  }

  private createRequestValidator(): aws.apigateway.RequestValidator {
    return new aws.apigateway.RequestValidator(
      ...transform(
        this.t.requestValidator,
        `${this.logicalName}-body`,
        {
          restApi: this.restApi.id,
          name: "validate-body",
          validateRequestBody: true,
          validateRequestParameters: true,
        },
        { parent: this },
      ),
    );
  }

  private createBadRequestResponse(): aws.apigateway.Response {
    return new aws.apigateway.Response(
      ...transform(
        this.t.gatewayResponse,
        `${this.logicalName}-bad-request-body`,
        {
          restApiId: this.restApi.id,
          responseType: "BAD_REQUEST_BODY",
          statusCode: "400",
          responseTemplates: { [JSON_CONTENT]: BAD_REQUEST_BODY_TEMPLATE },
        },
        { parent: this },
      ),
    );
  }

  /** A new deployment whenever anything the stage serves changes (templates, models, auth). */
  private createDeployment(dependsOn: pulumi.Resource[]): aws.apigateway.Deployment {
    const name = this.logicalName;
    const fingerprint = pulumi
      .all([this.args.streamName, this.args.streamArn])
      .apply(([stream, arn]) => routesFingerprint(stream, arn, this.settings.authorization));
    return new aws.apigateway.Deployment(
      ...transform(
        this.t.deployment,
        name,
        {
          restApi: this.restApi.id,
          description: `${name} routes`,
          triggers: { redeployment: fingerprint },
        },
        { parent: this, dependsOn },
      ),
    );
  }

  private createAccessLogGroup(): aws.cloudwatch.LogGroup {
    const name = this.logicalName;
    return new aws.cloudwatch.LogGroup(
      ...transform(
        this.t.accessLogGroup,
        `${name}-access`,
        {
          name: `/aws/apigateway/${pulumi.getProject()}-${pulumi.getStack()}/${name}/access`,
          retentionInDays: this.settings.retention,
          kmsKeyId: this.args.logKmsKeyArn,
        },
        { parent: this },
      ),
    );
  }

  /** API Gateway would create this group itself, with no retention; owning it sets one. */
  private createExecutionLogGroup(): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
      ...transform(
        this.t.executionLogGroup,
        `${this.logicalName}-execution`,
        {
          name: pulumi.interpolate`API-Gateway-Execution-Logs_${this.restApi.id}/${this.settings.stageName}`,
          retentionInDays: this.settings.retention,
          kmsKeyId: this.args.logKmsKeyArn,
        },
        { parent: this },
      ),
    );
  }

  private createStage(): aws.apigateway.Stage {
    return new aws.apigateway.Stage(
      ...transform(
        this.t.stage,
        this.logicalName,
        {
          restApi: this.restApi.id,
          deployment: this.deployment.id,
          stageName: this.settings.stageName,
          xrayTracingEnabled: true,
          accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
        },
        {
          parent: this,
          dependsOn: [this.executionLogGroup, ...(this.account ? [this.account] : [])],
        },
      ),
    );
  }

  private createMethodSettings(): aws.apigateway.MethodSettings {
    return new aws.apigateway.MethodSettings(
      ...transform(
        this.t.methodSettings,
        this.logicalName,
        {
          restApi: this.restApi.id,
          stageName: this.stage.stageName,
          methodPath: "*/*",
          settings: {
            metricsEnabled: true,
            loggingLevel: "ERROR",
            // Request bodies are customer data: never copied into execution logs.
            dataTraceEnabled: false,
            throttlingRateLimit: this.settings.rate,
            throttlingBurstLimit: this.settings.burst,
          },
        },
        { parent: this },
      ),
    );
  }

  /** Throttle and quota per API key, and the producers' key on it. */
  private createUsagePlan(): aws.apigateway.UsagePlan {
    const name = this.logicalName;
    const { rate, burst, quota } = this.settings;
    const plan = new aws.apigateway.UsagePlan(
      ...transform(
        this.t.usagePlan,
        name,
        {
          description: `Producers of ${name}`,
          apiStages: [{ apiId: this.restApi.id, stage: this.stage.stageName }],
          throttleSettings: { rateLimit: rate, burstLimit: burst },
          quotaSettings: { limit: quota, period: this.args.quotaPeriod ?? "DAY" },
        },
        { parent: this },
      ),
    );
    new aws.apigateway.UsagePlanKey(
      ...transform(
        this.t.usagePlanKey,
        name,
        { keyId: this.apiKey.id, keyType: "API_KEY", usagePlanId: plan.id },
        { parent: this },
      ),
    );
    return plan;
  }

  private createAlarm(topicArn: pulumi.Input<string>): void {
    const name = this.logicalName;
    metricAlarm(
      `${name}-5xx`,
      {
        description: `Ingest API ${name} returned 5XX (Kinesis unavailable or the role lost access; see the access log)`,
        namespace: "AWS/ApiGateway",
        metricName: "5XXError",
        dimensions: { ApiName: this.restApi.name, Stage: this.stage.stageName },
      },
      topicArn,
      this,
      this.t.alarm,
    );
  }

  /** Dashboard row of the REST API stage: requests, 4XX/5XX (rejected and failed puts), latency. */
  widgets(title = `Ingest API ${this.logicalName}`): DashboardRow[] {
    const m = (metricName: string, label: string, stat?: string) =>
      metric(
        "AWS/ApiGateway",
        metricName,
        { ApiName: this.restApi.name, Stage: this.stage.stageName },
        { label, stat },
      );
    return [
      {
        title,
        widgets: [
          { title: "Requests", lines: [m("Count", "requests")] },
          {
            title: "Errors",
            lines: [m("4XXError", "4XX (invalid, unauthorised, over quota)"), m("5XXError", "5XX")],
          },
          percentilesWidget("Latency (ms)", (stat, label) => m("Latency", label, stat), [
            m("IntegrationLatency", "Kinesis p99", "p99"),
          ]),
        ],
      },
    ];
  }
}
