import { describe, expect, it } from "vitest";
import { AnnealingLr } from "./annealing-lr.ts";
import type { DecayStyle } from "../config/emu-config.ts";

const make = (decayStyle: DecayStyle, over = false) =>
  new AnnealingLr(
    {
      startLr: 1e-3,
      minLr: 1e-4,
      warmupIter: 10,
      totalIters: 110,
      decayStyle,
      overrideLrScheduler: over,
      useCheckpointLrScheduler: false
    },
    () => {}
  );

const at = (s: AnnealingLr, n: number): number => {
  s.numIters = n;
  return s.lr();
};

describe("AnnealingLR", () => {
  it("warms up linearly then decays per style, floored at min_lr", () => {
    const lin = make("linear");
    expect(at(lin, 5)).toBeCloseTo(5e-4, 12);
    expect(at(lin, 10)).toBeCloseTo(1e-3, 12);
    expect(at(lin, 60)).toBeCloseTo(5e-4, 12);
    expect(at(lin, 110)).toBe(1e-4);
    expect(at(make("cosine"), 60)).toBeCloseTo(5.5e-4, 12);
    expect(at(make("cosine"), 110)).toBeCloseTo(1e-4, 12);
    expect(at(make("exponential"), 110)).toBeCloseTo(1e-3 * Math.exp(-0.693), 12);
    expect(at(make("constant"), 100)).toBe(1e-3);
  });
  it("asserts on a changed field unless overriding; override keeps num_iters from the checkpoint", () => {
    const saved = { ...make("linear").stateDict(), num_iters: 40, warmup_iter: 20 };
    expect(() => make("linear").loadStateDict(saved)).toThrow(
      "checkpoint values for warmup iterations do not match"
    );
    const s = make("linear", true);
    s.loadStateDict(saved);
    expect(s.warmupIter).toBe(10);
    expect(s.numIters).toBe(40);
  });
});
