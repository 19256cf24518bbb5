import { SlurmError } from "@neoxctl/core";
import type { JobState } from "./job-state.ts";

/** Which Slurm command a status came from (they differ in what they know). */
type StatusSource = "squeue" | "sacct" | "scontrol";

/** The tag neoxctl puts in every job's --comment so a submission can be found after a crash. */
export interface SubmissionTag {
  runId: string;
  attempt: number;
  /**
   * Chosen afresh for each attempt record before its sbatch: it tells this record's job from one
   * an earlier run under the same run id left in accounting with the same run and attempt.
   * Absent on jobs submitted before nonces existed.
   */
  nonce?: string;
}

/** One job's status, the same shape whichever command produced it. */
export interface JobStatus {
  jobId: string;
  name: string | null;
  state: JobState;
  /** Slurm's own words, e.g. `PENDING`, `PENDING,REQUEUED`, `CANCELLED by 0` */
  rawState: string;
  /** Slurm's state reason (why pending, why it ended), null when `None` */
  reason: string | null;
  /** the batch script's exit status; null while running or when killed by a signal */
  exitCode: number | null;
  /** the signal number that ended it, when it was one */
  signal: number | null;
  /** expanded node names (current allocation, or the last one for ended jobs) */
  nodes: string[];
  /** Slurm's own requeue count for this job id */
  restarts: number;
  submitTime: string | null;
  startTime: string | null;
  endTime: string | null;
  /** minutes; null when unlimited or unknown */
  timeLimitMinutes: number | null;
  comment: string | null;
  tag: SubmissionTag | null;
  /**
   * For a task of a job array: the array's own id (what sbatch printed), where `jobId` is the
   * task's raw id. Known from squeue and from findSubmissions' sacct; absent otherwise.
   */
  arrayJobId?: string;
  /** uid or user that cancelled the job, when Slurm says */
  cancelledBy: string | null;
  source: StatusSource;
  /** earlier attempts of this job id (only sacct knows them) */
  priorAttempts?: PriorAttempt[];
}

/** An earlier attempt of the same job id (Slurm requeued it). */
export interface PriorAttempt {
  state: JobState;
  nodes: string[];
  endTime: string | null;
}

const TAG_RE = /neoxctl:run=([^;\s]+);attempt=(\d+)(?:;nonce=([0-9A-Za-z]+))?/;
const NONCE_RE = /^[0-9A-Za-z]+$/;

export function formatSubmissionTag(tag: SubmissionTag): string {
  if (tag.nonce !== undefined && !NONCE_RE.test(tag.nonce)) {
    // the comment must read back as written: a `;` or a space would end the nonce early
    throw new SlurmError("SLURM_REJECTED", `submission nonce must be letters and digits: ${tag.nonce}`, {
      nonce: tag.nonce
    });
  }
  const nonce = tag.nonce !== undefined ? `;nonce=${tag.nonce}` : "";
  return `neoxctl:run=${tag.runId};attempt=${tag.attempt}${nonce}`;
}

export function parseSubmissionTag(comment: string | null | undefined): SubmissionTag | null {
  if (!comment) return null;
  const m = TAG_RE.exec(comment);
  if (!m?.[1] || m[2] === undefined) return null;
  return { runId: m[1], attempt: Number(m[2]), ...(m[3] !== undefined ? { nonce: m[3] } : {}) };
}

export function jobNameForRun(runId: string): string {
  return `neoxctl-${runId}`;
}
