/**
 * Hand-written resources in the recorder's shape (scripts/harness/recorder.ts RecordedResource):
 * a small stack that satisfies every rule, and helpers to break it one rule at a time.
 */
import type { RecordedResource } from "../../scripts/harness/recorder";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
const PREFIX = "urn:pulumi:test::aws-serverless-flows::";

export function urnOf(type: string, name: string): string {
  return `${PREFIX}${type}::${name}`;
}

/** One resource; state defaults to the inputs (add identifiers through `state`). */
export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: { state?: Record<string, unknown>; dependsOn?: string[]; parent?: string | null } = {},
): RecordedResource {
  return {
    urn: urnOf(type, name),
    type,
    name,
    parent: extra.parent ?? null,
    custom: true,
    inputs,
    state: { ...inputs, ...extra.state },
    dependsOn: extra.dependsOn ?? [],
  };
}

export const T = {
  queue: "aws:sqs/queue:Queue",
  topic: "aws:sns/topic:Topic",
  table: "aws:dynamodb/table:Table",
  stream: "aws:kinesis/stream:Stream",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  sseV2:
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  fn: "aws:lambda/function:Function",
  key: "aws:kms/key:Key",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  redrive: "aws:sqs/redrivePolicy:RedrivePolicy",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  notification: "aws:s3/bucketNotification:BucketNotification",
  permission: "aws:lambda/permission:Permission",
  esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
  invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  alias: "aws:kms/alias:Alias",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  httpStage: "aws:apigatewayv2/stage:Stage",
  route: "aws:apigatewayv2/route:Route",
  restStage: "aws:apigateway/stage:Stage",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  usagePlan: "aws:apigateway/usagePlan:UsagePlan",
  method: "aws:apigateway/method:Method",
  ecsService: "aws:ecs/service:Service",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
} as const;

export const KEY_ID = "0b5f4f1e-1111-4222-8333-944445555666";
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;

/**
 * The key policy statement AWS's default key policy starts with: the account root may do anything
 * with the key, so IAM policies can grant its use (not an identity policy's kms:* on "*").
 */
export const ACCOUNT_ROOT_KEY_ADMIN = {
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: "kms:*",
  Resource: "*",
};

/** Identifiers the baseline's resources get, as the mock state would give them. */
const sqsUrl = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
export const WORK = {
  name: "work-2c26b46",
  arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:work-2c26b46`,
  url: sqsUrl("work-2c26b46"),
};
export const DLQ = {
  name: "work-dlq-3e23e81",
  arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:work-dlq-3e23e81`,
  url: sqsUrl("work-dlq-3e23e81"),
};
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:events-8d969ee`;
export const BUCKET = "uploads-5d41402";
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const STREAM_ARN = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/clicks-6b86b27`;
export const FUNCTION_NAME = "api-1a2b3c4";
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION_NAME}`;
export const ALARM_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`;
export const ALB_SG = "sg-0a1b2c3d4e5f60718";
export const TASK_SG = "sg-0f1e2d3c4b5a69788";
export const LB_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/public-4e07408/50dc6c495c0c9188`;
export const HTTP_API = "a1b2c3d4e5";
export const REST_API = "r1s2t3u4v5";
const LOG_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/apigateway/test/access`;

/** The TLS-only guard of a resource policy (components/security/iam.ts denyInsecureTransport). */
export function denyTls(action: string, resources: string[]): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** A service principal allowed `action` on `resource`, limited to `sourceArn`. */
export function allowService(
  service: string,
  action: string | string[],
  resource: string,
  sourceArn: string,
): Record<string, unknown> {
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: action,
    Resource: resource,
    Condition: { ArnEquals: { "aws:SourceArn": sourceArn } },
  };
}

