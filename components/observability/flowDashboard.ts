import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DASHBOARD_PERIOD_SECONDS, DASHBOARD_TIME_RANGE } from "../core/defaults";
import { Transform, transform } from "../core/transform";
import { ArgumentErrors } from "../core/validate";

/** One CloudWatch metric on a graph: where it lives and how to draw it. */
export interface MetricLine {
  /** e.g. `AWS/Lambda`. */
  namespace: string;
  /** e.g. `Errors`. */
  metricName: string;
  /** Dimensions identifying the resource, e.g. `{ FunctionName: fn.name }`. */
  dimensions: Record<string, pulumi.Input<string>>;
  /**
   * Statistic: Sum, Average, Maximum, Minimum, SampleCount or a percentile (`p99`).
   * @default the widget's `stat`
   */
  stat?: string;
  /**
   * Legend text.
   * @default CloudWatch's (metric name and dimensions)
   */
  label?: string;
  /**
   * Plot against the right axis.
   * @default false (left)
   */
  rightAxis?: boolean;
  /**
   * Metric-math id (`m1`), when an expression of the widget uses it.
   * @default none
   */
  id?: string;
  /**
   * Hide the line (it only feeds an expression).
   * @default false
   */
  hidden?: boolean;
}

/** A metric-math line, e.g. `100 * m2 / m1` over the widget's metrics with those ids. */
export interface ExpressionLine {
  /** Metric math, e.g. `100 * m2 / m1` or a `SEARCH(...)` (Inputs allowed, e.g. a stream name). */
  expression: pulumi.Input<string>;
  /** Legend text. Required: an expression has no name of its own. */
  label: string;
  /** Metric-math id of the result (`e1`). Required. */
  id: string;
  /**
   * Plot against the right axis.
   * @default false (left)
   */
  rightAxis?: boolean;
}

export type WidgetLine = MetricLine | ExpressionLine;

/** One graph (or number) of a dashboard. */
export interface MetricWidget {
  /** Title above the graph. Required. */
  title: string;
  /** The metrics (and expressions) it shows. Required (1+) unless `alarm` is given. */
  lines: WidgetLine[];
  /**
   * Show this alarm (ARN) as the graph instead: its own metric or math and threshold, so an alarm
   * rewritten at runtime (the shard autoscaler's) is drawn as it is now.
   * @default none
   */
  alarm?: pulumi.Input<string>;
  /**
   * Statistic of lines that name none.
   * @default Sum
   */
  stat?: string;
  /**
   * Seconds per datapoint (1, 5, 10, 30 or a multiple of 60).
   * @default the dashboard's period
   */
  period?: number;
  /**
   * Horizontal lines, e.g. an alarm's threshold or a function's timeout.
   * @default none
   */
  thresholds?: { label: string; value: number }[];
  /**
   * Stack the lines as areas.
   * @default false
   */
  stacked?: boolean;
  /**
   * Graph over time, or the latest value as a number.
   * @default "timeSeries"
   */
  view?: "timeSeries" | "singleValue";
  /**
   * Label of the left axis (a unit such as "ms" or "%").
   * @default none
   */
  unit?: string;
}

/** One hop of a flow on the dashboard: a heading and the widgets showing that hop. */
export interface DashboardRow {
  /** e.g. "Queue uploads". Required. */
  title: string;
  widgets: MetricWidget[];
}

/** A component that knows its own metrics: what a flow hands to its dashboard. */
export interface Monitored {
  /** Rows of widgets showing the component's resources, in the order data flows through them. */
  widgets(): DashboardRow[];
}

/** Shorthand for a `MetricLine`. */
export function metric(
  namespace: string,
  metricName: string,
  dimensions: Record<string, pulumi.Input<string>>,
  options: Omit<MetricLine, "namespace" | "metricName" | "dimensions"> = {},
): MetricLine {
  return { namespace, metricName, dimensions, ...options };
}

export function isExpression(line: WidgetLine): line is ExpressionLine {
  return (line as ExpressionLine).expression !== undefined;
}

/** CloudWatch's grid is 24 units wide; widgets per line and their height on it. */
const GRID_WIDTH = 24;
const MAX_WIDGETS_PER_LINE = 4;
const WIDGET_HEIGHT = 6;
/** CloudWatch quotas: widgets per dashboard, metrics per dashboard (graphs sum up to this). */
export const MAX_DASHBOARD_WIDGETS = 500;
export const MAX_DASHBOARD_METRICS = 2500;
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const METRIC_ID = /^[a-z][A-Za-z0-9_]*$/;

