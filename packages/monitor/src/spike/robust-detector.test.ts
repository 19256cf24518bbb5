import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, FULL_DIR } from "../__fixtures__/paths.ts";
import { alarms, fixtureCsv, labelledSpikes, loadCsv, run } from "./curves.test-support.ts";
import { RobustSpikeDetector } from "./robust-detector.ts";
import type { LossPoint } from "./types.ts";

/** deterministic noisy, slowly decaying curve (LCG so no dependency on Math.random) */
function noisyCurve(n: number, noise: number, seed = 1): LossPoint[] {
  let s = seed;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => ({
    step: i + 1,
    loss: (2.5 + 8 * Math.exp(-i / 300)) * (1 + noise * (rnd() * 2 - 1))
  }));
}

describe("RobustSpikeDetector on real curves", () => {
  it("raises nothing on the Pythia-410M curve with its step rewinds (fixture, every 8th point)", () => {
    const points = fixtureCsv("pythia410m_seed8.every8.csv");
    const events = run(new RobustSpikeDetector(), points);
    expect(events.filter((e) => e.type === "rewind").length).toBeGreaterThanOrEqual(9);
    expect(alarms(events)).toEqual([]);
  });

  it("raises nothing on the llm.c GPT-2 124M curve (fixture, every 2nd point)", () => {
    expect(alarms(run(new RobustSpikeDetector(), fixtureCsv("llmc_gpt2_124M.every2.csv")))).toEqual([]);
  });

  for (const { file, step } of labelledSpikes(join(FIXTURES_DIR, "csv"))) {
    it(`catches the labelled spike in ${file} within two logged points`, () => {
      const points = fixtureCsv(file);
      const labelIdx = points.findIndex((p) => p.step === step);
      const first = alarms(run(new RobustSpikeDetector(), points))[0];
      expect(first?.kind).toBe("spike");
      const alarmIdx = points.findIndex((p) => p.step === first?.step);
      expect(alarmIdx - labelIdx).toBeGreaterThanOrEqual(0);
      expect(alarmIdx - labelIdx).toBeLessThanOrEqual(2);
    });
  }

  it("reports BLOOM tr11's spike as recovered after ~30 steps, with its peak", () => {
    const events = run(new RobustSpikeDetector(), fixtureCsv("bs_tr11_176B_spike31219.csv"));
    expect(events.find((e) => e.type === "recovered")).toMatchObject({
      onsetStep: 31219,
      peakStep: 31219,
      peakLoss: 5.098124,
      stepsToRecover: 31
    });
  });

  it("does not call the tr11 spike recovered with a 20-step window", () => {
    const events = run(
      new RobustSpikeDetector({ recoverWindowSteps: 20 }),
      fixtureCsv("bs_tr11_176B_spike31219.csv")
    );
    expect(events.some((e) => e.type === "recovered")).toBe(false);
    expect(events.find((e) => e.type === "not_recovered")).toMatchObject({ onsetStep: 31219 });
  });

  it("flags the tr8 exp12 run as a divergence once the spike does not come back down", () => {
    const kinds = alarms(run(new RobustSpikeDetector(), fixtureCsv("bs_tr8_104B_exp12_diverge.csv"))).map(
      (a) => a.kind
    );
    expect(kinds).toEqual(["spike", "divergence"]);
  });

  it("raises nothing on the full Pythia and llm.c curves", () => {
    for (const f of ["pythia410m_seed8.csv", "llmc_gpt2_124M.csv"]) {
      expect(alarms(run(new RobustSpikeDetector(), loadCsv(join(FULL_DIR, "csv", f))))).toEqual([]);
    }
  });
});

describe("RobustSpikeDetector semantics", () => {
  it("alarms at once on NaN and Inf, once per run of non-finite values", () => {
    const d = new RobustSpikeDetector();
    const ev = run(d, [
      { step: 1, loss: 3 },
      { step: 2, loss: Number.NaN },
      { step: 3, loss: Number.NaN },
      { step: 4, loss: 3 },
      { step: 5, loss: Number.POSITIVE_INFINITY }
    ]);
    expect(alarms(ev).map((a) => [a.kind, a.step])).toEqual([
      ["nan", 2],
      ["nan", 5]
    ]);
  });

  it("never alarms on a rewind, even to a much higher loss", () => {
    const pts = noisyCurve(2000, 0.02);
    const rewound = [...pts, ...pts.slice(10, 400)];
    const ev = run(new RobustSpikeDetector(), rewound);
    expect(ev.filter((e) => e.type === "rewind")).toEqual([{ type: "rewind", fromStep: 2000, toStep: 11 }]);
    expect(alarms(ev)).toEqual([]);
  });

  it("stays quiet on ±10 % noise but catches a 50 % jump at its step", () => {
    const pts = noisyCurve(3000, 0.1);
    expect(alarms(run(new RobustSpikeDetector(), pts))).toEqual([]);
    const spiked = pts.map((p) => (p.step === 2500 ? { ...p, loss: p.loss * 1.9 } : p));
    expect(alarms(run(new RobustSpikeDetector(), spiked)).map((a) => a.step)).toEqual([2500]);
  });

  it("needs a second high point for a moderate jump (persistence) and reports the onset", () => {
    const base = Array.from({ length: 100 }, (_, i) => ({ step: i + 1, loss: 2 }));
    const once = [...base, { step: 101, loss: 2.6 }, { step: 102, loss: 2 }];
    expect(alarms(run(new RobustSpikeDetector(), once))).toEqual([]);
    const twice = [...base, { step: 101, loss: 2.6 }, { step: 102, loss: 2.6 }];
    expect(alarms(run(new RobustSpikeDetector(), twice))).toMatchObject([
      { kind: "spike", step: 102, onsetStep: 101 }
    ]);
  });

  it("is silent during warm-up", () => {
    const pts = [
      { step: 1, loss: 10 },
      { step: 2, loss: 30 },
      { step: 3, loss: 9 }
    ];
    expect(alarms(run(new RobustSpikeDetector({ warmupPoints: 5 }), pts))).toEqual([]);
    expect(alarms(run(new RobustSpikeDetector({ warmupSteps: 10 }), pts))).toEqual([]);
    expect(alarms(run(new RobustSpikeDetector({ warmupPoints: 1 }), pts)).map((a) => a.step)).toEqual([2]);
  });

  it("reports a slow sustained rise as divergence", () => {
    const pts = Array.from({ length: 400 }, (_, i) => ({
      step: i + 1,
      loss: i < 100 ? 2 : 2 * Math.exp((i - 100) * 0.004)
    }));
    expect(alarms(run(new RobustSpikeDetector(), pts)).map((a) => a.kind)).toEqual(["divergence"]);
  });
});
