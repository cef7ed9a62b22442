/**
 * The one place for secure and operational defaults shared by every component.
 * Components import these instead of repeating literals, so a default changes in one line.
 */
import { DEFAULT_CONTAINER_PORT } from "../../functions/lib/container/env";

/**
 * Lambda runtime: nodejs24.x, the current LTS Node runtime (nodejs20.x is past end of support).
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const LAMBDA_RUNTIME = "nodejs24.x";
/** esbuild target of the Lambda bundles and container apps: the Node the runtime runs. */
export const LAMBDA_NODE_TARGET = "node24";
/** Runtimes the policy pack accepts (supported, not deprecated). */
export const SUPPORTED_NODE_RUNTIMES = ["nodejs22.x", "nodejs24.x"] as const;
/** Graviton: ~20% cheaper per GB-second than x86_64 for the same work. */
export const LAMBDA_ARCHITECTURE = "arm64";
export const LAMBDA_TIMEOUT_SECONDS = 10;
export const LAMBDA_MEMORY_MB = 256;

/** CloudWatch Logs retention used when a component is not told otherwise. */
export const LOG_RETENTION_DAYS = 14;
/** The only values CloudWatch Logs accepts for `retentionInDays`. */
export const LOG_RETENTION_VALUES = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** SQS: how often a message is received before it moves to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/** AWS guidance: queue visibility timeout >= 6x the consuming function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** DLQs keep messages as long as SQS allows (14 days) so nothing expires before triage. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
/** SQS's own default; consumers with a known timeout should size it with VISIBILITY_TIMEOUT_FACTOR. */
export const QUEUE_VISIBILITY_TIMEOUT_SECONDS = 30;
/** SQS + KMS: reuse a data key for 5 minutes, trading a little key freshness for far fewer KMS calls. */
export const SQS_KMS_DATA_KEY_REUSE_SECONDS = 300;

/** S3: noncurrent object versions expire after this many days. */
export const NONCURRENT_VERSION_EXPIRATION_DAYS = 30;
/** S3: incomplete multipart uploads (billed, invisible in listings) are aborted after this many days. */
export const ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS = 7;

/** API Gateway stage throttling. */
export const API_THROTTLE_RATE = 50;
export const API_THROTTLE_BURST = 100;

/** KMS keys: days in the pending-deletion window (7 is the minimum AWS allows). */
export const KMS_DELETION_WINDOW_DAYS = 7;

/** CloudWatch alarms: period and evaluation shared by the "something is wrong" alarms. */
export const ALARM_PERIOD_SECONDS = 60;
export const ALARM_EVALUATION_PERIODS = 5;

/** Network: VPC size, subnet size and AZ spread used when a stack does not choose. */
export const VPC_CIDR = "10.0.0.0/16";
/** /20 subnets (4,091 usable addresses each): room for Lambda ENIs and Fargate tasks to scale. */
export const SUBNET_PREFIX_LENGTH = 20;
export const AZ_COUNT = 2;
/** One NAT gateway shared by all AZs: one NAT's hourly cost instead of one per AZ (not AZ-resilient). */
export const NAT_GATEWAYS = "single" as const;

/** SQS event source mappings: records per invocation (SQS's own default; FIFO allows at most 10). */
export const SQS_BATCH_SIZE = 10;
/** Lambda's limits for an SQS event source mapping. */
export const SQS_MAX_BATCH_SIZE = 10000;
export const SQS_FIFO_MAX_BATCH_SIZE = 10;
export const SQS_MAX_BATCHING_WINDOW_SECONDS = 300;
export const SQS_MAX_CONCURRENCY_RANGE = [2, 1000] as const;
/** Concurrent invocations an SQS consumer's queue may drive (protects what it writes to). */
export const SQS_CONSUMER_MAX_CONCURRENCY = 5;
/** Timeout of a queue worker that heads objects and writes rows (its queue's visibility is 6x). */
export const QUEUE_WORKER_TIMEOUT_SECONDS = 30;
/** A worker that reads whole objects (hashing): more time, and memory for more CPU. */
export const OBJECT_READER_TIMEOUT_SECONDS = 60;
export const OBJECT_READER_MEMORY_MB = 512;
/**
 * Retries of a failed asynchronous invocation (0-2), Lambda's own default.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export const LAMBDA_ASYNC_RETRIES = 2;

/** Fargate: the smallest task size (0.25 vCPU, 512 MiB); stacks size up per service. */
export const FARGATE_CPU = 256;
export const FARGATE_MEMORY_MB = 512;
/** Graviton for tasks too: ~20% cheaper per vCPU-hour than X86_64 on Fargate. */
export const FARGATE_CPU_ARCHITECTURE = "ARM64";
/** Port container apps listen on (unprivileged, so the app runs as a non-root user): the apps' own default. */
export const CONTAINER_PORT = DEFAULT_CONTAINER_PORT;
/** Tasks per service: one per AZ of the default 2-AZ network survives an AZ outage. */
export const FARGATE_DESIRED_COUNT = 2;
export const FARGATE_MAX_COUNT = 6;
/** Target tracking: average CPU % and ALB requests per target per minute to hold. */
export const FARGATE_CPU_TARGET_PERCENT = 60;
export const FARGATE_REQUESTS_PER_TARGET = 1000;
/** Scale out fast, scale in slowly (AWS's target-tracking guidance). */
export const SCALE_OUT_COOLDOWN_SECONDS = 60;
export const SCALE_IN_COOLDOWN_SECONDS = 300;
/** Seconds between SIGTERM and SIGKILL (Fargate allows up to 120): time to finish in-flight work. */
export const FARGATE_STOP_TIMEOUT_SECONDS = 30;
/** ALB draining before a task is stopped; AWS's 300 s default makes every deployment slow. */
export const ALB_DEREGISTRATION_DELAY_SECONDS = 30;
/** Seconds ECS ignores failing LB health checks of a new task while it starts. */
export const HEALTH_CHECK_GRACE_SECONDS = 60;
/** CPU and memory % that, sustained for the alarm window, mean the service is saturated. */
export const CONTAINER_UTILIZATION_ALARM_PERCENT = 85;
/** ECR: images kept per repository (older ones expire, tagged or not). */
export const ECR_KEEP_IMAGES = 10;

