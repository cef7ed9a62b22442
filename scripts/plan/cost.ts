import type { PlanResource } from "./resource";
import { FixedPrices, PRICES_AS_OF, SOURCES, UsagePrice, pricesFor } from "./prices";

/** AWS prices hourly resources over 730 hours a month. */
export const HOURS_PER_MONTH = 730;

/** Resources at the top of the tree that are not a flow (the shared VPC, alarm topic...). */
export const SHARED = "shared";

/** One line of the fixed monthly cost. */
export interface CostItem {
  /** The flow slug the resource belongs to (its top-level component), or "shared". */
  flow: string;
  type: string;
  urn: string;
  name: string;
  /** What is charged, e.g. "NAT gateway-hours". */
  what: string;
  /** How many units a month (hours x count, keys, alarm metrics...). */
  quantity: number;
  unitUsd: number;
  monthlyUsd: number;
  /** The pricing page of the figure. */
  source: string;
}

/** The plan's cost estimate (the JSON plan's `cost`). */
export interface PlanCost {
  region: string;
  pricesAsOf: string;
  /** Fixed monthly cost: what the stack costs with no traffic at all. */
  monthlyUsd: number;
  byFlow: Record<string, number>;
  byType: Record<string, number>;
  items: CostItem[];
  /** Prices paid per use, to multiply by expected traffic. */
  usage: UsagePrice[];
  /** Assumptions the figures rest on. */
  notes: string[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const num = (v: unknown, fallback: number): number => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
};

/** A priced line before it is attributed and rounded. */
interface Line {
  what: string;
  quantity: number;
  unitUsd: number;
  source: string;
  /** Lines sharing an account-wide free allowance (dashboards, alarm metrics). */
  freeGroup?: "dashboards" | "alarmMetrics";
}

type Pricer = (r: PlanResource, p: FixedPrices, ctx: Context) => Line[];

interface Context {
  byArn: Map<string, PlanResource>;
}

const hours = (count: number) => count * HOURS_PER_MONTH;

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
    {
      what: `Fargate ${arch} vCPU-hours (${tasks} task(s) x ${vcpu} vCPU)`,
      quantity: hours(tasks * vcpu),
      unitUsd: price.vcpuHour,
      source: SOURCES.fargate,
    },
    {
      what: `Fargate ${arch} GB-hours (${tasks} task(s) x ${gb} GB)`,
      quantity: hours(tasks * gb),
      unitUsd: price.gbHour,
      source: SOURCES.fargate,
    },
  ];
  if (extraStorage > 0) {
    lines.push({
      what: `Fargate ephemeral storage above 20 GiB (${extraStorage} GiB x ${tasks})`,
      quantity: hours(tasks * extraStorage),
      unitUsd: p.fargateStorageGbHour,
      source: SOURCES.fargate,
    });
  }
  if (obj(inputs.networkConfiguration).assignPublicIp === true) {
    lines.push({
      what: `public IPv4 address-hours (${tasks} task(s))`,
      quantity: hours(tasks),
      unitUsd: p.publicIpv4Hour,
      source: SOURCES.vpc,
    });
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
    return [
      {
        what: "on-demand stream-hours",
        quantity: hours(1),
        unitUsd: p.kinesisOnDemandStreamHour,
        source: SOURCES.kinesis,
      },
    ];
  }
  const shards = num(inputs.shardCount, 1);
  const lines: Line[] = [
    {
      what: `shard-hours (${shards} shard(s))`,
      quantity: hours(shards),
      unitUsd: p.kinesisShardHour,
      source: SOURCES.kinesis,
    },
  ];
  if (num(inputs.retentionPeriod, 24) > 24) {
    lines.push({
      what: `extended retention shard-hours (${num(inputs.retentionPeriod, 24)} h)`,
      quantity: hours(shards),
      unitUsd: p.kinesisExtendedRetentionShardHour,
      source: SOURCES.kinesis,
    });
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
    {
      what: `KPU-hours (${kpus} KPU(s) + 1 orchestration)`,
      quantity: hours(kpus + 1),
      unitUsd: p.flinkKpuHour,
      source: SOURCES.flink,
    },
    {
      what: `running application storage GB-months (50 GB x ${kpus} KPU(s))`,
      quantity: 50 * kpus,
      unitUsd: p.flinkStorageGbMonth,
      source: SOURCES.flink,
    },
  ];
}

