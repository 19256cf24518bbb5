import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, FULL_DIR } from "../__fixtures__/paths.ts";
import { alarms, fixtureCsv, labelledSpikes, loadCsv, notices, run } from "./curves.test-support.ts";
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

  it("stays quiet on ±10 % noise but catches a 90 % jump that holds, from its first step", () => {
    const pts = noisyCurve(3000, 0.1);
    expect(alarms(run(new RobustSpikeDetector(), pts))).toEqual([]);
    const spiked = pts.map((p) => (p.step >= 2500 && p.step < 2520 ? { ...p, loss: p.loss * 1.9 } : p));
    expect(alarms(run(new RobustSpikeDetector(), spiked))).toMatchObject([
      { kind: "spike", step: 2501, onsetStep: 2500 }
    ]);
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
      { step: 3, loss: 28 }
    ];
    expect(alarms(run(new RobustSpikeDetector({ warmupPoints: 5 }), pts))).toEqual([]);
    expect(alarms(run(new RobustSpikeDetector({ warmupSteps: 10 }), pts))).toEqual([]);
    expect(alarms(run(new RobustSpikeDetector({ warmupPoints: 1 }), pts))).toMatchObject([
      { step: 3, onsetStep: 2 }
    ]);
  });

  it("reports a slow sustained rise as a climb, then as divergence", () => {
    const pts = Array.from({ length: 400 }, (_, i) => ({
      step: i + 1,
      loss: i < 100 ? 2 : 2 * Math.exp((i - 100) * 0.004)
    }));
    expect(alarms(run(new RobustSpikeDetector(), pts)).map((a) => a.kind)).toEqual(["climb", "divergence"]);
  });
});

/** a flat, gently noisy loss (±2 %) logged every `every` steps from `every` on */
function flat(points: number, every = 1, level = 2.5): LossPoint[] {
  return noisyCurve(points, 0.02, 7).map((p, i) => ({
    step: (i + 1) * every,
    loss: level * (p.loss / (2.5 + 8 * Math.exp(-i / 300)))
  }));
}

describe("RobustSpikeDetector: slow onset, noise, log interval, rewinds", () => {
  it("catches a slow-onset climb before it blows up, with the start of the climb as onset", () => {
    // flat, then +0.4 %/step for 60 steps (a baseline that follows it sees no jump), then ×3
    const pts = flat(460).map((p) => {
      if (p.step <= 400) return p;
      const climbed = p.loss * Math.exp(0.004 * (p.step - 400));
      return p.step <= 455 ? { ...p, loss: climbed } : { ...p, loss: climbed * 3 };
    });
    const first = alarms(run(new RobustSpikeDetector(), pts))[0];
    expect(first).toMatchObject({ kind: "climb" });
    expect(first?.step).toBeLessThan(456);
    expect(first?.onsetStep).toBeGreaterThan(380);
    // the baseline lags a ramp by about half its span (16 points): the onset is within that of 400
    expect(first?.onsetStep).toBeLessThanOrEqual(420);
  });

  it("reads isolated one-step outliers in a noisy per-step log as notices, never alarms", () => {
    const outliers = new Set([700, 1300, 1301 + 600, 2600]);
    const pts = noisyCurve(3000, 0.1).map((p) => (outliers.has(p.step) ? { ...p, loss: p.loss * 1.9 } : p));
    const ev = run(new RobustSpikeDetector(), pts);
    expect(alarms(ev)).toEqual([]);
    expect(notices(ev).map((n) => [n.kind, n.step])).toEqual([...outliers].map((s) => ["outlier", s]));
  });

  it("alarms on a single high point at log_interval 50: fifty bad steps, not noise", () => {
    const pts = flat(60, 50).map((p) => (p.step === 2500 ? { ...p, loss: p.loss * 1.35 } : p));
    expect(alarms(run(new RobustSpikeDetector(), pts))).toMatchObject([
      { kind: "spike", step: 2500, onsetStep: 2500 }
    ]);
    // the same point in a per-step log is one step: a notice
    const perStep = flat(60).map((p) => (p.step === 50 ? { ...p, loss: p.loss * 1.35 } : p));
    const ev = run(new RobustSpikeDetector(), perStep);
    expect(alarms(ev)).toEqual([]);
    expect(notices(ev).map((n) => n.step)).toEqual([50]);
  });

  it("takes the log interval it is told over the gaps, and irregular gaps for single steps", () => {
    const perStep = flat(60).map((p) => (p.step === 50 ? { ...p, loss: p.loss * 1.35 } : p));
    expect(alarms(run(new RobustSpikeDetector({ logInterval: 50 }), perStep))).toMatchObject([{ step: 50 }]);
    // a thinned export: gaps 7, 13, 29, … agree on no interval, so one high point is one step
    let step = 0;
    const thinned = flat(60).map((p, i) => ({ ...p, step: (step += [7, 13, 29][i % 3] ?? 1) }));
    const hit = thinned[40]?.step;
    const ev = run(
      new RobustSpikeDetector(),
      thinned.map((p) => (p.step === hit ? { ...p, loss: p.loss * 1.35 } : p))
    );
    expect(alarms(ev)).toEqual([]);
    expect(notices(ev).map((n) => n.step)).toEqual([hit]);
  });

  it("alarms again on a collapse that repeats after a rewind, naming the segment", () => {
    // collapse at 601 that does not come back; the run resumes from 500 and collapses at 601 again
    const pass = flat(700).map((p) => (p.step > 600 ? { ...p, loss: p.loss * 2.5 } : p));
    const ev = run(new RobustSpikeDetector(), [...pass, ...pass.slice(499)]);
    expect(ev.filter((e) => e.type === "rewind")).toEqual([{ type: "rewind", fromStep: 700, toStep: 500 }]);
    expect(
      alarms(ev)
        .filter((a) => a.kind === "spike")
        .map((a) => [a.onsetStep, a.segment])
    ).toEqual([
      [601, 0],
      [601, 1]
    ]);
  });

  it("calls a log that ends on a high point a spike, not an outlier", () => {
    const pts = [...flat(100), { step: 101, loss: 7 }];
    expect(alarms(run(new RobustSpikeDetector(), pts))).toMatchObject([{ kind: "spike", step: 101 }]);
  });
});
