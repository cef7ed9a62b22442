/**
 * The components, one module per folder (the module of the type token `serverless:<module>:*`).
 * The five user-facing components come first; the building blocks they compose follow, from the
 * bottom layer up (see the README of each folder for what it may import). Code inside
 * components/ imports the file it needs, never this barrel (that would be an import cycle).
 */

// The five user-facing components.
export * from "./messaging/fanOutTopic";
export * from "./api/apiBackedLambda";
export * from "./containers/fargateService";
export * from "./streaming/kinesisPipeline";
export * from "./streaming/shardAutoscaler";

// Building blocks. core: transform hooks, argument validation, defaults and limits.
export * from "./core/defaults";
export * from "./core/transform";
export * from "./core/validate";
// security: IAM documents, KMS keys.
export * from "./security/iam";
export * from "./security/kmsKey";
// observability: alarms, the alarm topic, dashboards.
export * from "./observability/alarms";
export * from "./observability/alarmTopic";
export * from "./observability/flowDashboard";
// network: the VPC.
export * from "./network/network";
// compute: bundling, Lambda functions and their event sources.
export * from "./compute/bundle";
export * from "./compute/lambdaFunction";
export * from "./compute/eventSource";
export * from "./compute/queueConsumer";
// data: DynamoDB tables.
export * from "./data/secureTable";
// storage: S3 buckets and their notifications.
export * from "./storage/secureBucket";
export * from "./storage/bucketNotifications";
// messaging: SQS queues.
export * from "./messaging/secureQueue";
// api: HTTP APIs, Cognito authorizers, upload APIs.
export * from "./api/httpApi";
export * from "./api/cognitoAuth";
export * from "./api/objectUploadsApi";
export * from "./api/lambdaRoute";
// containers: the ECS cluster and its HTTP API.
export * from "./containers/fargateCluster";
// streaming: the stages of a Kinesis pipeline.
export * from "./streaming/kinesisIngestApi";
export * from "./streaming/streamConsumer";
export * from "./streaming/streamAnalytics";
export * from "./streaming/streamArchive";
export * from "./streaming/changeNotifier";
export * from "./streaming/shardAutoscalerArgs";
export * from "./streaming/scalableStream";

// Two access-log formats share a name: the HTTP APIs' (an object) and the REST ingest API's (a
// template string). The barrel names each once.
export { ACCESS_LOG_FORMAT } from "./api/httpApi";
export { ACCESS_LOG_FORMAT as INGEST_ACCESS_LOG_FORMAT } from "./streaming/kinesisIngestApi";