/** The console address of a dashboard. */
export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`;
}

/** What `dashboardBody` lays out. */
export interface DashboardSpec {
  /** Heading of the dashboard (markdown header). */
  title: string;
  /**
   * Markdown under the heading (e.g. the flow's path).
   * @default none
   */
  description?: string;
  rows: DashboardRow[];
  /** Region of every metric widget (CloudWatch requires one per widget). */
  region: pulumi.Input<string>;
  /**
   * Default seconds per datapoint.
   * @default 60 (`DASHBOARD_PERIOD_SECONDS`)
   */
  period?: number;
  /**
   * Time range shown on opening.
   * @default "-PT3H" (`DASHBOARD_TIME_RANGE`)
   */
  start?: string;
}

type Json = Record<string, unknown>;

function lineJson(line: WidgetLine): unknown[] {
  const axis = line.rightAxis ? { yAxis: "right" } : {};
  if (isExpression(line)) {
    return [{ expression: line.expression, label: line.label, id: line.id, ...axis }];
  }
  const options: Json = {
    ...(line.stat ? { stat: line.stat } : {}),
    ...(line.label ? { label: line.label } : {}),
    ...(line.id ? { id: line.id } : {}),
    ...(line.hidden ? { visible: false } : {}),
    ...axis,
  };
  const dims = Object.entries(line.dimensions).flatMap(([k, v]) => [k, v]);
  return [
    line.namespace,
    line.metricName,
    ...dims,
    ...(Object.keys(options).length > 0 ? [options] : []),
  ];
}

/**
 * The dashboard body CloudWatch expects (`DashboardBody` JSON, Inputs still unresolved): a text
 * header, then per row a heading and its widgets, at most four to a line. Pure, so tests can
 * check the layout without a Pulumi runtime.
 */
export function dashboardBody(spec: DashboardSpec): Json {
  const period = spec.period ?? DASHBOARD_PERIOD_SECONDS;
  const widgets: Json[] = [];
  let y = 0;
  const text = (markdown: string, height: number) => {
    widgets.push({
      type: "text",
      x: 0,
      y,
      width: GRID_WIDTH,
      height,
      properties: { markdown, background: "transparent" },
    });
    y += height;
  };
  text(`# ${spec.title}${spec.description ? `\n${spec.description}` : ""}`, 2);
  for (const row of spec.rows) {
    if (row.widgets.length === 0) continue;
    text(`### ${row.title}`, 1);
    for (let i = 0; i < row.widgets.length; i += MAX_WIDGETS_PER_LINE) {
      const line = row.widgets.slice(i, i + MAX_WIDGETS_PER_LINE);
      // A lone widget takes half the width: a full-width graph is hard to compare with the rest.
      const width = GRID_WIDTH / Math.max(2, line.length);
      line.forEach((w, j) => {
        const properties: Json = {
          title: w.title,
          region: spec.region,
          view: w.view ?? "timeSeries",
          stacked: w.stacked ?? false,
          period: w.period ?? period,
          stat: w.stat ?? "Sum",
          yAxis: { left: { min: 0, ...(w.unit ? { label: w.unit, showUnits: false } : {}) } },
        };
        // An alarm widget takes no metrics: CloudWatch draws the alarm's own.
        if (w.alarm !== undefined) properties.annotations = { alarms: [w.alarm] };
        else properties.metrics = w.lines.map(lineJson);
        if (w.thresholds?.length && w.alarm === undefined) {
          properties.annotations = {
            horizontal: w.thresholds.map((t) => ({ label: t.label, value: t.value })),
          };
        }
        widgets.push({
          type: "metric",
          x: j * width,
          y,
          width,
          height: WIDGET_HEIGHT,
          properties,
        });
      });
      y += WIDGET_HEIGHT;
    }
  }
  return { start: spec.start ?? DASHBOARD_TIME_RANGE, periodOverride: "inherit", widgets };
}

export interface FlowDashboardArgs {
  /** Heading of the dashboard. Required. */
  title: string;
  /**
   * Markdown under the heading, e.g. the flow's path.
   * @default none
   */
  description?: string;
  /** The rows to show, in the order data flows (collect them with each component's `widgets()`). Required (1+ widget). */
  rows: DashboardRow[];
  /**
   * Dashboard name (letters, digits, `-`, `_`; at most 255; unique per account, not per region).
   * @default `<project>-<stack>-<name>`
   */
  dashboardName?: string;
  /**
   * Default seconds per datapoint.
   * @default 60 (`DASHBOARD_PERIOD_SECONDS`)
   */
  period?: number;
  /**
   * Time range shown on opening (ISO 8601 duration before now).
   * @default "-PT3H" (`DASHBOARD_TIME_RANGE`)
   */
  start?: string;
  /**
   * Override hooks.
   * @default none
   */
  transform?: { dashboard?: Transform<aws.cloudwatch.DashboardArgs> };
}

