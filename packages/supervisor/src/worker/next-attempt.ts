import type { Attempt, AttemptParams, AttemptReason, ParamChange, Run } from "../model.ts";
import { renderFor } from "../adapters/render-attempt.ts";
import { newSubmissionNonce } from "./own-submission.ts";

export function paramDiff(from: AttemptParams, to: AttemptParams): ParamChange[] {
  const d: ParamChange[] = [];
  if (JSON.stringify(from.load) !== JSON.stringify(to.load))
    d.push({ field: "load", from: from.load, to: to.load });
  if (from.lr !== to.lr) d.push({ field: "lr", from: from.lr, to: to.lr });
  if (from.seed !== to.seed) d.push({ field: "seed", from: from.seed, to: to.seed });
  if (JSON.stringify([...from.excludeNodes].sort()) !== JSON.stringify([...to.excludeNodes].sort())) {
    d.push({ field: "excludeNodes", from: from.excludeNodes, to: to.excludeNodes });
  }
  return d;
}

/**
 * The record of the next attempt, in phase `submitting`: the intent written before any sbatch.
 * Rendering here (pure) also proves the planner accepts the new parameters before we commit to them.
 */
export function nextAttempt(
  run: Run,
  prev: Attempt | undefined,
  params: AttemptParams,
  reason: AttemptReason,
  now: number
): Attempt {
  const index = run.attempts + 1;
  const r = renderFor(run, index, params);
  return {
    index,
    reason,
    params,
    diff: prev ? paramDiff(prev.params, params) : [],
    phase: "submitting",
    configDir: r.configDir,
    logPath: r.logPath,
    nonce: newSubmissionNonce(),
    restartsSeen: 0,
    cancelRequested: false,
    createdAt: new Date(now).toISOString(),
    logOffset: 0
  };
}
