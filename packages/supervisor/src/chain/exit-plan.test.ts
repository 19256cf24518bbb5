import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { neoxExitIteration, planExit } from "./exit-plan.ts";
import type { ExitPlanInput } from "./exit-plan.ts";

const base: ExitPlanInput = {
  startIteration: 0,
  trainIters: 40_000,
  checkpointFactor: 500,
  limitS: 48 * 3600,
  stepS: 10,
  saveS: 120,
  startupS: 600,
  marginS: 1800
};

describe("planExit", () => {
  it("ends on a checkpoint multiple, a margin before the limit", () => {
    const p = planExit(base);
    expect(p.basis).toBe("fits");
    expect(p.exitAt! % 500).toBe(0);
    expect(p.exitInterval).toBe(p.exitAt);
    expect(p.expectedS).toBeLessThanOrEqual(base.limitS - base.marginS);
    // one more checkpoint interval would not fit
    expect(p.expectedS + 500 * (10 + 120 / 500)).toBeGreaterThan(base.limitS - base.marginS);
  });

  it("counts from the resume iteration (exit_interval is absolute)", () => {
    const first = planExit(base);
    const next = planExit({ ...base, startIteration: first.exitAt! });
    expect(next.exitAt! - first.exitAt!).toBe(first.exitAt!);
    expect(neoxExitIteration(first.exitAt!, next.exitInterval, base.trainIters)).toBe(next.exitAt);
  });

  it("re-estimates: slower steps → an earlier exit", () => {
    expect(planExit({ ...base, stepS: 20 }).exitAt!).toBeLessThan(planExit(base).exitAt!);
  });

  it("leaves exit_interval unset when the rest of the run fits", () => {
    expect(planExit({ ...base, startIteration: 39_000 })).toMatchObject({
      exitAt: null,
      exitInterval: null,
      basis: "runs_to_end",
      steps: 1000
    });
  });

  it("less than one interval fits → next checkpoint, flagged tight", () => {
    const p = planExit({ ...base, startIteration: 1000, limitS: 3600, stepS: 10 });
    expect(p).toMatchObject({ exitAt: 1500, basis: "tight" });
  });

  it("property: NeoX exits exactly at exitAt, a checkpoint step after the start, before train_iters", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 60, max: 200_000 }),
        fc.double({ min: 0.01, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        (start, f, limitS, stepS, saveS, extra) => {
          const trainIters = start + extra;
          const p = planExit({
            startIteration: start,
            trainIters,
            checkpointFactor: f,
            limitS,
            stepS,
            saveS,
            startupS: 30,
            marginS: 60
          });
          if (p.exitAt === null) return p.steps === extra;
          return (
            p.exitAt % f === 0 &&
            p.exitAt > start &&
            p.exitAt < trainIters &&
            neoxExitIteration(start, p.exitInterval, trainIters) === p.exitAt
          );
        }
      )
    );
  });
});
