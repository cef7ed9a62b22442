/**
 * Dated on-demand list prices, per region, for the plan's cost estimate (USD, before tax, no
 * Savings Plans, no credits). Add a region by copying a table and taking every figure from the
 * pages in SOURCES for that region: the estimate refuses a region with no table rather than guess.
 *
 * Compiled 2026-12-01 from the AWS pricing pages below (us-east-1 columns). The Fargate
 * (Linux/x86 0.04048 + 0.004445, Linux/ARM 0.03238 + 0.00356) and CloudWatch alarm figures were
 * cross-checked against 2026 copies of those pages; the machine that compiled this table could not
 * load aws.amazon.com itself, so re-check the table against the pages when you change it.
 */

/** When the table was compiled: printed next to every estimate. */
export const PRICES_AS_OF = "2026-12-01";

/** The pages the figures come from (one per service). */
export const SOURCES: Record<string, string> = {
  vpc: "https://aws.amazon.com/vpc/pricing/",
  privatelink: "https://aws.amazon.com/privatelink/pricing/",
  elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  fargate: "https://aws.amazon.com/fargate/pricing/",
  kinesis: "https://aws.amazon.com/kinesis/data-streams/pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
  cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
  cognito: "https://aws.amazon.com/cognito/pricing/",
  secretsmanager: "https://aws.amazon.com/secrets-manager/pricing/",
  flink: "https://aws.amazon.com/managed-service-apache-flink/pricing/",
  lambda: "https://aws.amazon.com/lambda/pricing/",
  apigateway: "https://aws.amazon.com/api-gateway/pricing/",
  sqs: "https://aws.amazon.com/sqs/pricing/",
  sns: "https://aws.amazon.com/sns/pricing/",
  dynamodb: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  s3: "https://aws.amazon.com/s3/pricing/",
  firehose: "https://aws.amazon.com/firehose/pricing/",
  athena: "https://aws.amazon.com/athena/pricing/",
  ecr: "https://aws.amazon.com/ecr/pricing/",
  xray: "https://aws.amazon.com/xray/pricing/",
  dataTransfer: "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer",
};

/** Prices of things that cost money while they exist (the fixed monthly cost). */
export interface FixedPrices {
  natGatewayHour: number;
  /** Every public IPv4 address, attached or not (VPC pricing, since 2024-02-01). */
  publicIpv4Hour: number;
  /** Interface endpoint, per AZ (subnet) it is in. Gateway endpoints (S3, DynamoDB) are free. */
  interfaceEndpointAzHour: number;
  albHour: number;
  nlbHour: number;
  fargate: Record<"x86_64" | "arm64", { vcpuHour: number; gbHour: number }>;
  /** Ephemeral storage above the 20 GiB every task gets. */
  fargateStorageGbHour: number;
  kinesisShardHour: number;
  /** Retention above 24 h, up to 7 days, per shard. */
  kinesisExtendedRetentionShardHour: number;
  kinesisOnDemandStreamHour: number;
  kmsKeyMonth: number;
  /** Per alarm metric: a metric-math alarm pays for every metric it reads. */
  alarmMetricMonth: { standard: number; highResolution: number };
  /** Always-free alarm metrics per account. */
  freeAlarmMetrics: number;
  dashboardMonth: number;
  /** Always-free dashboards per account. */
  freeDashboards: number;
  secretMonth: number;
  /** Amazon Managed Service for Apache Flink: per KPU, plus one orchestration KPU per application. */
  flinkKpuHour: number;
  /** Running application storage: 50 GB per KPU. */
  flinkStorageGbMonth: number;
  dynamodbProvisioned: { rcuHour: number; wcuHour: number };
}

/** A price paid per use: listed so the reader can multiply by their traffic. */
export interface UsagePrice {
  service: string;
  /** What is counted, e.g. "per 1M requests". */
  unit: string;
  usd: number;
  note?: string;
}

export interface RegionPrices {
  region: string;
  fixed: FixedPrices;
  usage: UsagePrice[];
}

