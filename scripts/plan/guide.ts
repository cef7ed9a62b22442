import { FLOWS } from "../../stacks/registry";
import { SHARED, flowOf } from "./cost";
import type { PlanCost } from "./cost";
import type { PlanDocument } from "./document";

/** Resource types a newcomer recognises, in the order data passes through them. */
const LABELS: [type: string, singular: string, plural: string][] = [
  ["aws:apigatewayv2/api:Api", "HTTP API", "HTTP APIs"],
  ["aws:apigateway/restApi:RestApi", "REST API", "REST APIs"],
  ["aws:cognito/userPool:UserPool", "Cognito user pool", "Cognito user pools"],
  ["aws:lb/loadBalancer:LoadBalancer", "internal load balancer", "internal load balancers"],
  ["aws:ecs/service:Service", "Fargate service", "Fargate services"],
  ["aws:lambda/function:Function", "Lambda function", "Lambda functions"],
  ["aws:kinesis/stream:Stream", "Kinesis stream", "Kinesis streams"],
  ["aws:kinesisanalyticsv2/application:Application", "Flink application", "Flink applications"],
  [
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "Firehose delivery stream",
    "Firehose delivery streams",
  ],
  ["aws:sns/topic:Topic", "SNS topic", "SNS topics"],
  ["aws:sqs/queue:Queue", "SQS queue", "SQS queues"],
  ["aws:dynamodb/table:Table", "DynamoDB table", "DynamoDB tables"],
  ["aws:s3/bucket:Bucket", "S3 bucket", "S3 buckets"],
  ["aws:athena/workgroup:Workgroup", "Athena workgroup", "Athena workgroups"],
  ["aws:ec2/vpc:Vpc", "VPC", "VPCs"],
  ["aws:ec2/natGateway:NatGateway", "NAT gateway", "NAT gateways"],
  ["aws:kms/key:Key", "KMS key", "KMS keys"],
  ["aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", "alarms"],
  ["aws:cloudwatch/dashboard:Dashboard", "dashboard", "dashboards"],
];

export const usd = (n: number): string => `$${n.toFixed(2)}`;

/** Pulumi's output name of a flow: its slug in camelCase (see stacks/program.ts). */
const outputKey = (slug: string) => slug.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** "2 Lambda functions, 1 DynamoDB table, ..." for the resources of one flow. */
function deployed(types: string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  const parts = LABELS.filter(([t]) => counts.get(t)).map(
    ([t, one, many]) => `${counts.get(t)} ${counts.get(t) === 1 ? one : many}`,
  );
  return parts.join(", ") || "nothing billable";
}

/** The three largest cost items of a flow, summed by what they are. */
function costLeaders(cost: PlanCost, flow: string): string {
  const byWhat = new Map<string, number>();
  for (const item of cost.items.filter((i) => i.flow === flow && i.monthlyUsd > 0)) {
    const key = item.what.replace(/ \(.*$/, "");
    byWhat.set(key, (byWhat.get(key) ?? 0) + item.monthlyUsd);
  }
  const top = [...byWhat.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return top.map(([what, n]) => `${what} ${usd(n)}`).join(", ");
}

/** What the newcomer must set before `pulumi up`, as `pulumi config set` lines. */
export interface NextStepsInput {
  /** Keys Pulumi.yaml declares without a default, with their value in the stack file if set. */
  requiredKeys: { key: string; value?: string; description?: string }[];
}

/**
 * The newcomer's summary: per flow what will be deployed, the outputs `pulumi up` will print and
 * the fixed cost.
 */
export function renderFlows(doc: PlanDocument): string {
  const flows = flowOf(doc.resources);
  const outputs = (doc.outputs ?? {}) as Record<string, unknown>;
  const lines: string[] = [
    `Stack ${doc.stack} (${doc.cost.region}): ${doc.flows.length} flow(s), ${doc.resources.length} resources, ` +
      `${usd(doc.cost.monthlyUsd)}/month fixed cost before any traffic`,
    "",
  ];
  const section = (slug: string, title: string, outputKeyName?: string) => {
    const types = doc.resources.filter((r) => flows.get(r.urn) === slug).map((r) => r.type);
    lines.push(title, `  deploys: ${deployed(types)}`);
    const out = outputKeyName ? outputs[outputKeyName] : undefined;
    if (out && typeof out === "object") {
      lines.push(
        `  outputs (pulumi stack output ${outputKeyName}): ${Object.keys(out).sort().join(", ")}`,
      );
    }
    const leaders = costLeaders(doc.cost, slug);
    lines.push(
      `  cost: ${usd(doc.cost.byFlow[slug] ?? 0)}/month fixed${leaders ? ` (${leaders})` : ""}`,
      "",
    );
  };
  for (const slug of doc.flows) {
    const def = FLOWS.find((f) => f.slug === slug);
    section(slug, `Flow ${slug}: ${def?.summary ?? ""}`.trimEnd(), outputKey(slug));
  }
  section(SHARED, "Shared by the flows (VPC, alarm topic, log key)");
  const topLevel = Object.keys(outputs).filter((k) => !doc.flows.some((f) => outputKey(f) === k));
  lines.push(`Stack outputs: ${topLevel.sort().join(", ")}`);
  return lines.join("\n");
}

/** The commands from `pulumi stack init` to `pulumi destroy`, with the required config keys. */
export function renderNextSteps(stack: string, next: NextStepsInput, extra: string[] = []): string {
  const lines = [
    "Next steps (Pulumi CLI, AWS credentials and Docker for the container images):",
    `  pulumi login                      # or: pulumi login --local`,
    `  pulumi stack init ${stack}              # uses Pulumi.${stack}.yaml; 'pulumi stack select ${stack}' if it exists`,
  ];
  for (const k of next.requiredKeys) {
    lines.push(
      k.value === undefined
        ? `  pulumi config set ${k.key} <value>   # required: ${k.description ?? "no default"}`
        : `  # ${k.key} is required and set in Pulumi.${stack}.yaml (${k.value})`,
    );
  }
  lines.push(
    `  pulumi config set --path '<flow>.<setting>' <value>   # optional: see the README's config reference`,
    ...extra,
    `  pulumi preview --policy-pack policy`,
    `  pulumi up --policy-pack policy`,
    `  pulumi stack output --json        # the outputs listed above`,
    `  pulumi destroy                    # then: pulumi stack rm ${stack}`,
  );
  return lines.join("\n");
}
