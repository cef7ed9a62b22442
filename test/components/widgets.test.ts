import { expect } from "chai";
import { metric } from "../../components/observability/flowDashboard";
import { percentilesWidget } from "../../components/observability/widgets";

describe("percentilesWidget", () => {
  it("draws p50 and p99 in ms, then the extra lines and options", () => {
    const d = { FunctionName: "f" };
    const w = percentilesWidget(
      "Duration (ms)",
      (stat, label) => metric("AWS/Lambda", "Duration", d, { stat, label }),
      [metric("AWS/Lambda", "Duration", d, { stat: "Maximum", label: "max" })],
      { thresholds: [{ label: "timeout", value: 3000 }] },
    );
    expect(w.title).to.equal("Duration (ms)");
    expect(w.unit).to.equal("ms");
    expect(w.lines.map((l) => ("stat" in l ? [l.stat, l.label] : []))).to.deep.equal([
      ["p50", "p50"],
      ["p99", "p99"],
      ["Maximum", "max"],
    ]);
    expect(w.thresholds).to.deep.equal([{ label: "timeout", value: 3000 }]);
  });
});
