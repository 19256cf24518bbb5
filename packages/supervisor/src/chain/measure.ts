import { slurmTimeMinutes } from "@neoxctl/core";
import type { ClusterProfile, RunSpec } from "@neoxctl/core";
import { planInputOf } from "../adapters/plan-input.ts";
import type { Run } from "../model.ts";
import type { StepPoint } from "../store/series-store.ts";
import type { StepSample } from "./step-stats.ts";
import { recentStepMs, saveSecondsFromWindows } from "./step-stats.ts";
import type { ExitRecord } from "./chain-record.ts";
import { planExit } from "./exit-plan.ts";

/** Estimates used until the run has measured its own. */
export interface ChainPriors {
  /** ms per iteration for an attempt with no measured predecessor; without it the first attempt gets no planned exit */
  stepMs?: number;
  /** seconds per checkpoint save until one is measured (default 60) */
  saveS?: number;
  /** job start to first iteration, seconds (default 300: launch, imports, checkpoint load on a large machine) */
  startupS?: number;
}

/** Minimum logged windows of an attempt before its step time is trusted. */
export const MIN_SAMPLES = 3;

function specOf(run: Run): { spec: RunSpec; profile: ClusterProfile } {
  return planInputOf(run);
}

export function samplesOf(points: readonly StepPoint[], attempt: number): StepSample[] {
  return points
    .filter((p) => p.attempt === attempt && p.stepTimeMs !== undefined)
    .map((p) => ({ step: p.step, ms: p.stepTimeMs! }));
}

/** The time a job is sure to get: --time-min where the cluster honours it (backfill may grant no more), else --time. */
function guaranteedLimitS(run: Run): number {
  const { spec, profile } = specOf(run);
  const t =
    profile.scheduler.supports_time_min && spec.cluster.time_min !== undefined
      ? spec.cluster.time_min
      : spec.cluster.time;
  return slurmTimeMinutes(t) * 60;
}

/**
 * The exit plan of attempt `index` resuming at `startIteration`, from the newest earlier attempt
 * that logged enough steps (step time changes between attempts: other nodes, another LR, slower
 * filesystem), else from the priors.
 */
export function exitRecordFor(
  run: Run,
  points: readonly StepPoint[],
  index: number,
  startIteration: number,
  priors: ChainPriors
): ExitRecord {
  const { spec } = specOf(run);
  let measured: StepSample[] = [];
  for (let a = index - 1; a >= 1 && measured.length < MIN_SAMPLES; a--) measured = samplesOf(points, a);
  const stepMs = measured.length >= MIN_SAMPLES ? recentStepMs(measured) : undefined;
  const allSamples = points
    .filter((p) => p.stepTimeMs !== undefined)
    .map((p) => ({ step: p.step, ms: p.stepTimeMs! }));
  const saveS =
    saveSecondsFromWindows(
      measured.length ? measured : allSamples,
      spec.training.log_interval,
      spec.checkpointing.checkpoint_factor
    ) ??
    priors.saveS ??
    60;
  const step = stepMs ?? priors.stepMs;
  const limitS = guaranteedLimitS(run);
  const base = { attempt: index, startIteration, saveS, limitS };
  if (step === undefined)
    return { ...base, exitAt: null, basis: "runs_to_end", stepMs: null, stepSource: "none", expectedS: null };
  const p = planExit({
    startIteration,
    trainIters: run.trainIters,
    checkpointFactor: spec.checkpointing.checkpoint_factor,
    limitS,
    stepS: step / 1000,
    saveS,
    startupS: priors.startupS ?? 300,
    marginS: run.resilience.exit_margin_min * 60
  });
  return {
    ...base,
    exitAt: p.exitAt,
    basis: p.basis,
    stepMs: step,
    stepSource: stepMs !== undefined ? "measured" : "prior",
    expectedS: p.expectedS
  };
}
