/** What an attempt's planned ending is computed from; every duration in seconds. */
export interface ExitPlanInput {
  /** iteration the attempt resumes from (0 when it starts fresh) */
  startIteration: number;
  trainIters: number;
  checkpointFactor: number;
  /** the time the job is sure to get: --time-min when set (backfill may grant no more), else --time */
  limitS: number;
  /** expected seconds per iteration (measured median, or the prior for an unmeasured run) */
  stepS: number;
  /** one checkpoint save */
  saveS: number;
  /** job start to first iteration: launch, imports, checkpoint load */
  startupS: number;
  /** resilience.exit_margin_min in seconds: how long before the limit the job should be gone */
  marginS: number;
}

export const EXIT_BASES = ["fits", "runs_to_end", "tight"] as const;
type ExitBasis = (typeof EXIT_BASES)[number];

export interface ExitPlan {
  /** the iteration the attempt ends itself at (after saving it); null: it runs to train_iters */
  exitAt: number | null;
  /** the value for NeoX's `exit_interval`; null: leave it unset */
  exitInterval: number | null;
  /** iterations the attempt is planned to train */
  steps: number;
  /** expected seconds from job start to its exit */
  expectedS: number;
  /**
   * `fits`: ends a margin before the limit; `runs_to_end`: the rest of the run fits in one job;
   * `tight`: not even one checkpoint interval fits, the exit is the next checkpoint and may be late
   */
  basis: ExitBasis;
}

/**
 * Chooses where an attempt ends itself so that it saves and exits a margin before its time limit.
 *
 * NeoX checks `iteration % exit_interval == 0` on the ABSOLUTE iteration after the save of that
 * iteration, so an attempt resuming at R with exit_interval E exits at the first multiple of E
 * above R. Setting E to the target iteration T itself (R < T, T a multiple of checkpoint_factor)
 * makes the attempt exit exactly at T with a checkpoint of T, whatever R is — so no step trained
 * by the attempt is lost and the successor resumes at T.
 */
export function planExit(i: ExitPlanInput): ExitPlan {
  const f = i.checkpointFactor;
  const perStepS = i.stepS + i.saveS / f;
  const budgetS = i.limitS - i.marginS - i.startupS - i.saveS;
  const fit = perStepS > 0 ? Math.max(0, Math.floor(budgetS / perStepS)) : Number.POSITIVE_INFINITY;
  const duration = (steps: number): number => i.startupS + steps * perStepS + i.saveS;
  const remaining = i.trainIters - i.startIteration;
  if (fit >= remaining)
    return {
      exitAt: null,
      exitInterval: null,
      steps: remaining,
      expectedS: duration(remaining),
      basis: "runs_to_end"
    };
  let exitAt = Math.floor((i.startIteration + fit) / f) * f;
  let basis: ExitBasis = "fits";
  if (exitAt <= i.startIteration) {
    // less than one checkpoint interval fits: ending anywhere else would lose the steps since the last save
    exitAt = (Math.floor(i.startIteration / f) + 1) * f;
    basis = "tight";
  }
  if (exitAt >= i.trainIters)
    return {
      exitAt: null,
      exitInterval: null,
      steps: remaining,
      expectedS: duration(remaining),
      basis: "runs_to_end"
    };
  const steps = exitAt - i.startIteration;
  return { exitAt, exitInterval: exitAt, steps, expectedS: duration(steps), basis };
}

/** The iteration at which NeoX will exit, given where it resumed and its exit_interval (null: none before the end). */
export function neoxExitIteration(
  startIteration: number,
  exitInterval: number | null,
  trainIters: number
): number | null {
  if (exitInterval === null || exitInterval <= 0) return null;
  const at = (Math.floor(startIteration / exitInterval) + 1) * exitInterval;
  return at < trainIters ? at : null;
}
