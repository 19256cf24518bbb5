import { ResilienceSchema } from "@neoxctl/core";
import type { Resilience } from "@neoxctl/core";
import { emptyObservations, noBudgetUsed } from "@neoxctl/supervisor";
import type { DecisionContext, JobView, Observations } from "@neoxctl/supervisor";

/** The supervisor's poll interval the decision figures run at (log sweep and Slurm cycle alike). */
export const SUPERVISOR_POLL_MS = 1000;

/**
 * Default resilience, except that a spike is rolled back as soon as it is seen: the default
 * 50-step recovery window is policy waiting (50 × step time), not orchestration latency.
 */
export const BENCH_RESILIENCE: Resilience = ResilienceSchema.parse({ spike: { recover_window_steps: 0 } });

/** A running run's context as the supervisor would build it for `decide`. */
export function runningContext(job: JobView, obs: Partial<Observations>, downNodes: readonly string[], checkpoints: readonly number[]): DecisionContext {
  const params = { load: { kind: "resume" as const, iteration: checkpoints.at(-1) ?? 0 }, lr: 3e-4, seed: 1234, excludeNodes: [] };
  return {
    run: { params, trainIters: 1_000_000, resilience: BENCH_RESILIENCE, budgetsUsed: noBudgetUsed(), rollbacks: [], crashLoop: null },
    attempt: { index: 2, params, restartsSeen: 0 },
    job,
    downNodes,
    obs: { ...emptyObservations(), ...obs },
    checkpoints,
    expectsCheckpoint: true
  };
}