/** API Gateway: alarm when more than this share of requests in a period end in a 5xx. */
export const API_5XX_RATE_THRESHOLD = 0.05;
/** Cognito app clients: token lifetimes (access/id in hours, refresh in days). */
export const COGNITO_ACCESS_TOKEN_HOURS = 1;
export const COGNITO_REFRESH_TOKEN_DAYS = 30;
/** Cognito user pools: minimum password length (NIST SP 800-63B suggests 8+; 12 for admins' sake). */
export const COGNITO_MIN_PASSWORD_LENGTH = 12;

/** Kinesis: shards of a provisioned stream (1 MB/s or 1,000 records/s in, 2 MB/s out, each). */
export const KINESIS_SHARD_COUNT = 1;
/** Kinesis: hours a record stays readable (24 is the included minimum; up to 8,760). */
export const KINESIS_RETENTION_HOURS = 24;
/**
 * Kinesis retention limits: 24 hours to 365 days (8760 hours).
 * https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html
 */
export const KINESIS_RETENTION_HOURS_RANGE = [24, 8760] as const;
/** Shards of a stream this project creates (the default per-stream quota of most regions). */
export const KINESIS_MAX_SHARDS = 500;
/**
 * Shard-level metrics (billed per shard): the shard autoscaler and the hot-shard alarms read them,
 * and they are what tells a hot partition key from an undersized stream.
 */
export const KINESIS_SHARD_LEVEL_METRICS = [
  "IncomingBytes",
  "IncomingRecords",
  "OutgoingBytes",
  "OutgoingRecords",
  "WriteProvisionedThroughputExceeded",
  "ReadProvisionedThroughputExceeded",
  "IteratorAgeMilliseconds",
] as const;
/** Stream event source mappings (Kinesis, DynamoDB Streams): records per invocation. */
export const STREAM_BATCH_SIZE = 100;
/** Seconds Lambda gathers records before invoking (0-300): fewer, fuller invocations. */
export const STREAM_BATCHING_WINDOW_SECONDS = 1;
/** Retries of a failing stream batch before it goes to the on-failure destination (-1 = forever). */
export const STREAM_MAX_RETRY_ATTEMPTS = 3;
/** Records older than this are sent to the on-failure destination instead of blocking the shard. */
export const STREAM_MAX_RECORD_AGE_SECONDS = 3600;
/** Concurrent batches per shard (1-10); records of one partition key stay in order. */
export const STREAM_PARALLELIZATION_FACTOR = 1;
/** Tumbling window of the serverless analytics stage: per-minute aggregates. */
export const TUMBLING_WINDOW_SECONDS = 60;
/** Kinesis consumers fall behind when the oldest unread record is older than this (ms). */
export const ITERATOR_AGE_ALARM_MS = 60_000;
/**
 * Hours an event id is remembered for de-duplication. At least the stream retention, so a replay
 * from TRIM_HORIZON still finds every event it delivered before.
 */
export const DEDUPE_TTL_HOURS = 24;
/** Days the per-window aggregates are kept. */
export const AGGREGATES_TTL_DAYS = 30;
/** Firehose -> S3 buffering: fewer, larger objects are cheaper to store and faster to query. */
export const FIREHOSE_BUFFER_SIZE_MB = 64;
export const FIREHOSE_BUFFER_INTERVAL_SECONDS = 300;
/** Firehose data freshness (s) above which delivery is considered stuck. */
export const FIREHOSE_FRESHNESS_ALARM_SECONDS = 900;
/** Athena: a query scanning more than this is cancelled (a runaway `SELECT *` costs $5/TB). */
export const ATHENA_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;
/** Days Athena query results are kept. */
export const ATHENA_RESULTS_EXPIRATION_DAYS = 30;
/** Initial parallelism of a Managed Service for Apache Flink application. */
export const FLINK_PARALLELISM = 1;
/** API usage plan: requests per API key per day. */
export const API_QUOTA_PER_DAY = 1_000_000;

/** Shard autoscaler: minutes between scheduled runs (continue multi-step changes, reconcile alarms). */
export const SHARD_AUTOSCALER_SCHEDULE_MINUTES = 1;
/** Shard autoscaler function timeout: a run makes about ten AWS calls, with SDK retries. */
export const SHARD_AUTOSCALER_TIMEOUT_SECONDS = 30;

/** Dashboards: seconds per datapoint of every metric widget (alarms evaluate the same period). */
export const DASHBOARD_PERIOD_SECONDS = 60;
/** Dashboards: the time range shown when one is opened (ISO 8601 duration before now). */
export const DASHBOARD_TIME_RANGE = "-PT3H";
