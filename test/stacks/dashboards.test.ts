import { expect } from "chai";
import { bundleFunction } from "../../components/compute/bundle";
import { dashboardUrl } from "../../components/observability/flowDashboard";
import type { RecordedResource } from "../../scripts/harness/recorder";
import type { StackRun } from "../../scripts/harness/runStack";
import { outputName } from "../../stacks/program";
import { FLOW_SLUGS } from "../../stacks/slugs";
import {
  CONTAINER_METRICS,
  FUNCTION_METRICS,
  SERVICE_DIMENSION,
} from "../../functions/lib/businessMetrics";
import { stackFileRun } from "./stackFiles";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";

type Widget = { type: string; properties: Record<string, unknown> };

/**
 * For each type on a flow's data path: the CloudWatch dimension naming it and how to read that
 * value off the resource's mocked state (the identifiers AWS would assign).
 */
const REFERENCES: Record<string, { dimension: string; value: (r: RecordedResource) => string }> = {
  "aws:lambda/function:Function": { dimension: "FunctionName", value: (r) => str(r.state.name) },
  "aws:sqs/queue:Queue": { dimension: "QueueName", value: (r) => str(r.state.name) },
  "aws:dynamodb/table:Table": { dimension: "TableName", value: (r) => str(r.state.name) },
  "aws:sns/topic:Topic": { dimension: "TopicName", value: (r) => str(r.state.name) },
  "aws:s3/bucket:Bucket": { dimension: "BucketName", value: (r) => str(r.state.bucket) },
  // An HTTP API's id is the last segment of its ARN (`arn:aws:apigateway:<region>::/apis/<id>`).
  "aws:apigatewayv2/api:Api": {
    dimension: "ApiId",
    value: (r) => str(r.state.arn).split("/").pop()!,
  },
  "aws:apigateway/restApi:RestApi": { dimension: "ApiName", value: (r) => str(r.state.name) },
  "aws:kinesis/stream:Stream": { dimension: "StreamName", value: (r) => str(r.state.name) },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
    dimension: "DeliveryStreamName",
    value: (r) => str(r.state.name),
  },
  "aws:athena/workgroup:Workgroup": { dimension: "WorkGroup", value: (r) => str(r.state.name) },
  "aws:ecs/cluster:Cluster": { dimension: "ClusterName", value: (r) => str(r.state.name) },
  "aws:ecs/service:Service": { dimension: "ServiceName", value: (r) => str(r.state.name) },
  "aws:lb/loadBalancer:LoadBalancer": {
    dimension: "LoadBalancer",
    value: (r) => str(r.state.arnSuffix),
  },
  "aws:lb/targetGroup:TargetGroup": {
    dimension: "TargetGroup",
    value: (r) => str(r.state.arnSuffix),
  },
};
/** Dimensions whose values are fixed words, not resource identifiers. */
const FIXED_DIMENSIONS = new Set(["Stage", "StorageType", "QueryState", "QueryType"]);
/** Resources deliberately left off: Athena's query results are scratch space, not the data path. */
const NOT_CHARTED = /-results-[0-9a-f]{7}$/;

