import type { Resilience } from "@neoxctl/core";
import type { Attempt, AttemptParams, BudgetsUsed, RollbackRecord } from "../model.ts";
import type { JobView, Observations } from "../ports.ts";

/** Everything `decide` looks at. Built by the worker from Redis, Slurm and the log monitor. */
export interface DecisionContext {
  run: {
    params: AttemptParams;
    trainIters: number;
    resilience: Resilience;
    budgetsUsed: BudgetsUsed;
    rollbacks: readonly RollbackRecord[];
    crashLoop: { step: number; count: number } | null;
  };
  attempt: Pick<Attempt, "index" | "params" | "restartsSeen">;
  /** undefined: Slurm no longer knows the job */
  job: JobView | undefined;
  /** nodes of this job that Slurm now reports DOWN/DRAINED */
  downNodes: readonly string[];
  obs: Observations;
  /** iterations of complete checkpoints valid for the current timeline, ascending */
  checkpoints: readonly number[];
  /** the attempt was meant to load weights (resume, or init from a pretrained checkpoint) */
  expectsCheckpoint: boolean;
  /** nodes on the run's bad-node list now (expired blames dropped); default: the current exclusions */
  badNodes?: readonly string[];
  /** the model state the plan puts on each GCD (weights, gradients, master copy, moments), when planned */
  planMemory?: PlanMemory;
}

/** The plan's memory figures an out-of-memory is reported with (@neoxctl/plan's deviceMemory). */
export interface PlanMemory {
  parametersPerDevice: number;
  zeroStage: number;
  modelStateBytes: number;
}

/** Nodes the next attempt keeps away from: the live bad-node list plus new blames. */
export function excludeFor(ctx: DecisionContext, add: readonly string[] = []): string[] {
  return [...new Set([...(ctx.badNodes ?? ctx.run.params.excludeNodes), ...add])].sort();
}

export function newestCheckpoint(
  ctx: DecisionContext,
  atOrBefore = Number.POSITIVE_INFINITY
): number | undefined {
  let best: number | undefined;
  for (const c of ctx.checkpoints) if (c <= atOrBefore && (best === undefined || c > best)) best = c;
  return best;
}

/** Parameters for a plain resume: same LR and seed, newest complete checkpoint, extra exclusions. */
export function resumeParams(ctx: DecisionContext, addExclude: readonly string[] = []): AttemptParams {
  const ckpt = newestCheckpoint(ctx);
  const exclude = excludeFor(ctx, addExclude);
  return {
    ...ctx.run.params,
    // with no checkpoint yet, starting over loses nothing; keep how the run began
    load: ckpt === undefined ? ctx.run.params.load : { kind: "resume", iteration: ckpt },
    excludeNodes: exclude
  };
}
