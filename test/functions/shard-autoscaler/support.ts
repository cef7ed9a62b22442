/** What the scaler tests share: CloudWatch's answer to the scaler's GetMetricData query. */

/** The three series the scaler asks for (aws.ts), one value per timestamp. */
export interface MetricSeries {
  bytes: number[];
  records: number[];
  throttled: number[];
}

/** A complete GetMetricData response for the scaler's three query ids, as CloudWatch shapes it. */
export function metricDataResponse(timestamps: Date[], series: MetricSeries) {
  const result = (Id: keyof MetricSeries) => ({
    Id,
    StatusCode: "Complete",
    Timestamps: timestamps,
    Values: series[Id],
  });
  return { MetricDataResults: [result("bytes"), result("records"), result("throttled")] };
}

/** The error an awaited call throws, or undefined: for assertions on what was thrown. */
export async function errorOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
    return undefined;
  } catch (e) {
    return e;
  }
}
