import { adviseInterval } from "../chain/interval-advice.ts";
import type { IntervalAdvice } from "../chain/interval-advice.ts";
import type { GoodputSplit } from "../goodput/categories.ts";
import { GOODPUT_CATEGORIES, emptySplit } from "../goodput/categories.ts";
import { LOSS_CAUSES } from "./ledger.ts";
import type { LossCause } from "./ledger.ts";
import type { FailureModel, SimRun } from "./sim-config.ts";
import { SIM_POLICIES, simulateRun } from "./simulate-run.ts";
import type { SimOutcome, SimPolicy } from "./simulate-run.ts";
import { spikesFor } from "./spikes.ts";

export interface Distribution {
  mean: number;
  min: number;
  p5: number;
  p10: number;
  p50: number;
  p95: number;
}

export interface PolicySummary {
  policy: SimPolicy;
  /** effective training time over seeds (fraction) */
  ett: Distribution;
  wallH: Distribution;
  /** mean hours per run in each category */
  splitH: GoodputSplit;
  /** mean per run: wall hours lost and GPU-hours the job held its nodes without productive training */
  lostByCause: Record<LossCause, { wallH: number; gpuH: number }>;
  attempts: number;
  interruptions: number;
  humanInterventions: number;
  /** spare nodes each job held (neoxctl only: the baselines have no in-job restart) */
  spareNodes: number;
  /** mean per run: GPU-hours the jobs held, spares included (what the allocation is billed for) */
  heldGpuH: number;
  /** mean per run: the part of heldGpuH that is the spares' */
  spareGpuH: number;
  /** mean per run: node failures handled inside the job on a spare */
  inJobRestarts: number;
}

export interface IntervalRow {
  checkpointFactor: number;
  intervalH: number;
  ett: Distribution;
}

export interface SimReport {
  seeds: number;
  run: SimRun;
  model: FailureModel;
  policies: PolicySummary[];
  sweep: IntervalRow[];
  recommended: IntervalRow;
  /** Young/Daly's first-order optimum for the model's run-level MTBF (the chain's interval advice) */
  young: IntervalAdvice | undefined;
}

export interface SimulateInput {
  run: SimRun;
  model: FailureModel;
  seeds: number;
  /** checkpoint intervals (steps) to sweep; default: around the configured one and Young/Daly's */
  intervals?: readonly number[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

export function distribution(values: readonly number[]): Distribution {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return {
    mean,
    min: s[0] ?? 0,
    p5: quantile(s, 0.05),
    p10: quantile(s, 0.1),
    p50: quantile(s, 0.5),
    p95: quantile(s, 0.95)
  };
}

function summarise(policy: SimPolicy, runs: readonly SimOutcome[], run: SimRun): PolicySummary {
  const gpus = run.nodes * run.gpus_per_node;
  const spareNodes = policySpares(policy, run);
  const spareGpus = spareNodes * run.gpus_per_node;
  const n = Math.max(1, runs.length);
  const splitH = emptySplit();
  const lostByCause = {} as Record<LossCause, { wallH: number; gpuH: number }>;
  for (const c of LOSS_CAUSES) lostByCause[c] = { wallH: 0, gpuH: 0 };
  let attempts = 0;
  let interruptions = 0;
  let human = 0;
  let allocH = 0;
  let inJob = 0;
  for (const r of runs) {
    allocH += r.allocS / 3600 / n;
    inJob += r.inJobRestarts / n;
    for (const c of GOODPUT_CATEGORIES) splitH[c] += r.split[c] / 3600 / n;
    for (const c of LOSS_CAUSES) {
      lostByCause[c].wallH += r.causes[c].wallS / 3600 / n;
      lostByCause[c].gpuH += (r.causes[c].heldS * gpus) / 3600 / n;
    }
    attempts += r.attempts / n;
    interruptions += r.interruptions / n;
    human += r.humanInterventions / n;
  }
  return {
    policy,
    ett: distribution(runs.map((r) => r.ett)),
    wallH: distribution(runs.map((r) => r.wallS / 3600)),
    splitH,
    lostByCause,
    attempts,
    interruptions,
    humanInterventions: human,
    spareNodes,
    heldGpuH: allocH * (gpus + spareGpus),
    spareGpuH: allocH * spareGpus,
    inJobRestarts: inJob
  };
}

/** Spares exist for neoxctl's in-job restart; the baselines resubmit after every node failure. */
function policySpares(policy: SimPolicy, run: SimRun): number {
  switch (policy) {
    case "neoxctl":
      return run.resilience.spare_nodes;
    case "human":
    case "slurm":
      return 0;
  }
}

/** Run-level mean time between interruptions of the failure model, seconds. */
export function runMtbfS(run: SimRun, model: FailureModel): number {
  const perNodeH = 1 / model.node_mtbf_h + 1 / model.crash_mtbf_h + 1 / model.hang_mtbf_h;
  return 3600 / (run.nodes * perNodeH);
}

function sweepCandidates(run: SimRun, young: IntervalAdvice | undefined): number[] {
  const f = run.checkpoint_factor;
  const raw = [f / 4, f / 2, f, 2 * f, 4 * f, ...(young ? [young.optimalIters] : [])];
  const rounded = raw.map((x) => Math.max(10, Math.round(x / 10) * 10)).filter((x) => x < run.train_iters);
  return [...new Set(rounded)].sort((a, b) => a - b);
}

/**
 * The whole simulation: every policy on the same seeds (same failures, queue waits and human
 * delays), then neoxctl alone across checkpoint intervals.
 */
export function simulate(input: SimulateInput): SimReport {
  const { run, model, seeds } = input;
  const spikesBySeed = Array.from({ length: seeds }, (_, s) => spikesFor(s, run.train_iters, model));
  const policies = SIM_POLICIES.map((p) =>
    summarise(
      p,
      spikesBySeed.map((sp, seed) => simulateRun(run, model, p, seed, sp)),
      run
    )
  );
  const young = adviseInterval({
    saveS: run.save_s,
    stepS: run.step_s,
    observedS: runMtbfS(run, model),
    failures: 1,
    configuredFactor: run.checkpoint_factor
  });
  const candidates = input.intervals?.length ? [...input.intervals] : sweepCandidates(run, young);
  const sweep = candidates.map((f): IntervalRow => {
    const r = { ...run, checkpoint_factor: f };
    const ett = spikesBySeed.map((sp, seed) => simulateRun(r, model, "neoxctl", seed, sp).ett);
    return { checkpointFactor: f, intervalH: (f * run.step_s) / 3600, ett: distribution(ett) };
  });
  let recommended = sweep[0]!;
  for (const row of sweep) if (row.ett.mean > recommended.ett.mean) recommended = row;
  return { seeds, run, model, policies, sweep, recommended, young };
}
