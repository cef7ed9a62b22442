import { expect } from "chai";
import { DASHBOARD_PERIOD_SECONDS, DASHBOARD_TIME_RANGE } from "../../components/core/defaults";
import {
  DashboardRow,
  FlowDashboard,
  MetricWidget,
  dashboardBody,
  dashboardUrl,
  metric,
} from "../../components/observability/flowDashboard";
import { BundledFunction } from "../../components/compute/lambdaFunction";
import { SecureQueue } from "../../components/messaging/secureQueue";
import { SecureTable } from "../../components/data/secureTable";
import { Recorder, installMocks, valueOf } from "../../scripts/harness/recorder";
import { FUNCTIONS_DIR as functionsDir } from "../support/componentFixtures";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";

type Widget = {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
};
type Body = { start: string; periodOverride: string; widgets: Widget[] };

const graph = (title: string, n = 1): MetricWidget => ({
  title,
  lines: Array.from({ length: n }, (_, i) =>
    metric("AWS/Lambda", "Errors", { FunctionName: `fn-${i}` }),
  ),
});

describe("dashboardBody (layout)", () => {
  const body = dashboardBody({
    title: "orders",
    description: "API -> Lambda -> DynamoDB",
    region: "eu-west-1",
    rows: [
      { title: "API", widgets: [graph("a"), graph("b"), graph("c")] },
      { title: "Empty", widgets: [] },
      { title: "Six", widgets: ["1", "2", "3", "4", "5", "6"].map((t) => graph(t)) },
      { title: "Lone", widgets: [graph("only")] },
    ],
  }) as unknown as Body;
  const metrics = body.widgets.filter((w) => w.type === "metric");
  const texts = body.widgets.filter((w) => w.type === "text");

  it("opens on the default time range and keeps each widget's period", () => {
    expect(body.start).to.equal(DASHBOARD_TIME_RANGE);
    expect(body.periodOverride).to.equal("inherit");
    for (const w of metrics) expect(w.properties.period).to.equal(DASHBOARD_PERIOD_SECONDS);
  });

  it("starts with a full-width header and gives each non-empty row a heading", () => {
    expect(texts.map((t) => t.properties.markdown)).to.deep.equal([
      "# orders\nAPI -> Lambda -> DynamoDB",
      "### API",
      "### Six",
      "### Lone",
    ]);
    for (const t of texts) expect(t).to.include({ x: 0, width: 24 });
  });

  it("puts at most four widgets on a line, sharing the 24 columns, and never overlaps", () => {
    const byTitle = (t: string) => metrics.find((w) => w.properties.title === t)!;
    expect(["a", "b", "c"].map((t) => [byTitle(t).x, byTitle(t).width])).to.deep.equal([
      [0, 8],
      [8, 8],
      [16, 8],
    ]);
    // Six widgets: a line of four, then a line of two.
    expect(["1", "2", "3", "4", "5", "6"].map((t) => byTitle(t).width)).to.deep.equal([
      6, 6, 6, 6, 12, 12,
    ]);
    expect(byTitle("5").y).to.equal(byTitle("1").y + 6);
    // A lone widget takes half the width.
    expect(byTitle("only")).to.include({ x: 0, width: 12 });
    const cells = new Set<string>();
    for (const w of body.widgets) {
      expect(w.x + w.width).to.be.at.most(24);
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`), `overlap at ${x},${y}`).to.equal(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it("writes metrics as CloudWatch arrays: namespace, name, dimension pairs, options", () => {
    const [w] = (
      dashboardBody({
        title: "t",
        region: "us-east-1",
        period: 300,
        rows: [
          {
            title: "r",
            widgets: [
              {
                title: "Latency",
                stat: "Average",
                unit: "ms",
                lines: [
                  metric("AWS/ApiGateway", "Latency", { ApiId: "abc", Stage: "$default" }),
                  metric(
                    "AWS/ApiGateway",
                    "Latency",
                    { ApiId: "abc" },
                    { stat: "p99", label: "p99", rightAxis: true },
                  ),
                  metric("AWS/X", "A", {}, { id: "m1", hidden: true }),
                  { expression: "m1 * 2", label: "double", id: "e1" },
                ],
                thresholds: [{ label: "slo", value: 300 }],
              },
            ],
          },
        ],
      }) as unknown as Body
    ).widgets.filter((x) => x.type === "metric");
    expect(w.properties).to.deep.include({
      region: "us-east-1",
      period: 300,
      stat: "Average",
      view: "timeSeries",
      yAxis: { left: { min: 0, label: "ms", showUnits: false } },
      annotations: { horizontal: [{ label: "slo", value: 300 }] },
    });
    expect(w.properties.metrics).to.deep.equal([
      ["AWS/ApiGateway", "Latency", "ApiId", "abc", "Stage", "$default"],
      ["AWS/ApiGateway", "Latency", "ApiId", "abc", { stat: "p99", label: "p99", yAxis: "right" }],
      ["AWS/X", "A", { id: "m1", visible: false }],
      [{ expression: "m1 * 2", label: "double", id: "e1" }],
    ]);
  });

  it("draws an alarm widget from the alarm alone (no metrics)", () => {
    const arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:scale-up";
    const [w] = (
      dashboardBody({
        title: "t",
        region: "us-east-1",
        rows: [{ title: "r", widgets: [{ title: "Scale up", lines: [], alarm: arn }] }],
      }) as unknown as Body
    ).widgets.filter((x) => x.type === "metric");
    expect(w.properties.annotations).to.deep.equal({ alarms: [arn] });
    expect(w.properties).to.not.have.property("metrics");
  });

  it("links the console page of a dashboard", () => {
    expect(dashboardUrl("eu-west-1", "app-prod-orders")).to.equal(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/app-prod-orders",
    );
  });
});

describe("FlowDashboard", () => {
  let rec: Recorder;
  let dash: FlowDashboard;
  let fn: BundledFunction;
  let queue: SecureQueue;
  let table: SecureTable;
  before(async () => {
    rec = installMocks({ stack: "dash-test", config: { "aws:region": "eu-central-1" } });
    fn = new BundledFunction("worker", { code: "echo", functionsDir, timeout: 20 });
    queue = new SecureQueue("jobs", {
      visibilityTimeoutSeconds: 120,
      alarmTopicArn: "arn:aws:sns:eu-central-1:123456789012:alarms",
    });
    table = new SecureTable("records", { hashKey: { name: "id", type: "S" } });
    dash = new FlowDashboard("jobs", {
      title: "Jobs",
      rows: [...queue.widgets(), ...fn.widgets(), ...table.widgets()],
    });
    await rec.settle();
  });

  const body = () => JSON.parse(rec.get(DASHBOARD, "jobs").inputs.dashboardBody as string) as Body;
  /** Every dimension value of a namespace in the body, by dimension name. */
  const dims = (namespace: string, dimension: string) =>
    body()
      .widgets.flatMap((w) => (w.properties.metrics as unknown[][] | undefined) ?? [])
      .filter((m) => m[0] === namespace)
      .map((m) => m[m.indexOf(dimension) + 1]);

  it("names the dashboard <project>-<stack>-<name> and exposes its console URL", async () => {
    expect(rec.get(DASHBOARD, "jobs").inputs.dashboardName).to.equal(
      "aws-serverless-flows-dash-test-jobs",
    );
    expect(await valueOf(dash.url)).to.equal(
      dashboardUrl("eu-central-1", "aws-serverless-flows-dash-test-jobs"),
    );
    expect(dash.widgetCount).to.equal(4 + 3 + 2);
  });

  it("refers to each component's resources by value, in the stack's region", () => {
    const fnName = rec.get("aws:lambda/function:Function", "worker").state.name;
    const queueName = rec.get("aws:sqs/queue:Queue", "jobs").state.name;
    const dlqName = rec.get("aws:sqs/queue:Queue", "jobs-dlq").state.name;
    const tableName = rec.get("aws:dynamodb/table:Table", "records").state.name;
    expect(new Set(dims("AWS/Lambda", "FunctionName"))).to.deep.equal(new Set([fnName]));
    expect(new Set(dims("AWS/SQS", "QueueName"))).to.deep.equal(new Set([queueName, dlqName]));
    expect(new Set(dims("AWS/DynamoDB", "TableName"))).to.deep.equal(new Set([tableName]));
    for (const w of body().widgets.filter((x) => x.type === "metric"))
      expect(w.properties.region).to.equal("eu-central-1");
  });

  it("marks the function timeout on its duration graph and the DLQ alarm on the DLQ graph", () => {
    const widget = (title: string) => body().widgets.find((w) => w.properties.title === title)!;
    expect(widget("Duration (ms)").properties.annotations).to.deep.equal({
      horizontal: [{ label: "timeout", value: 20_000 }],
    });
    expect(widget("DLQ depth").properties).to.deep.include({
      stat: "Maximum",
      annotations: { horizontal: [{ label: "alarm", value: 1 }] },
    });
  });

  it("rejects bad arguments before creating anything, naming each problem", () => {
    const rows: DashboardRow[] = [
      {
        title: "r",
        widgets: [
          { title: "empty", lines: [] },
          {
            title: "both",
            lines: [metric("AWS/X", "A", {}, { id: "M1" })],
            alarm: "arn:aws:cloudwatch:us-east-1:1:alarm:a",
            period: 7,
          },
        ],
      },
    ];
    const before = rec.resources.length;
    expect(() => new FlowDashboard("bad", { title: "x", rows, dashboardName: "no spaces allowed" }))
      .to.throw(Error)
      .with.property("message")
      .that.matches(/FlowDashboard "bad"/)
      .and.matches(/dashboardName/)
      .and.matches(/widgets\["empty"\]: shows no metric/)
      .and.matches(/both an alarm and metrics/)
      .and.matches(/lines: ids M1/)
      .and.matches(/period: 7 is not/);
    expect(() => new FlowDashboard("none", { title: "x", rows: [] })).to.throw(
      /rows: hold no widget/,
    );
    expect(rec.resources.length).to.equal(before);
  });
});
