import { describe, expect, it } from "vitest";
import { median, recentStepMs, saveSecondsFromWindows } from "./step-stats.ts";

describe("step statistics", () => {
  it("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it("recent step time ignores the save windows", () => {
    const s = Array.from({ length: 40 }, (_, i) => ({
      step: i + 1,
      ms: (i + 1) % 10 === 1 && i > 0 ? 2100 : 100
    }));
    expect(recentStepMs(s)).toBe(100);
  });

  it("save time = excess of the window after each save × log_interval", () => {
    // log every 2 iterations, save every 10: windows ending at 12, 22, 32 hold a 3 s save
    const s = Array.from({ length: 20 }, (_, i) => ({
      step: (i + 1) * 2,
      ms: [12, 22, 32].includes((i + 1) * 2) ? 100 + 1500 : 100
    }));
    expect(saveSecondsFromWindows(s, 2, 10)).toBeCloseTo(3);
  });

  it("no window after a save → unknown", () => {
    expect(
      saveSecondsFromWindows(
        [
          { step: 1, ms: 5 },
          { step: 2, ms: 5 }
        ],
        1,
        10
      )
    ).toBeUndefined();
  });
});
