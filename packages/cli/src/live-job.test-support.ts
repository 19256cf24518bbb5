import type { JobState, JobStatus } from "@neoxctl/slurm";

/** A job as Slurm reports it, on nid001, for tests of the comparison with the records. */
export function live(jobId: string, state: JobState, rawState: string = state): JobStatus {
  return {
    jobId,
    name: null,
    state,
    rawState,
    reason: null,
    exitCode: null,
    signal: null,
    nodes: ["nid001"],
    restarts: 0,
    submitTime: null,
    startTime: null,
    endTime: null,
    timeLimitMinutes: null,
    comment: null,
    tag: null,
    cancelledBy: null,
    source: "squeue"
  };
}
