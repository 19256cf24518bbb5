import { randomBytes } from "node:crypto";
import type { SubmittedJob } from "../ports.ts";

/**
 * A fresh nonce for one recorded submission (12 hex digits): an attempt record, a queued
 * continuation, or one sbatch of a graph step (graph-state's StepSubmission, tagged with attempt
 * STEP_JOB_ATTEMPT). It is written into the record before the sbatch and into the job's comment tag
 * by that sbatch, so that after a crash the job can be told from another job with the same run and
 * attempt number: one an earlier run under the same run id left in Slurm's accounting, or another
 * submission of the same step.
 */
export function newSubmissionNonce(): string {
  return randomBytes(6).toString("hex");
}

/** What the supervisor recorded before an sbatch whose answer it may have lost. */
export interface SubmissionIntent {
  attempt: number;
  /** absent on records written before nonces existed */
  nonce?: string;
}

/**
 * The newest job among `jobs` that the sbatch of `intent` submitted, if any: same attempt number
 * and the intent's nonce. A record without a nonce (written before nonces existed) can only have
 * submitted a job without one. Jobs in `exclude` (cancelled on purpose) never count.
 */
export function ownSubmission(
  jobs: readonly SubmittedJob[],
  intent: SubmissionIntent,
  exclude: readonly string[] = []
): SubmittedJob | undefined {
  return jobs
    .filter((j) => j.attempt === intent.attempt && j.nonce === intent.nonce && !exclude.includes(j.jobId))
    .at(-1);
}
