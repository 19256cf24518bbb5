import type { GoodputSplit } from "../goodput/categories.ts";
import { effectiveTrainingTime } from "../goodput/categories.ts";
import type { CauseLoss, LossCause } from "./ledger.ts";
import { playBaseline } from "./policy-baselines.ts";
import { playNeoxctl } from "./policy-neoxctl.ts";
import { streamsFor } from "./rng.ts";
import type { FailureModel, SimRun } from "./sim-config.ts";
import type { SimSpike } from "./spikes.ts";
import { spikesFor } from "./spikes.ts";
import { SimState } from "./state.ts";

export const SIM_POLICIES = ["neoxctl", "human", "slurm"] as const;
export type SimPolicy = (typeof SIM_POLICIES)[number];

export interface SimOutcome {
  policy: SimPolicy;
  seed: number;
  wallS: number;
  ett: number;
  split: GoodputSplit;
  causes: Record<LossCause, CauseLoss>;
  attempts: number;
  interruptions: number;
  humanInterventions: number;
  /** seconds the run's jobs held their allocation */
  allocS: number;
  /** node failures handled inside the job on a spare (neoxctl with resilience.spare_nodes) */
  inJobRestarts: number;
}

/** Guards an endless loop: a policy that cannot finish the run is a bug, not a result. */
const MAX_ATTEMPTS = 100_000;

/** One run of one policy on one seed. */
export function simulateRun(
  run: SimRun,
  model: FailureModel,
  policy: SimPolicy,
  seed: number,
  spikes: readonly SimSpike[] = spikesFor(seed, run.train_iters, model)
): SimOutcome {
  const st = new SimState(run, model, streamsFor(seed), spikes, run.lr);
  const guard = (): void => {
    if (st.attempts > MAX_ATTEMPTS)
      throw new Error(`simulation: ${policy} did not finish in ${MAX_ATTEMPTS} attempts`);
  };
  switch (policy) {
    case "neoxctl":
      playNeoxctl(st, guard);
      break;
    case "human":
    case "slurm":
      playBaseline(st, policy, guard);
      break;
  }
  return {
    policy,
    seed,
    wallS: st.t,
    ett: effectiveTrainingTime(st.ledger.split) ?? 0,
    split: { ...st.ledger.split },
    causes: st.ledger.causes,
    attempts: st.attempts,
    interruptions: st.interruptions,
    humanInterventions: st.humanInterventions,
    allocS: st.allocS,
    inJobRestarts: st.inJobRestarts
  };
}
