/**
 * The curves compare-detectors.ts scores, each with its labelled episodes. Real curves are read as
 * committed; the scenario curves are built deterministically from the real clean ones (an injected
 * climb, isolated outliers, a 50-step mean, a replayed collapse) because no public log we found
 * shows those cases at full length with a label.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES_DIR, FULL_DIR } from "../src/__fixtures__/paths.ts";
import { lossSeriesFromCsv } from "../src/spike/loss-series.ts";
import type { LossPoint } from "../src/spike/types.ts";

/** one episode that needs action: caught if an actionable alarm of its segment lands in [from, catchBy] */
export interface Label {
  segment: number;
  from: number;
  catchBy: number;
  /** alarms of this segment in [from, episodeEnd] belong to the episode (not false alarms) */
  episodeEnd: number;
  /** a step before which a catch counts as early (the blow-up of a slow onset) */
  earlyBefore?: number;
}

export interface Curve {
  name: string;
  kind: "real" | "scenario";
  /** how it was made and what it tests */
  note: string;
  points: LossPoint[];
  labels: Label[];
}

const read = (path: string): LossPoint[] => lossSeriesFromCsv(readFileSync(path, "utf8")).points;
const csv = (name: string): LossPoint[] => read(join(FIXTURES_DIR, "csv", name));
const full = (name: string): LossPoint[] => read(join(FULL_DIR, "csv", name));

/** the step `n` logged points after `step` (same pass), or the last one */
function pointsAfter(points: readonly LossPoint[], step: number, n: number): number {
  const i = points.findIndex((p) => p.step === step);
  return points[Math.min(points.length - 1, i + n)]?.step ?? step;
}

const lastStep = (points: readonly LossPoint[]): number => points.at(-1)?.step ?? 0;

function labelledExcerpt(name: string, step: number): Curve {
  const points = csv(name);
  return {
    name,
    kind: "real",
    note: "BigScience excerpt, labelled spike in the file name",
    points,
    labels: [{ segment: 0, from: step, catchBy: pointsAfter(points, step, 2), episodeEnd: lastStep(points) }]
  };
}

/** a deterministic uniform in [0, 1) (LCG), so no curve depends on Math.random */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** flat → +`rate` per step for `climb` steps → × `blow` for `blowSteps` steps, then the run stops */
function slowOnset(name: string, base: readonly LossPoint[], at: number, rate: number): Curve {
  const climb = 60;
  const blowAt = at + climb;
  const start = base.findIndex((p) => p.step >= at);
  const stop = base.findIndex((p, i) => i > start && p.step >= blowAt + 30);
  const segment = base.slice(0, start).filter((p, i) => i > 0 && p.step <= (base[i - 1]?.step ?? 0)).length;
  const points = base.slice(0, stop).map((p, i) => {
    if (i < start) return p;
    const climbed = p.loss * Math.exp(rate * (p.step - at));
    return { step: p.step, loss: p.step < blowAt ? climbed : climbed * 3 };
  });
  return {
    name,
    kind: "scenario",
    note: `from step ${at}: +${(rate * 100).toFixed(1)} %/step for ${climb} steps, then ×3 (the blow-up) at ${blowAt}`,
    points,
    labels: [
      {
        segment,
        from: at,
        catchBy: pointsAfter(points, blowAt, 2),
        episodeEnd: lastStep(points),
        earlyBefore: blowAt
      }
    ]
  };
}

function outliers(name: string, base: readonly LossPoint[], noise: number): Curve {
  const rnd = lcg(11);
  const points = base.map((p, i) => {
    const jitter = 1 + noise * (rnd() * 2 - 1);
    // every 997th point from the 2000th: one step at 1.9× that comes straight back
    const hit = i >= 2000 && (i - 2000) % 997 === 0;
    return { step: p.step, loss: p.loss * jitter * (hit ? 1.9 : 1) };
  });
  return {
    name,
    kind: "scenario",
    note: `per-step log${noise > 0 ? ` with ±${noise * 100} % multiplicative noise` : ""}; one-step outliers at 1.9× every 997 points from the 2000th, each back at once: notices, never actionable`,
    points,
    labels: []
  };
}

