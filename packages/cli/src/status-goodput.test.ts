import { describe, expect, it } from "vitest";
import { GOODPUT_CATEGORIES } from "@neoxctl/supervisor";
import type { GoodputCategory, RunGoodput } from "@neoxctl/supervisor";
import { describeGoodput, goodputSummary } from "./status-goodput.ts";

function goodput(min: Partial<Record<GoodputCategory, number>>): RunGoodput {
  const split = Object.fromEntries(GOODPUT_CATEGORIES.map((c) => [c, (min[c] ?? 0) * 60])) as Record<
    GoodputCategory,
    number
  >;
  const wallS = Object.values(split).reduce((a, b) => a + b, 0);
  const training = wallS - split.workflow_steps;
  return {
    split,
    wallS,
    ett: split.productive / wallS,
    ettTraining: training > 0 ? split.productive / training : undefined
  };
}

describe("the goodput line of status", () => {
  it("a graph run: the training part's share and the steps' time, which are not counted as lost", () => {
    const g = goodput({ productive: 60, queue: 10, startup: 5, workflow_steps: 45 });
    expect(describeGoodput(g, true)).toBe(
      "effective training time 50.0 % of 2.0 h (80.0 % of the training part); workflow steps 45 min; lost: queue 10 min, startup 5 min"
    );
    expect(describeGoodput(g, false)).toBe(
      "effective training time 50.0 % of 2.0 h (80.0 % of the training part)"
    );
    expect(goodputSummary(g)).toEqual({
      effectiveTrainingTime: 0.5,
      effectiveTrainingTimeTrainingPart: 0.8,
      workflowStepsS: 45 * 60
    });
  });

  it("a run without a graph reads as before", () => {
    const g = goodput({ productive: 90, recompute: 30 });
    expect(describeGoodput(g, true)).toBe("effective training time 75.0 % of 2.0 h; lost: recompute 30 min");
    expect(goodputSummary(g).workflowStepsS).toBe(0);
  });
});
