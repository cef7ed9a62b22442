/**
 * The one place for secure and operational defaults shared by every component.
 * Components import these instead of repeating literals, so a default changes in one line.
 */

/** Lambda runtime: nodejs20.x is past end of support; 22 is the oldest supported LTS. */
export const LAMBDA_RUNTIME = "nodejs22.x";
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

/** Fargate: the smallest task size (0.25 vCPU, 512 MiB); stacks size up per service. */
export const FARGATE_CPU = 256;
export const FARGATE_MEMORY_MB = 512;
/** Graviton for tasks too: ~20% cheaper per vCPU-hour than X86_64 on Fargate. */
export const FARGATE_CPU_ARCHITECTURE = "ARM64";
/** Port container apps listen on (unprivileged, so the app runs as a non-root user). */
export const CONTAINER_PORT = 8080;
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
