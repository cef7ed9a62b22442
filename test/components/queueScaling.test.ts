import { expect } from "chai";
import { ageSteps, checkQueueScaling } from "../../components/containers/queueScaling";
import { ArgumentErrors } from "../../components/core/validate";

describe("queue scaling (pure)", () => {
  it("adds 1, 2, then 4 tasks as the oldest message ages past the scale-out age", () => {
    // Bounds are relative to the scale-out alarm's threshold (120 s); the last step is open.
    expect(ageSteps(120, 600)).to.deep.equal([
      { lower: 0, upper: 120, add: 1 },
      { lower: 120, upper: 480, add: 2 },
      { lower: 480, add: 4 },
    ]);
  });

  it("drops empty steps when the alarm age is close to the scale-out age, keeping an open last step", () => {
    const steps = ageSteps(300, 400);
    expect(steps).to.deep.equal([
      { lower: 0, upper: 100, add: 1 },
      { lower: 100, add: 4 },
    ]);
    for (let i = 1; i < steps.length; i++) expect(steps[i].lower).to.equal(steps[i - 1].upper);
  });

  it("refuses bad settings and a cluster without Container Insights, naming each", () => {
    const errors = checkQueueScaling(
      new ArgumentErrors("QueueScaling", "billing"),
      { backlogPerTask: 0, scaleOutAgeSeconds: 30, alarmAgeSeconds: 20 },
      false,
    );
    expect(() => errors.throwIfAny()).to.throw(
      /backlogPerTask[\s\S]*scaleOutAgeSeconds[\s\S]*alarmAgeSeconds[\s\S]*Container Insights off/,
    );
    expect(() =>
      checkQueueScaling(
        new ArgumentErrors("QueueScaling", "billing"),
        { backlogPerTask: 100, scaleOutAgeSeconds: 120, alarmAgeSeconds: 600 },
        true,
      ).throwIfAny(),
    ).to.not.throw();
  });
});
