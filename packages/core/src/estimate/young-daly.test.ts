import { describe, expect, it } from "vitest";
import { checkpointOverhead, youngDalyIntervalS } from "./young-daly.ts";

describe("Young/Daly", () => {
  it("gives √(2·C·M)", () => {
    // C = 5 min, M = 24 h: √(2 × 300 × 86,400) = 7,200 s (Daly 2006's worked example is 117 min with R)
    expect(youngDalyIntervalS({ saveS: 300, mtbfS: 86_400 })).toBeCloseTo(7200, 6);
  });

  it("has its lowest overhead at Young's interval", () => {
    const p = { saveS: 120, mtbfS: 86_400 };
    const tau = youngDalyIntervalS(p);
    // C/τ + τ/2M at τ = √(2CM) equals √(2C/M) = √(240 / 86,400) = 5.27 %
    expect(checkpointOverhead({ ...p, intervalS: tau })).toBeCloseTo(Math.sqrt(240 / 86_400), 9);
    expect(checkpointOverhead({ ...p, intervalS: tau * 1.5 })).toBeGreaterThan(
      checkpointOverhead({ ...p, intervalS: tau })
    );
    expect(checkpointOverhead({ ...p, intervalS: tau / 1.5 })).toBeGreaterThan(
      checkpointOverhead({ ...p, intervalS: tau })
    );
  });
});
