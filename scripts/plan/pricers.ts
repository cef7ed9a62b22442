import type { PlanResource } from "./resource";
import { FixedPrices, SOURCES } from "./prices";

/** AWS prices hourly resources over 730 hours a month. */
export const HOURS_PER_MONTH = 730;

// How each resource type with a fixed cost is priced from its plan inputs: the lines that cost.ts
// attributes to flows, rounds and sums.

type Json = Record<string, unknown>;
export const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const num = (v: unknown, fallback: number): number => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
};

/** A priced line before it is attributed and rounded. */
export interface Line {
  what: string;
  quantity: number;
  unitUsd: number;
  source: string;
  /** Lines sharing an account-wide free allowance (dashboards, alarm metrics). */
  freeGroup?: "dashboards" | "alarmMetrics";
}

type Pricer = (r: PlanResource, p: FixedPrices, ctx: Context) => Line[];

export interface Context {
  byArn: Map<string, PlanResource>;
}

const hours = (count: number) => count * HOURS_PER_MONTH;

/** A line for `count` units billed every hour of the month. */
const hourly = (what: string, count: number, unitUsd: number, source: string): Line => ({
  what,
  quantity: hours(count),
  unitUsd,
  source,
});

/** Public IPv4 addresses, billed by the hour whatever holds them (EIP, task, load balancer). */
const publicIpv4 = (count: number, p: FixedPrices, detail?: string): Line =>
  hourly(
    `public IPv4 address-hours${detail ? ` (${detail})` : ""}`,
    count,
    p.publicIpv4Hour,
    SOURCES.vpc,
  );

/** Fargate task size and architecture from its task definition (cpu units, memory MiB). */
function fargateLines(service: PlanResource, p: FixedPrices, ctx: Context): Line[] {
  const inputs = obj(service.inputs);
  const tasks = num(inputs.desiredCount, 0);
  const td = ctx.byArn.get(String(inputs.taskDefinition));
  if (!td || tasks === 0) return [];
  const tdInputs = obj(td.inputs);
  const arch =
    String(obj(tdInputs.runtimePlatform).cpuArchitecture ?? "X86_64").toUpperCase() === "ARM64"
      ? "arm64"
      : "x86_64";
  const vcpu = num(tdInputs.cpu, 256) / 1024;
  const gb = num(tdInputs.memory, 512) / 1024;
  const extraStorage = Math.max(0, num(obj(tdInputs.ephemeralStorage).sizeInGib, 20) - 20);
  const price = p.fargate[arch];
  const lines: Line[] = [
    hourly(
      `Fargate ${arch} vCPU-hours (${tasks} task(s) x ${vcpu} vCPU)`,
      tasks * vcpu,
      price.vcpuHour,
      SOURCES.fargate,
    ),
    hourly(
      `Fargate ${arch} GB-hours (${tasks} task(s) x ${gb} GB)`,
      tasks * gb,
      price.gbHour,
      SOURCES.fargate,
    ),
  ];
  if (extraStorage > 0) {
    lines.push(
      hourly(
        `Fargate ephemeral storage above 20 GiB (${extraStorage} GiB x ${tasks})`,
        tasks * extraStorage,
        p.fargateStorageGbHour,
        SOURCES.fargate,
      ),
    );
  }
  if (obj(inputs.networkConfiguration).assignPublicIp === true) {
    lines.push(publicIpv4(tasks, p, `${tasks} task(s)`));
  }
  return lines;
}

/** A metric-math alarm is billed per metric it reads; below 60 s periods are high resolution. */
function alarmLines(r: PlanResource, p: FixedPrices): Line[] {
  const inputs = obj(r.inputs);
  const queries = Array.isArray(inputs.metricQueries) ? inputs.metricQueries.map(obj) : [];
  const metrics = queries.filter((q) => q.metric);
  const periods = queries.length
    ? metrics.map((q) => num(obj(q.metric).period, 60))
    : [num(inputs.period, 60)];
  const highRes = periods.some((s) => s < 60);
  const count = queries.length ? metrics.length : 1;
  return [
    {
      what: `${highRes ? "high-resolution" : "standard"} alarm metrics${queries.length ? " (metric math)" : ""}`,
      quantity: count,
      unitUsd: highRes ? p.alarmMetricMonth.highResolution : p.alarmMetricMonth.standard,
      source: SOURCES.cloudwatch,
      freeGroup: "alarmMetrics",
    },
  ];
}

function kinesisLines(r: PlanResource, p: FixedPrices): Line[] {
  const inputs = obj(r.inputs);
  if (String(obj(inputs.streamModeDetails).streamMode) === "ON_DEMAND") {
    return [hourly("on-demand stream-hours", 1, p.kinesisOnDemandStreamHour, SOURCES.kinesis)];
  }
  const shards = num(inputs.shardCount, 1);
  const lines: Line[] = [
    hourly(`shard-hours (${shards} shard(s))`, shards, p.kinesisShardHour, SOURCES.kinesis),
  ];
  if (num(inputs.retentionPeriod, 24) > 24) {
    lines.push(
      hourly(
        `extended retention shard-hours (${num(inputs.retentionPeriod, 24)} h)`,
        shards,
        p.kinesisExtendedRetentionShardHour,
        SOURCES.kinesis,
      ),
    );
  }
  return lines;
}

