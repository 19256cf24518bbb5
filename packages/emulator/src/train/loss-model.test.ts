import { describe, expect, it } from "vitest";
import { HEALTHY, cleanLoss, spikeHazard, stepLoss } from "./loss-model.ts";
import type { ModelHealth } from "./loss-model.ts";

function run(seed: number, lr: number, steps: number, unstableLr = 2e-4): number[] {
  let health: ModelHealth = HEALTHY;
  const out: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const r = stepLoss({ seed, step, lr, unstableLr, forceSpike: false, forceNan: false }, health);
    health = r.health;
    out.push(r.loss);
  }
  return out;
}

/** Steps whose loss jumps well above the clean curve. */
const spikes = (losses: number[]): number => losses.filter((l, i) => !(l < cleanLoss(i + 1) + 0.5)).length;

describe("loss model", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    expect(run(7, 1e-4, 300)).toEqual(run(7, 1e-4, 300));
    expect(run(7, 1e-4, 300)).not.toEqual(run(8, 1e-4, 300));
  });
  it("decays and stays stable below the unstable LR, for many seeds", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const l = run(seed, 1.9e-4, 500);
      expect(spikes(l)).toBe(0);
      expect(l[499]).toBeLessThan(l[0] ?? 0);
    }
  });
  it("spikes above the unstable LR for most seeds", () => {
    let spiky = 0;
    for (let seed = 1; seed <= 50; seed++) if (spikes(run(seed, 4e-4, 500)) > 0) spiky++;
    expect(spiky).toBeGreaterThan(45);
  });
  it("has zero hazard at or below the threshold", () => {
    expect(spikeHazard(2e-4, 2e-4)).toBe(0);
    expect(spikeHazard(3e-4, 2e-4)).toBeGreaterThan(0);
  });
  it("a forced spike heals by itself below the threshold", () => {
    let h: ModelHealth = HEALTHY;
    const losses: number[] = [];
    for (let step = 1; step <= 80; step++) {
      const r = stepLoss(
        { seed: 3, step, lr: 1e-4, unstableLr: 2e-4, forceSpike: step === 40, forceNan: false },
        h
      );
      h = r.health;
      losses.push(r.loss);
    }
    expect(losses[39]).toBeGreaterThan(cleanLoss(40) + 3);
    expect(losses[79]).toBeLessThan(cleanLoss(80) + 0.3);
  });
  it("NaN persists once the weights are NaN", () => {
    const r = stepLoss(
      { seed: 1, step: 5, lr: 1e-4, unstableLr: 2e-4, forceSpike: false, forceNan: true },
      HEALTHY
    );
    expect(Number.isNaN(r.loss)).toBe(true);
    expect(
      Number.isNaN(
        stepLoss(
          { seed: 1, step: 6, lr: 1e-4, unstableLr: 2e-4, forceSpike: false, forceNan: false },
          r.health
        ).loss
      )
    ).toBe(true);
  });
});
