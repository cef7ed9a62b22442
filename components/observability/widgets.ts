import type { MetricWidget, WidgetLine } from "./flowDashboard";

/**
 * A millisecond widget of one metric's p50 and p99 (latency, duration), then `extra` lines:
 * `line(stat, label)` draws the metric at a statistic.
 */
export function percentilesWidget(
  title: string,
  line: (stat: string, label: string) => WidgetLine,
  extra: WidgetLine[] = [],
  options: Omit<Partial<MetricWidget>, "title" | "lines"> = {},
): MetricWidget {
  return {
    title,
    unit: "ms",
    lines: [line("p50", "p50"), line("p99", "p99"), ...extra],
    ...options,
  };
}