const FUNCTION = "aws:lambda/function:Function";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** The variables a Lambda function or an ECS task's container is given, else undefined. */
function variablesOf(r: RecordedResource): Record<string, string> | undefined {
  if (r.type === FUNCTION) {
    return (r.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables;
  }
  if (r.type !== TASK_DEFINITION) return undefined;
  const [container] = JSON.parse(str(r.inputs.containerDefinitions)) as {
    environment: { name: string; value: string }[];
  }[];
  return Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
}

/** POWERTOOLS_SERVICE_NAME of a function or task (the `service` of its figures), else undefined. */
const serviceOf = (r: RecordedResource) => variablesOf(r)?.POWERTOOLS_SERVICE_NAME;

/** Every line of a dashboard's "Business figures" widgets. */
const figureLines = (widgets: Widget[]) =>
  widgets
    .filter((w) => w.properties.title === "Business figures")
    .flatMap((w) => w.properties.metrics as unknown[][]);

function str(v: unknown): string {
  expect(v, "an identifier in the mocked state").to.be.a("string");
  return v as string;
}

function flowSubtree(run: StackRun, slug: string): RecordedResource[] {
  const root = run.resources.find((r) => r.type.startsWith("serverless:flow:") && r.name === slug);
  expect(root, `flow ${slug} in the stack`).to.not.equal(undefined);
  return run.recorder.descendants(root!.urn);
}

function widgetsOf(dashboard: RecordedResource): Widget[] {
  return (JSON.parse(str(dashboard.inputs.dashboardBody)) as { widgets: Widget[] }).widgets;
}

/** Dimension name -> every value the dashboard's metrics and expressions give it. */
function dimensionValues(widgets: Widget[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (k: string, v: string) => out.set(k, (out.get(k) ?? new Set()).add(v));
  for (const w of widgets) {
    for (const line of (w.properties.metrics as unknown[][] | undefined) ?? []) {
      const first = line[0];
      if (typeof first === "object" && first !== null) {
        // SEARCH expressions name the stream inline: StreamName="<name>".
        const expr = String((first as { expression: string }).expression);
        for (const m of expr.matchAll(/(\w+)="([^"]+)"/g))
          if (m[1] !== "MetricName") add(m[1], m[2]);
        continue;
      }
      const dims = line.slice(2).filter((x) => typeof x === "string") as string[];
      for (let i = 0; i + 1 < dims.length; i += 2) add(dims[i], dims[i + 1]);
    }
  }
  return out;
}

describe("flow dashboards (dev stack)", function () {
  this.timeout(300_000);
  let run: StackRun;
  before(async () => {
    run = await stackFileRun("dev");
  });

  const dashboardOf = (slug: string) => {
    const found = flowSubtree(run, slug).filter((r) => r.type === DASHBOARD);
    expect(
      found.map((r) => r.name),
      `one dashboard under flow ${slug}`,
    ).to.deep.equal([slug]);
    return found[0];
  };

  it("gives every enabled flow a dashboard and its console URL in the flow's outputs", () => {
    expect(run.outputs.flows).to.have.members([...FLOW_SLUGS]);
    for (const slug of FLOW_SLUGS) {
      const dashboard = dashboardOf(slug);
      const name = `aws-serverless-flows-dev-${slug}`;
      expect(dashboard.inputs.dashboardName).to.equal(name);
      const outputs = run.outputs[outputName(slug)] as Record<string, unknown>;
      expect(outputs.dashboardUrl, slug).to.equal(dashboardUrl("us-east-1", name));
    }
  });

  for (const slug of FLOW_SLUGS) {
    it(`${slug}: charts each resource on its path by the identifier AWS gives it`, () => {
      const widgets = widgetsOf(dashboardOf(slug));
      const charted = dimensionValues(widgets);
      const missing: string[] = [];
      for (const r of flowSubtree(run, slug)) {
        const ref = REFERENCES[r.type];
        if (!ref) continue;
        const value = ref.value(r);
        if (NOT_CHARTED.test(value)) continue;
        if (!charted.get(ref.dimension)?.has(value)) missing.push(`${r.type} ${r.name} (${value})`);
      }
      expect(missing, `not on the ${slug} dashboard`).to.deep.equal([]);
      for (const w of widgets.filter((x) => x.type === "metric")) {
        expect(w.properties.region, String(w.properties.title)).to.equal("us-east-1");
      }
    });

    it(`${slug}: names no resource the stack does not have`, () => {
      const known = new Map<string, Set<string>>();
      for (const r of run.resources) {
        const ref = REFERENCES[r.type];
        if (ref)
          known.set(ref.dimension, (known.get(ref.dimension) ?? new Set()).add(ref.value(r)));
        // The business figures' `service` is the function's or task's POWERTOOLS_SERVICE_NAME.
        const service = serviceOf(r);
        if (service)
          known.set(SERVICE_DIMENSION, (known.get(SERVICE_DIMENSION) ?? new Set()).add(service));
      }
      for (const [dimension, values] of dimensionValues(widgetsOf(dashboardOf(slug)))) {
        if (FIXED_DIMENSIONS.has(dimension)) continue;
        expect(known.has(dimension), `dimension ${dimension} is a known kind`).to.equal(true);
        for (const v of values)
          expect(known.get(dimension)!.has(v), `${dimension}=${v}`).to.equal(true);
      }
    });
  }

  it("charts the business figures of every function whose code publishes them, by its service", () => {
    // Which code a function runs: its archive's hash is the bundle's.
    const codeOf = new Map(
      Object.keys(FUNCTION_METRICS).map((code) => [bundleFunction(code).sha256, code]),
    );
    let charted = 0;
    for (const slug of FLOW_SLUGS) {
      const lines = figureLines(widgetsOf(dashboardOf(slug)));
      for (const fn of flowSubtree(run, slug).filter((r) => r.type === FUNCTION)) {
        const code = codeOf.get(String(fn.inputs.sourceCodeHash));
        const figures = code ? FUNCTION_METRICS[code] : undefined;
        if (!figures) continue;
        const service = serviceOf(fn)!;
        expect(
          fn.inputs.environment,
          `${fn.name} names its figures' namespace`,
        ).to.have.nested.property(
          "variables.POWERTOOLS_METRICS_NAMESPACE",
          "aws-serverless-flows/dev",
        );
        for (const name of figures) {
          expect(lines, `${slug}: ${name} of ${service}`).to.deep.include([
            "aws-serverless-flows/dev",
            name,
            SERVICE_DIMENSION,
            service,
          ]);
        }
        charted++;
      }
    }
    // file-indexer, metadata-indexer, checksum-summary, object-processor, stream-processor,
    // stream-aggregator: each deployed at least once in dev.
    expect(charted).to.be.at.least(6);
  });

  it("charts the business figures of every container app, by its service, on the two Fargate flows", () => {
    const charted: Record<string, string[]> = {};
    for (const slug of FLOW_SLUGS) {
      const lines = figureLines(widgetsOf(dashboardOf(slug)));
      for (const task of flowSubtree(run, slug).filter((r) => r.type === TASK_DEFINITION)) {
        // Which app a task runs: the SERVICE its image is built for (functions/containers/Dockerfile).
        const image = run.resources.find(
          (x) => x.type === "awsx:ecr:Image" && x.parent === task.parent,
        );
        const app = (image?.inputs.args as Record<string, string> | undefined)?.SERVICE;
        const figures = app ? CONTAINER_METRICS[app] : undefined;
        expect(figures, `${task.name} runs an app that publishes figures`).to.not.equal(undefined);
        const variables = variablesOf(task)!;
        expect(variables.POWERTOOLS_METRICS_NAMESPACE, task.name).to.equal(
          "aws-serverless-flows/dev",
        );
        const service = variables.POWERTOOLS_SERVICE_NAME;
        for (const name of figures!) {
          expect(lines, `${slug}: ${name} of ${service}`).to.deep.include([
            "aws-serverless-flows/dev",
            name,
            SERVICE_DIMENSION,
            service,
          ]);
        }
        (charted[slug] ??= []).push(app!);
      }
    }
    expect(charted).to.deep.equal({
      "three-tier-fargate": ["items-service"],
      "event-driven-microservices": ["orders-service", "billing-service", "shipping-service"],
    });
  });

  it("gives every publisher of figures its own series: no two share a service in the namespace", () => {
    const services = run.resources.map(serviceOf).filter((s) => s !== undefined);
    expect(services.length).to.be.at.least(10);
    expect(services.filter((s, i) => services.indexOf(s) !== i)).to.deep.equal([]);
  });

  it("kinesis-autoscale charts the realtime-analytics stream it scales, and its live alarms", () => {
    const stream = flowSubtree(run, "realtime-analytics").find(
      (r) => r.type === "aws:kinesis/stream:Stream",
    )!;
    const widgets = widgetsOf(dashboardOf("kinesis-autoscale"));
    expect([...dimensionValues(widgets).get("StreamName")!]).to.deep.equal([stream.state.name]);
    const alarms = flowSubtree(run, "kinesis-autoscale")
      .filter(
        (r) =>
          r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && /scale-(up|down)$/.test(r.name),
      )
      .map((r) => r.state.arn);
    const drawn = widgets.flatMap(
      (w) => (w.properties.annotations as { alarms?: string[] } | undefined)?.alarms ?? [],
    );
    expect(alarms).to.have.length(2);
    expect(drawn).to.have.members(alarms as string[]);
  });

  it("shows the stages of each path in order: API first, data stores after what writes them", () => {
    const headings = (slug: string) =>
      widgetsOf(dashboardOf(slug))
        .filter((w) => w.type === "text")
        .map((w) => String(w.properties.markdown).replace(/^#+ /, "").split("\n")[0]);
    expect(headings("three-tier-lambda")).to.deep.equal([
      "three-tier-lambda (dev)",
      "API three-tier-lambda-api",
      "Function three-tier-lambda-api-items",
      "Table three-tier-lambda-api",
    ]);
    expect(headings("s3-events-lambda").slice(1)).to.deep.equal([
      "API objects-api",
      "Function objects-api-objects",
      "Function objects-api-uploads",
      "Bucket lambda-objects",
      "Function object-ingest",
      "Queue object-ingest-failures",
      "Queue object-work",
      "Consumer object-processor",
      "Table processed-objects",
    ]);
    const realtime = headings("realtime-analytics");
    const at = (h: string) => realtime.findIndex((x) => x.startsWith(h));
    expect(at("Ingest API")).to.equal(1);
    expect(at("Stream ")).to.be.greaterThan(at("Ingest API"));
    expect(at("Processor ")).to.be.greaterThan(at("Stream "));
    expect(at("Firehose ")).to.be.greaterThan(at("Processor "));
    // The pipeline ends with its on-failure queue; the client API (subscriptions, aggregates) follows.
    expect(at("On-failure queue")).to.be.greaterThan(at("Firehose "));
    expect(realtime.slice(at("On-failure queue") + 1)).to.deep.equal([
      "API realtime-client-api",
      "Function realtime-client-api-subscriptions",
      "Function realtime-client-api-aggregates",
    ]);
  });
});
