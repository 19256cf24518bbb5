import type { EventType } from "@neoxctl/core";

/**
 * Why a run stopped for a human, as a closed list. The supervisor records the cause as a sentence
 * (policy/*.ts); this sorts the sentence into one kind so the dashboard can say it in plain words
 * and link the runbook page docs/runbook/<kind>.md. A cause no rule recognises is `unclassified`,
 * never a guess. A test checks that every kind here has its runbook page.
 */
export const ATTENTION_CAUSES = [
  "planner_refused",
  "spike_rollback_cap",
  "spike_budget_spent",
  "spike_no_checkpoint",
  "spike_lr_floor",
  "budget_spent",
  "crash_loop",
  "out_of_memory",
  "storage_failure",
  "preflight_failure",
  "silent_restart",
  "cancelled_outside",
  "job_vanished",
  "submit_rejected",
  "unreadable_record",
  "unclassified"
] as const;
export type AttentionCause = (typeof ATTENTION_CAUSES)[number];

/** First match wins: the more specific sentences (a refused plan, a spike's own budget) come first. */
const RULES: readonly [AttentionCause, RegExp][] = [
  ["planner_refused", /but the planner refused the new attempt/i],
  ["spike_rollback_cap", /rollbacks within \d+ steps \(cap/i],
  ["spike_budget_spent", /spike budget spent/i],
  ["spike_no_checkpoint", /no complete checkpoint at or before step/i],
  ["spike_lr_floor", /would go below min_lr/i],
  ["crash_loop", /\(crash loop, limit/i],
  ["out_of_memory", /ran out of memory/i],
  ["storage_failure", /could not be saved|could not write to storage|make the directory writable/i],
  ["preflight_failure", /pre-flight check failed/i],
  ["silent_restart", /cancelled before it overwrites anything/i],
  ["cancelled_outside", /was cancelled outside neoxctl/i],
  ["job_vanished", /Slurm no longer knows the job/i],
  ["budget_spent", /budget is spent \(\d+\/\d+\)/i],
  ["submit_rejected", /sbatch refused/i]
];

/**
 * The kind of an attention cause. `lastEventType` is the type of the event that stopped the run: a
 * refused submission keeps only Slurm's message as the cause, so the event type says what it was.
 */
export function classifyAttention(cause: string | undefined, lastEventType?: EventType): AttentionCause {
  if (lastEventType === "submit_rejected") return "submit_rejected";
  if (!cause) return "unclassified";
  for (const [kind, re] of RULES) if (re.test(cause)) return kind;
  return "unclassified";
}

/** One sentence an on-call engineer can act on, for the status header and the overview. */
export function attentionInPlainWords(kind: AttentionCause): string {
  switch (kind) {
    case "planner_refused":
      return "A recovery was decided, but the planner refused the new attempt's configuration.";
    case "spike_rollback_cap":
      return "The loss spiked again after the rollbacks allowed in this window; rolling back once more was not allowed.";
    case "spike_budget_spent":
      return "The loss spiked and the run's spike budget is used up, so there was no automatic rollback.";
    case "spike_no_checkpoint":
      return "The loss spiked but no complete checkpoint is old enough to roll back to.";
    case "spike_lr_floor":
      return "The loss spiked with the learning rate already at the spike policy's min_lr, and the spec asks a person to decide there (spike.at_min_lr: attention).";
    case "budget_spent":
      return "The job failed and the recovery budget for this kind of failure is used up.";
    case "crash_loop":
      return "The job keeps failing at the same step: retrying again would only repeat it.";
    case "out_of_memory":
      return "The job ran out of memory; a retry would run out the same way.";
    case "storage_failure":
      return "Storage refused a write (permissions, read-only mount or full quota).";
    case "preflight_failure":
      return "The batch script stopped before training: an input (checkpoint, data, image) is missing.";
    case "silent_restart":
      return "The job would have trained from scratch or from an older checkpoint; it was stopped first.";
    case "cancelled_outside":
      return "Someone cancelled the Slurm job outside neoxctl.";
    case "job_vanished":
      return "Slurm no longer knows the job and its log does not show it finished.";
    case "submit_rejected":
      return "Slurm refused to queue the next attempt (sbatch error).";
    case "unreadable_record":
      return "A stored record of this run could not be read; the supervisor skips it.";
    case "unclassified":
      return "The supervisor stopped the run for a human; see the cause below.";
  }
}
