import { describe, expect, it } from "vitest";
import { adviseInterval, describeAdvice } from "./interval-advice.ts";

describe("Young/Daly checkpoint-interval advice", () => {
  it("√(2 × save × MTBF) from the observed failure rate", () => {
    // 10 failures in 100 h → MTBF 10 h; save 2 min → τ = √(2·120·36000) ≈ 2939 s
    const a = adviseInterval({
      saveS: 120,
      stepS: 10,
      observedS: 100 * 3600,
      failures: 10,
      configuredFactor: 1000
    })!;
    expect(a.mtbfS).toBe(36_000);
    expect(a.optimalS).toBeCloseTo(Math.sqrt(2 * 120 * 36_000));
    expect(a.optimalIters).toBe(294);
    expect(a.mtbfIsLowerBound).toBe(false);
    // the optimum costs less than the configured 1000-iteration interval
    expect(a.overheadAtOptimal).toBeLessThan(a.overheadAtConfigured);
    expect(describeAdvice(a)).toMatch(/Young\/Daly suggests 294 it/);
  });

  it("no failure yet → MTBF is a lower bound (the observed time)", () => {
    const a = adviseInterval({ saveS: 60, stepS: 5, observedS: 7200, failures: 0, configuredFactor: 100 })!;
    expect(a).toMatchObject({ mtbfS: 7200, mtbfIsLowerBound: true });
    expect(describeAdvice(a)).toContain("≥2.00 h");
  });

  it("nothing measured → no advice", () => {
    expect(
      adviseInterval({ saveS: 0, stepS: 5, observedS: 10, failures: 1, configuredFactor: 10 })
    ).toBeUndefined();
  });
});