/** NeoX's view of a per-step curve at log_interval `every`: the mean over each window */
function meanEvery(
  base: readonly LossPoint[],
  every: number,
  bad?: { from: number; factor: number }
): LossPoint[] {
  const out: LossPoint[] = [];
  let sum = 0;
  let n = 0;
  for (const p of base) {
    const hit = bad && p.step >= bad.from && p.step < bad.from + every;
    sum += p.loss * (hit ? bad.factor : 1);
    n++;
    if ((p.step + 1) % every === 0) {
      out.push({ step: p.step + 1, loss: sum / n });
      sum = 0;
      n = 0;
    }
  }
  return out;
}

function repeatedCollapse(name: string, base: readonly LossPoint[], at: number, resume: number): Curve {
  const pass = base
    .filter((p) => p.step <= at + 1000)
    .map((p) => (p.step >= at ? { step: p.step, loss: p.loss * 2.5 } : p));
  const points = [...pass, ...pass.filter((p) => p.step >= resume)];
  const end = lastStep(points);
  return {
    name,
    kind: "scenario",
    note: `collapse ×2.5 from step ${at} that stays, then a resume from ${resume} and the same collapse at ${at} again (segment 1)`,
    points,
    labels: [0, 1].map((segment) => ({
      segment,
      from: at,
      catchBy: pointsAfter(pass, at, 2),
      episodeEnd: end
    }))
  };
}

export function loadCurves(): Curve[] {
  const llmc = full("llmc_gpt2_124M.csv");
  const pythia = full("pythia410m_seed8.csv");
  const exp12 = csv("bs_tr8_104B_exp12_diverge.csv");
  const rewound = csv("bs_tr8_104B_exp1exp2_rewind.csv");
  const at50 = meanEvery(llmc, 50, { from: 10000, factor: 1.4 });
  return [
    labelledExcerpt("bs_tr11_176B_spike31219.csv", 31219),
    labelledExcerpt("bs_tr1_13B_spike29050.csv", 29050),
    labelledExcerpt("bs_tr8_104B_exp11_spike11448.csv", 11448),
    labelledExcerpt("bs_tr8b_104B_embnorm_spike17062.csv", 17062),
    {
      name: "bs_tr8_104B_exp12_diverge.csv",
      kind: "real",
      note: "BigScience excerpt: spike at 8741, then divergence (chronicle)",
      points: exp12,
      labels: [{ segment: 0, from: 8741, catchBy: pointsAfter(exp12, 8741, 2), episodeEnd: lastStep(exp12) }]
    },
    {
      name: "bs_tr8_104B_exp1exp2_rewind.csv",
      kind: "real",
      note: "BigScience tr8-104B: collapse at 7010 (experiment 1; one point of history before it), rollback, climb and collapse at 6910–6940 (experiment 2, segment 1); log_interval 10",
      points: rewound,
      labels: [
        { segment: 0, from: 7010, catchBy: 7220, episodeEnd: 7220 },
        { segment: 1, from: 6910, catchBy: 6940, episodeEnd: 6940 }
      ]
    },
    {
      name: "pythia410m_seed8.csv",
      kind: "real",
      note: "clean, GPT-NeoX, with restarts",
      points: pythia,
      labels: []
    },
    { name: "llmc_gpt2_124M.csv", kind: "real", note: "clean, per-step", points: llmc, labels: [] },
    slowOnset("slow-onset: pythia410m_seed8 @ 30000", pythia, 30000, 0.004),
    slowOnset("slow-onset: llmc_gpt2_124M @ 8000", llmc, 8000, 0.004),
    outliers("noisy: llmc_gpt2_124M + outliers", llmc, 0),
    outliers("noisy: llmc_gpt2_124M ±10 % + outliers", llmc, 0.1),
    {
      name: "interval 50: llmc_gpt2_124M mean/50",
      kind: "scenario",
      note: "the llm.c curve as NeoX would log it at log_interval 50 (mean per window), clean",
      points: meanEvery(llmc, 50),
      labels: []
    },
    {
      name: "interval 50: llmc_gpt2_124M mean/50, bad window",
      kind: "scenario",
      note: "as above, with the 50 steps from 10000 at 1.4× (one high point = fifty bad steps)",
      points: at50,
      labels: [
        {
          segment: 0,
          from: 10050,
          catchBy: pointsAfter(at50, 10050, 2),
          episodeEnd: pointsAfter(at50, 10050, 60)
        }
      ]
    },
    repeatedCollapse("repeated collapse: llmc_gpt2_124M @ 5000", llmc, 5000, 4000)
  ];
}