/** IAM policy JSON, as policyDocument() serialises it. */
export function doc(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** A function with everything the rules want, logging to `logGroupName`. */
export function goodFunction(name: string, logGroupName: string): RecordedResource {
  return res(
    T.fn,
    name,
    {
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      role: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      timeout: 10,
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: logGroupName },
    },
    {
      state: {
        name: `${name}-1a2b3c4`,
        arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}-1a2b3c4`,
      },
    },
  );
}

/**
 * A small stack that passes every rule: the baseline each bad fixture changes one thing in. Its
 * wiring: S3 notifies the topic and the function, the topic feeds the work queue (both encrypted
 * with the data key), the function consumes the queue (DLQ alarmed) and the Kinesis stream.
 */
export function goodStack(): RecordedResource[] {
  const bucketName = BUCKET;
  return [
    res(
      T.key,
      "data",
      {
        description: "data key",
        enableKeyRotation: true,
        // Key policies legitimately give the account root kms:* on "*": not an identity policy.
        policy: doc(
          ACCOUNT_ROOT_KEY_ADMIN,
          allowService(
            "sns.amazonaws.com",
            ["kms:GenerateDataKey*", "kms:Decrypt"],
            "*",
            TOPIC_ARN,
          ),
          allowService(
            "s3.amazonaws.com",
            ["kms:GenerateDataKey*", "kms:Decrypt"],
            "*",
            BUCKET_ARN,
          ),
        ),
      },
      { state: { arn: KEY_ARN, keyId: KEY_ID } },
    ),
    res(
      T.queue,
      "work",
      {
        kmsMasterKeyId: KEY_ARN,
        visibilityTimeoutSeconds: 60,
        messageRetentionSeconds: 345600,
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ.arn, maxReceiveCount: 5 }),
      },
      { state: WORK },
    ),
    res(
      T.queue,
      "work-dlq",
      { sqsManagedSseEnabled: true, messageRetentionSeconds: 1209600 },
      { state: DLQ },
    ),
    res(T.queuePolicy, "work", {
      queueUrl: WORK.url,
      policy: doc(
        allowService("sns.amazonaws.com", "sqs:SendMessage", WORK.arn, TOPIC_ARN),
        denyTls("sqs:*", [WORK.arn]),
      ),
    }),
    res(T.queuePolicy, "work-dlq", {
      queueUrl: DLQ.url,
      policy: doc(denyTls("sqs:*", [DLQ.arn])),
    }),
    res(T.topic, "events", { kmsMasterKeyId: KEY_ARN }, { state: { arn: TOPIC_ARN } }),
    res(T.topicPolicy, "events", {
      arn: TOPIC_ARN,
      policy: doc(
        {
          ...allowService("s3.amazonaws.com", "sns:Publish", TOPIC_ARN, BUCKET_ARN),
          Condition: {
            ArnLike: { "aws:SourceArn": BUCKET_ARN },
            StringEquals: { "aws:SourceAccount": ACCOUNT },
          },
        },
        denyTls("sns:Publish", [TOPIC_ARN]),
      ),
    }),
    res(T.subscription, "work", {
      topic: TOPIC_ARN,
      protocol: "sqs",
      endpoint: WORK.arn,
      rawMessageDelivery: true,
    }),
    res(T.table, "items", {
      billingMode: "PAY_PER_REQUEST",
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
    }),
    res(
      T.stream,
      "clicks",
      { encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis" },
      { state: { arn: STREAM_ARN } },
    ),
    res(T.bucket, "uploads", {}, { state: { bucket: bucketName, arn: BUCKET_ARN } }),
    res(
      T.sse,
      "uploads",
      {
        bucket: bucketName,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: KEY_ARN,
            },
          },
        ],
      },
      { dependsOn: [urnOf(T.bucket, "uploads")] },
    ),
    res(T.bucketPolicy, "uploads", {
      bucket: bucketName,
      policy: doc(denyTls("s3:*", [BUCKET_ARN, `${BUCKET_ARN}/*`])),
    }),
    res(T.publicAccessBlock, "uploads", {
      bucket: bucketName,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    res(T.versioning, "uploads", {
      bucket: bucketName,
      versioningConfiguration: { status: "Enabled" },
    }),
    res(T.lifecycle, "uploads", {
      bucket: bucketName,
      rules: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: 30 },
        },
      ],
    }),
    res(T.notification, "uploads", {
      bucket: bucketName,
      topics: [{ id: "events", events: ["s3:ObjectCreated:*"], topicArn: TOPIC_ARN }],
      lambdaFunctions: [
        { id: "api", events: ["s3:ObjectRemoved:*"], lambdaFunctionArn: FUNCTION_ARN },
      ],
    }),
    res(T.permission, "uploads-api", {
      action: "lambda:InvokeFunction",
      function: FUNCTION_NAME,
      principal: "s3.amazonaws.com",
      sourceArn: BUCKET_ARN,
      sourceAccount: ACCOUNT,
    }),
    res(T.logGroup, "api", {
      name: "/aws/lambda/test/api",
      retentionInDays: 14,
      kmsKeyId: KEY_ARN,
    }),
    res(T.role, "api", {
      // Trust policies are not identity policies either.
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    }),
    res(T.rolePolicy, "api", {
      role: "api-7c4a8d0",
      policy: doc(
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/test/api:*`],
        },
        {
          Effect: "Allow",
          Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
          Resource: ["*"],
        },
        {
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
          Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/items-9f86d08`,
        },
        // A Deny may use a service wildcard.
        {
          Effect: "Deny",
          Action: "dynamodb:*",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ),
    }),
    goodFunction("api", "/aws/lambda/test/api"),
    res(T.esm, "work", {
      eventSourceArn: WORK.arn,
      functionName: FUNCTION_ARN,
      batchSize: 10,
      functionResponseTypes: ["ReportBatchItemFailures"],
    }),
    res(T.esm, "clicks", {
      eventSourceArn: STREAM_ARN,
      functionName: FUNCTION_NAME,
      startingPosition: "TRIM_HORIZON",
      functionResponseTypes: ["ReportBatchItemFailures"],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 3600,
      destinationConfig: { onFailure: { destinationArn: DLQ.arn } },
    }),
    res(T.alarm, "api-errors", {
      metricName: "Errors",
      namespace: "AWS/Lambda",
      alarmActions: [ALARM_TOPIC_ARN],
    }),
    res(T.alarm, "work-dlq-depth", {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: DLQ.name },
      statistic: "Maximum",
      threshold: 1,
      alarmActions: [ALARM_TOPIC_ARN],
    }),
    res(T.firehose, "archive", {
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY_ARN },
      extendedS3Configuration: {
        bucketArn: BUCKET_ARN,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/fh`,
      },
    }),
    res(T.httpStage, "api", {
      apiId: HTTP_API,
      name: "$default",
      autoDeploy: true,
      accessLogSettings: { destinationArn: LOG_ARN, format: '{"requestId":"$context.requestId"}' },
      defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
    }),
    res(T.route, "items", {
      apiId: HTTP_API,
      routeKey: "GET /items",
      authorizationType: "JWT",
      authorizerId: "c0ffee1",
    }),
    res(
      T.restStage,
      "ingest",
      {
        restApi: REST_API,
        stageName: "v1",
        deployment: "d3pl0y",
        accessLogSettings: {
          destinationArn: LOG_ARN,
          format: '{"requestId":"$context.requestId"}',
        },
      },
      { state: { arn: `arn:aws:apigateway:${REGION}::/restapis/${REST_API}/stages/v1` } },
    ),
    res(T.methodSettings, "ingest", {
      restApi: REST_API,
      stageName: "v1",
      methodPath: "*/*",
      settings: { throttlingRateLimit: 10, throttlingBurstLimit: 20, metricsEnabled: true },
    }),
    res(T.method, "ingest-put", {
      restApi: REST_API,
      resourceId: "0dc369",
      httpMethod: "POST",
      authorization: "AWS_IAM",
    }),
    res(
      T.securityGroup,
      "public-alb",
      { vpcId: "vpc-0123456789abcdef0", description: "public load balancer" },
      { state: { arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${ALB_SG}` } },
    ),
    res(T.ingressRule, "public-alb-https", {
      securityGroupId: ALB_SG,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
    }),
    res(
      T.securityGroup,
      "tasks",
      { vpcId: "vpc-0123456789abcdef0", description: "tasks" },
      { state: { arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${TASK_SG}` } },
    ),
    res(T.ingressRule, "tasks-from-alb", {
      securityGroupId: TASK_SG,
      referencedSecurityGroupId: ALB_SG,
      ipProtocol: "tcp",
      fromPort: 8080,
      toPort: 8080,
    }),
    res(
      T.loadBalancer,
      "public",
      { internal: false, loadBalancerType: "application", securityGroups: [ALB_SG] },
      { state: { arn: LB_ARN } },
    ),
    res(T.listener, "https", { loadBalancerArn: LB_ARN, port: 443, protocol: "HTTPS" }),
    res(T.ecsService, "web", {
      launchType: "FARGATE",
      networkConfiguration: {
        assignPublicIp: false,
        subnets: ["subnet-0aa", "subnet-0bb"],
        securityGroups: [TASK_SG],
      },
    }),
  ];
}