const validPeriod = (p: number) =>
  Number.isInteger(p) && (p >= 60 ? p % 60 === 0 : [1, 5, 10, 30].includes(p));

/**
 * A CloudWatch dashboard laying out the rows of metric widgets that components contribute
 * (`Monitored.widgets()`), under a text header: one dashboard per flow, its path end to end.
 * `url` is the console address to put in the stack outputs.
 */
export class FlowDashboard extends pulumi.ComponentResource {
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardName: pulumi.Output<string>;
  /** Console URL of the dashboard. */
  readonly url: pulumi.Output<string>;
  /** Metric widgets on the dashboard (text widgets not counted). */
  readonly widgetCount: number;

  constructor(name: string, args: FlowDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless:observability:FlowDashboard", name, {}, opts);
    const dashboardName =
      args.dashboardName ??
      `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-");
    const rows = args.rows ?? [];
    const widgets = rows.flatMap((r) => r.widgets);
    const textWidgets = 1 + rows.filter((r) => r.widgets.length > 0).length;
    const metricCount = widgets.reduce((n, w) => n + w.lines.length, 0);
    const period = args.period ?? DASHBOARD_PERIOD_SECONDS;
    const errors = new ArgumentErrors("FlowDashboard", name)
      .check(
        DASHBOARD_NAME.test(dashboardName),
        "dashboardName",
        `"${dashboardName}" is not 1-255 letters, digits, "-" or "_"`,
        "use a name like my-app-prod-orders",
      )
      .check(
        widgets.length > 0,
        "rows",
        "hold no widget",
        "pass the widgets() of the flow's components",
      )
      .check(
        widgets.length + textWidgets <= MAX_DASHBOARD_WIDGETS,
        "rows",
        `${widgets.length + textWidgets} widgets exceed CloudWatch's ${MAX_DASHBOARD_WIDGETS} per dashboard`,
        "split the rows over several dashboards",
      )
      .check(
        metricCount <= MAX_DASHBOARD_METRICS,
        "rows",
        `${metricCount} metrics exceed CloudWatch's ${MAX_DASHBOARD_METRICS} per dashboard`,
        "split the rows over several dashboards",
      )
      .check(
        validPeriod(period),
        "period",
        `${period} is not 1, 5, 10, 30 or a multiple of 60`,
        "use e.g. 60 or 300",
      );
    for (const row of rows) {
      for (const w of row.widgets) {
        const field = `rows["${row.title}"].widgets["${w.title}"]`;
        const ids = w.lines.map((l) => l.id).filter((id): id is string => id !== undefined);
        errors
          .check(
            w.lines.length > 0 || w.alarm !== undefined,
            field,
            "shows no metric",
            "add a metric or an alarm, or drop the widget",
          )
          .check(
            w.alarm === undefined || w.lines.length === 0,
            field,
            "has both an alarm and metrics (CloudWatch draws an alarm widget from the alarm alone)",
            "drop the lines or the alarm",
          )
          .check(
            ids.every((id) => METRIC_ID.test(id)) && new Set(ids).size === ids.length,
            `${field}.lines`,
            `ids ${ids.join(", ")} are not unique or do not start with a lower-case letter`,
            "give each line its own id like m1, e1",
          )
          .check(
            w.period === undefined || validPeriod(w.period),
            `${field}.period`,
            `${w.period} is not 1, 5, 10, 30 or a multiple of 60`,
            "use e.g. 60 or 300",
          );
      }
    }
    errors.throwIfAny();
    this.widgetCount = widgets.length;

    const region = aws.getRegionOutput({}, { parent: this }).region;
    const body = dashboardBody({
      title: args.title,
      description: args.description,
      rows,
      region,
      period,
      start: args.start,
    });
    this.dashboard = new aws.cloudwatch.Dashboard(
      ...transform(
        args.transform?.dashboard,
        name,
        { dashboardName, dashboardBody: pulumi.jsonStringify(body) },
        { parent: this },
      ),
    );
    this.dashboardName = this.dashboard.dashboardName;
    this.url = pulumi
      .all([region, this.dashboard.dashboardName])
      .apply(([r, n]) => dashboardUrl(r, n));
    this.registerOutputs({ dashboardName: this.dashboardName, url: this.url });
  }
}
