import type { JobState } from "./job-state.ts";

/** Which Slurm command a status came from (they differ in what they know). */
type StatusSource = "squeue" | "sacct" | "scontrol";

/** The tag neoxctl puts in every job's --comment so a submission can be found after a crash. */
export interface SubmissionTag {
  runId: string;
  attempt: number;
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

const TAG_RE = /neoxctl:run=([^;\s]+);attempt=(\d+)/;

export function formatSubmissionTag(tag: SubmissionTag): string {
  return `neoxctl:run=${tag.runId};attempt=${tag.attempt}`;
}

export function parseSubmissionTag(comment: string | null | undefined): SubmissionTag | null {
  if (!comment) return null;
  const m = TAG_RE.exec(comment);
  if (!m?.[1] || m[2] === undefined) return null;
  return { runId: m[1], attempt: Number(m[2]) };
}

export function jobNameForRun(runId: string): string {
  return `neoxctl-${runId}`;
}