/** How each resource type with a fixed cost is priced; every other type is free while idle. */
const PRICERS: Record<string, Pricer> = {
  "aws:ec2/natGateway:NatGateway": (_r, p) => [
    {
      what: "NAT gateway-hours",
      quantity: hours(1),
      unitUsd: p.natGatewayHour,
      source: SOURCES.vpc,
    },
  ],
  "aws:ec2/eip:Eip": (_r, p) => [
    {
      what: "public IPv4 address-hours",
      quantity: hours(1),
      unitUsd: p.publicIpv4Hour,
      source: SOURCES.vpc,
    },
  ],
  "aws:ec2/vpcEndpoint:VpcEndpoint": (r, p) => {
    const inputs = obj(r.inputs);
    if (String(inputs.vpcEndpointType ?? "Gateway") !== "Interface") return [];
    const azs = Array.isArray(inputs.subnetIds) ? inputs.subnetIds.length : 1;
    return [
      {
        what: `interface endpoint AZ-hours (${azs} AZ(s))`,
        quantity: hours(azs),
        unitUsd: p.interfaceEndpointAzHour,
        source: SOURCES.privatelink,
      },
    ];
  },
  "aws:lb/loadBalancer:LoadBalancer": (r, p) => {
    const inputs = obj(r.inputs);
    const network = inputs.loadBalancerType === "network";
    const lines: Line[] = [
      {
        what: `${network ? "NLB" : "ALB"}-hours (LCUs are usage)`,
        quantity: hours(1),
        unitUsd: network ? p.nlbHour : p.albHour,
        source: SOURCES.elb,
      },
    ];
    // An internet-facing load balancer holds a public IPv4 address in every AZ it spans.
    if (inputs.internal !== true) {
      const azs = Array.isArray(inputs.subnets) ? inputs.subnets.length : 2;
      lines.push({
        what: `public IPv4 address-hours (${azs} AZ(s))`,
        quantity: hours(azs),
        unitUsd: p.publicIpv4Hour,
        source: SOURCES.vpc,
      });
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
      {
        what: "provisioned read capacity unit-hours",
        quantity: hours(num(inputs.readCapacity, 0)),
        unitUsd: p.dynamodbProvisioned.rcuHour,
        source: SOURCES.dynamodb,
      },
      {
        what: "provisioned write capacity unit-hours",
        quantity: hours(num(inputs.writeCapacity, 0)),
        unitUsd: p.dynamodbProvisioned.wcuHour,
        source: SOURCES.dynamodb,
      },
    ];
  },
};

/** Resource types the estimate prices (for the README and tests). */
export const PRICED_TYPES = Object.keys(PRICERS);

/** Splits `total` cents over weights so the parts sum to it exactly (largest remainder). */
export function allocateCents(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const parts = raw.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i]++;
    left--;
  }
  return parts;
}

/** The flow of every resource: the name of its top-level ancestor ("shared" for the stack's own). */
export function flowOf(resources: PlanResource[]): Map<string, string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out = new Map<string, string>();
  for (const r of resources) {
    let top = r;
    while (top.parent && byUrn.has(top.parent)) top = byUrn.get(top.parent)!;
    out.set(r.urn, top.type.startsWith("serverless:flow:") ? top.name : SHARED);
  }
  return out;
}

/**
 * Estimates the stack's fixed monthly cost (what it costs idle, at list price) from the plan's
 * resources and their inputs. Free allowances that are per account (3 dashboards, 10 alarm
 * metrics) are spread over the stack's dashboards and alarms pro rata, assuming the stack is
 * alone in the account. Throws a PriceTableError for a region without a price table.
 */
export function estimateCost(resources: PlanResource[], region: string): PlanCost {
  const table = pricesFor(region);
  const byArn = new Map<string, PlanResource>();
  for (const r of resources) {
    const arn = obj(r.state).arn;
    if (typeof arn === "string") byArn.set(arn, r);
  }
  const flows = flowOf(resources);
  const lines: { r: PlanResource; line: Line }[] = [];
  for (const r of resources) {
    for (const line of PRICERS[r.type]?.(r, table.fixed, { byArn }) ?? []) lines.push({ r, line });
  }

  // Cents per line; a free group's total is computed once and split back exactly.
  const cents = lines.map(({ line }) => Math.round(line.quantity * line.unitUsd * 100));
  const free: Record<string, number> = {
    dashboards: table.fixed.freeDashboards,
    alarmMetrics: table.fixed.freeAlarmMetrics,
  };
  for (const group of Object.keys(free)) {
    const idx = lines.flatMap((l, i) => (l.line.freeGroup === group ? [i] : []));
    const units = idx.reduce((a, i) => a + lines[i].line.quantity, 0);
    if (units === 0) continue;
    const exact = idx.reduce((a, i) => a + lines[i].line.quantity * lines[i].line.unitUsd, 0);
    const total = Math.round((exact * Math.max(0, units - free[group]) * 100) / units);
    const parts = allocateCents(
      total,
      idx.map((i) => lines[i].line.quantity * lines[i].line.unitUsd),
    );
    idx.forEach((i, k) => (cents[i] = parts[k]));
  }

  const items: CostItem[] = lines.map(({ r, line }, i) => ({
    flow: flows.get(r.urn) ?? SHARED,
    type: r.type,
    urn: r.urn,
    name: r.name,
    what: line.what,
    quantity: Number(line.quantity.toFixed(4)),
    unitUsd: line.unitUsd,
    monthlyUsd: cents[i] / 100,
    source: line.source,
  }));
  const sumBy = (key: (item: CostItem, i: number) => string) => {
    const out: Record<string, number> = {};
    items.forEach((item, i) => (out[key(item, i)] = (out[key(item, i)] ?? 0) + cents[i]));
    return Object.fromEntries(
      Object.entries(out)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, v / 100]),
    );
  };
  const byFlow = sumBy((item) => item.flow);
  for (const flow of new Set(flows.values())) byFlow[flow] ??= 0;
  return {
    region,
    pricesAsOf: PRICES_AS_OF,
    monthlyUsd: cents.reduce((a, b) => a + b, 0) / 100,
    byFlow: Object.fromEntries(Object.entries(byFlow).sort(([a], [b]) => a.localeCompare(b))),
    byType: sumBy((item) => item.type),
    items,
    usage: table.usage,
    notes: [
      `${HOURS_PER_MONTH} hours a month, on-demand list prices of ${region} as of ${PRICES_AS_OF}, no tax or discounts.`,
      `The account's free ${table.fixed.freeDashboards} dashboards and ${table.fixed.freeAlarmMetrics} alarm metrics are spread over this stack's, as if it were alone in the account.`,
      "Fixed cost only: traffic (requests, GB, LCUs, MAUs) is priced per use in `usage`.",
    ],
  };
}