const US_EAST_1: RegionPrices = {
  region: "us-east-1",
  fixed: {
    natGatewayHour: 0.045,
    publicIpv4Hour: 0.005,
    interfaceEndpointAzHour: 0.01,
    albHour: 0.0225,
    nlbHour: 0.0225,
    fargate: {
      x86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
      arm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    },
    fargateStorageGbHour: 0.000111,
    kinesisShardHour: 0.015,
    kinesisExtendedRetentionShardHour: 0.02,
    kinesisOnDemandStreamHour: 0.04,
    kmsKeyMonth: 1,
    alarmMetricMonth: { standard: 0.1, highResolution: 0.3 },
    freeAlarmMetrics: 10,
    dashboardMonth: 3,
    freeDashboards: 3,
    secretMonth: 0.4,
    flinkKpuHour: 0.11,
    flinkStorageGbMonth: 0.1,
    dynamodbProvisioned: { rcuHour: 0.00013, wcuHour: 0.00065 },
  },
  usage: [
    { service: "Lambda (arm64)", unit: "per GB-second", usd: 0.0000133334 },
    { service: "Lambda", unit: "per 1M requests", usd: 0.2 },
    { service: "API Gateway HTTP API", unit: "per 1M requests (first 300M)", usd: 1.0 },
    { service: "API Gateway REST API", unit: "per 1M requests (first 333M)", usd: 3.5 },
    { service: "SQS standard", unit: "per 1M requests (after 1M free)", usd: 0.4 },
    { service: "SNS", unit: "per 1M publishes (deliveries to SQS/Lambda free)", usd: 0.5 },
    { service: "SNS email", unit: "per 100k notifications", usd: 2.0 },
    { service: "DynamoDB on-demand", unit: "per 1M write request units", usd: 0.625 },
    { service: "DynamoDB on-demand", unit: "per 1M read request units", usd: 0.125 },
    { service: "DynamoDB", unit: "per GB-month stored", usd: 0.25 },
    { service: "DynamoDB PITR", unit: "per GB-month of table size", usd: 0.2 },
    { service: "S3 Standard", unit: "per GB-month", usd: 0.023 },
    { service: "S3", unit: "per 1k PUT/POST/LIST requests", usd: 0.005 },
    { service: "S3", unit: "per 1k GET requests", usd: 0.0004 },
    { service: "Kinesis Data Streams", unit: "per 1M PUT payload units (25 KB)", usd: 0.014 },
    { service: "Kinesis on-demand", unit: "per GB written", usd: 0.08 },
    { service: "Firehose", unit: "per GB ingested (5 KB records rounding)", usd: 0.029 },
    { service: "Athena", unit: "per TB scanned (10 MB minimum per query)", usd: 5.0 },
    { service: "NAT gateway", unit: "per GB processed", usd: 0.045 },
    { service: "Interface endpoint", unit: "per GB processed", usd: 0.01 },
    { service: "ALB", unit: "per LCU-hour (idle ALB: 0 LCU)", usd: 0.008 },
    { service: "CloudWatch Logs", unit: "per GB ingested", usd: 0.5 },
    { service: "CloudWatch Logs", unit: "per GB-month stored", usd: 0.03 },
    { service: "CloudWatch custom metrics (EMF)", unit: "per metric-month (first 10k)", usd: 0.3 },
    { service: "Cognito Essentials", unit: "per MAU above 10,000 free", usd: 0.015 },
    { service: "KMS", unit: "per 10k requests (after 20k free)", usd: 0.03 },
    { service: "X-Ray", unit: "per 1M traces recorded (after 100k free)", usd: 5.0 },
    { service: "ECR", unit: "per GB-month stored", usd: 0.1 },
    {
      service: "Data transfer out to internet",
      unit: "per GB (first 10 TB, 100 GB free)",
      usd: 0.09,
    },
  ],
};

const TABLES: Record<string, RegionPrices> = { "us-east-1": US_EAST_1 };

/** Regions with a price table. */
export const PRICED_REGIONS = Object.keys(TABLES);

/** The region has no price table: the estimate refuses to guess. */
export class PriceTableError extends Error {}

/** The price table of a region; throws a PriceTableError naming the regions that have one. */
export function pricesFor(region: string): RegionPrices {
  const table = TABLES[region];
  if (!table) {
    throw new PriceTableError(
      `no price table for region "${region}" (tables: ${PRICED_REGIONS.join(", ")}): ` +
        `add one to scripts/plan/prices.ts from the pages it lists`,
    );
  }
  return table;
}