/** KPUs of a Flink application: parallelism / parallelism per KPU, plus one for orchestration. */
function flinkLines(r: PlanResource, p: FixedPrices): Line[] {
  const config = obj(
    obj(obj(obj(r.inputs).applicationConfiguration).flinkApplicationConfiguration)
      .parallelismConfiguration,
  );
  const custom = config.configurationType === "CUSTOM";
  const kpus = Math.ceil(
    (custom ? num(config.parallelism, 1) : 1) / (custom ? num(config.parallelismPerKpu, 1) : 1),
  );
  return [
    hourly(`KPU-hours (${kpus} KPU(s) + 1 orchestration)`, kpus + 1, p.flinkKpuHour, SOURCES.flink),
    {
      what: `running application storage GB-months (50 GB x ${kpus} KPU(s))`,
      quantity: 50 * kpus,
      unitUsd: p.flinkStorageGbMonth,
      source: SOURCES.flink,
    },
  ];
}

/** How each resource type with a fixed cost is priced; every other type is free while idle. */
export const PRICERS: Record<string, Pricer> = {
  "aws:ec2/natGateway:NatGateway": (_r, p) => [
    hourly("NAT gateway-hours", 1, p.natGatewayHour, SOURCES.vpc),
  ],
  "aws:ec2/eip:Eip": (_r, p) => [publicIpv4(1, p)],
  "aws:ec2/vpcEndpoint:VpcEndpoint": (r, p) => {
    const inputs = obj(r.inputs);
    if (String(inputs.vpcEndpointType ?? "Gateway") !== "Interface") return [];
    const azs = Array.isArray(inputs.subnetIds) ? inputs.subnetIds.length : 1;
    return [
      hourly(
        `interface endpoint AZ-hours (${azs} AZ(s))`,
        azs,
        p.interfaceEndpointAzHour,
        SOURCES.privatelink,
      ),
    ];
  },
  "aws:lb/loadBalancer:LoadBalancer": (r, p) => {
    const inputs = obj(r.inputs);
    const network = inputs.loadBalancerType === "network";
    const lines: Line[] = [
      hourly(
        `${network ? "NLB" : "ALB"}-hours (LCUs are usage)`,
        1,
        network ? p.nlbHour : p.albHour,
        SOURCES.elb,
      ),
    ];
    // An internet-facing load balancer holds a public IPv4 address in every AZ it spans.
    if (inputs.internal !== true) {
      const azs = Array.isArray(inputs.subnets) ? inputs.subnets.length : 2;
      lines.push(publicIpv4(azs, p, `${azs} AZ(s)`));
    }
    return lines;
  },
  "aws:ecs/service:Service": fargateLines,
  "aws:kinesis/stream:Stream": kinesisLines,
  "aws:kms/key:Key": (_r, p) => [
    {
      what: "customer managed key-months (each yearly rotation adds $1, for the first 2)",
      quantity: 1,
      unitUsd: p.kmsKeyMonth,
      source: SOURCES.kms,
    },
  ],
  "aws:cloudwatch/metricAlarm:MetricAlarm": alarmLines,
  "aws:cloudwatch/dashboard:Dashboard": (_r, p) => [
    {
      what: "dashboard-months",
      quantity: 1,
      unitUsd: p.dashboardMonth,
      source: SOURCES.cloudwatch,
      freeGroup: "dashboards",
    },
  ],
  "aws:cognito/userPool:UserPool": () => [
    {
      what: "user pool (no monthly fee: MAUs are usage)",
      quantity: 1,
      unitUsd: 0,
      source: SOURCES.cognito,
    },
  ],
  "aws:secretsmanager/secret:Secret": (_r, p) => [
    { what: "secret-months", quantity: 1, unitUsd: p.secretMonth, source: SOURCES.secretsmanager },
  ],
  "aws:kinesisanalyticsv2/application:Application": flinkLines,
  "aws:dynamodb/table:Table": (r, p) => {
    const inputs = obj(r.inputs);
    if (inputs.billingMode !== "PROVISIONED") return [];
    return [
      hourly(
        "provisioned read capacity unit-hours",
        num(inputs.readCapacity, 0),
        p.dynamodbProvisioned.rcuHour,
        SOURCES.dynamodb,
      ),
      hourly(
        "provisioned write capacity unit-hours",
        num(inputs.writeCapacity, 0),
        p.dynamodbProvisioned.wcuHour,
        SOURCES.dynamodb,
      ),
    ];
  },
};