/** goodStack() with the resource `type`/`name` replaced (inputs merged, state rebuilt). */
export function withChange(
  type: string,
  name: string,
  change: (inputs: Record<string, unknown>) => Record<string, unknown>,
): RecordedResource[] {
  return withChanges([type, name, change]);
}

/** Drops `key` from an object (a "not set" input). */
export function without(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** goodStack() plus `extra` resources. */
export function withAdded(...extra: RecordedResource[]): RecordedResource[] {
  return [...goodStack(), ...extra];
}

/** goodStack() without the resource `type`/`name`. */
export function withRemoved(type: string, name: string): RecordedResource[] {
  const stack = goodStack();
  if (!stack.some((r) => r.type === type && r.name === name)) {
    throw new Error(`goodStack has no ${type} ${name}`);
  }
  return stack.filter((r) => !(r.type === type && r.name === name));
}

/** Applies several changes in turn (each `[type, name, change]`) to goodStack(). */
export function withChanges(
  ...changes: [string, string, (inputs: Record<string, unknown>) => Record<string, unknown>][]
): RecordedResource[] {
  let stack = goodStack();
  for (const [type, name, change] of changes) {
    const i = stack.findIndex((r) => r.type === type && r.name === name);
    if (i < 0) throw new Error(`goodStack has no ${type} ${name}`);
    const old = stack[i];
    const inputs = change({ ...old.inputs });
    const ids = Object.fromEntries(Object.entries(old.state).filter(([k]) => !(k in old.inputs)));
    stack = [
      ...stack.slice(0, i),
      { ...old, inputs, state: { ...inputs, ...ids } },
      ...stack.slice(i + 1),
    ];
  }
  return stack;
}

/** The same resources as deployed to stack `stack` (their URNs name it). */
export function inStack(stack: string, resources: RecordedResource[]): RecordedResource[] {
  const move = (urn: string) => urn.replace(/^urn:pulumi:[^:]+::/, `urn:pulumi:${stack}::`);
  return resources.map((r) => ({
    ...r,
    urn: move(r.urn),
    parent: r.parent ? move(r.parent) : r.parent,
    dependsOn: r.dependsOn.map(move),
  }));
}

/**
 * What a bucket needs besides itself to pass every rule: TLS-only policy, public access block,
 * versioning and noncurrent-version expiry. `bucket` is the name the resources target (null while
 * unknown, with `dependsOnUrn` then naming the bucket through property dependencies, as in preview).
 */
export function bucketExtras(
  name: string,
  bucket: string | null,
  arn: string | null,
  dependsOnUrn?: string,
): RecordedResource[] {
  const deps = dependsOnUrn ? { propertyDependencies: { bucket: [dependsOnUrn] } } : {};
  const extra = (type: string, inputs: Record<string, unknown>) =>
    ({ ...res(type, name, { bucket, ...inputs }), ...deps }) as RecordedResource;
  return [
    extra(T.bucketPolicy, {
      policy: arn === null ? null : doc(denyTls("s3:*", [arn, `${arn}/*`])),
    }),
    extra(T.publicAccessBlock, {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    extra(T.versioning, { versioningConfiguration: { status: "Enabled" } }),
    extra(T.lifecycle, {
      rules: [
        { status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
      ],
    }),
  ];
}
