/**
 * Where a run's wall-clock time goes. One closed list shared by the accounting of recorded runs
 * (account.ts) and by the simulator, so `status`, `/metrics` and `neoxctl simulate` speak the same
 * terms. Effective training time (Llama 3's "useful training time / elapsed time", Meta's ETTR) is
 * `productive` over the sum of all of them, the job graph's steps included (docs/goodput.md says why).
 */
export const GOODPUT_CATEGORIES = [
  /** training steps that are on the final timeline */
  "productive",
  /** a job waiting in Slurm's queue */
  "queue",
  /** job start to first iteration: launch, imports, checkpoint load */
  "startup",
  /** blocking checkpoint saves */
  "checkpoint",
  /** steps trained after the last checkpoint before an interruption, trained again afterwards */
  "recompute",
  /** from a failure to the decision: hang timeout, polling latency, a hung job nobody noticed */
  "detection",
  /** steps discarded by a rollback to a checkpoint before a loss spike */
  "rollback",
  /** the run stopped, waiting for a human to act */
  "human_wait",
  /**
   * the job graph's steps other than training (convert, tokenize, merge before it; export after):
   * queued or running, one category because the supervisor records when a step is submitted and
   * when it is done, not when its first task started
   */
  "workflow_steps"
] as const;
export type GoodputCategory = (typeof GOODPUT_CATEGORIES)[number];

export type GoodputSplit = Record<GoodputCategory, number>;

export function emptySplit(): GoodputSplit {
  return {
    productive: 0,
    queue: 0,
    startup: 0,
    checkpoint: 0,
    recompute: 0,
    detection: 0,
    rollback: 0,
    human_wait: 0,
    workflow_steps: 0
  };
}

export function splitTotal(s: GoodputSplit): number {
  let t = 0;
  for (const c of GOODPUT_CATEGORIES) t += s[c];
  return t;
}

/** productive / total, or undefined for a run that has spent no time yet */
export function effectiveTrainingTime(s: GoodputSplit): number | undefined {
  const total = splitTotal(s);
  return total > 0 ? s.productive / total : undefined;
}

/**
 * productive / (total − workflow_steps): the same ratio over the training part alone, comparable
 * with a run that has no job graph; undefined before any training time has passed
 */
export function trainingPartEtt(s: GoodputSplit): number | undefined {
  let total = 0;
  for (const c of GOODPUT_CATEGORIES) if (c !== "workflow_steps") total += s[c];
  return total > 0 ? s.productive / total : undefined;
}
