import type { JobView, Observations } from "../ports.ts";

/**
 * True when the attempt's job has run although no poll saw it RUNNING: it started and ended between
 * two polls (a short job, or cycles lost to a dropped connection before an adopted job was tracked).
 * The run must then still pass through `running`, or its ending has no allowed transition from `queued`.
 */
export function ranUnseen(job: JobView | undefined, obs: Observations): boolean {
  const logShowsTraining =
    obs.firstIteration !== undefined || obs.resumedFrom !== undefined || obs.exitedAt !== undefined;
  if (!job) return logShowsTraining;
  switch (job.state) {
    case "RUNNING":
    case "COMPLETING":
    case "COMPLETED":
      return true;
    case "FAILED":
    case "OUT_OF_MEMORY":
    case "CANCELLED":
    case "TIMEOUT":
    case "PREEMPTED":
    case "NODE_FAIL":
      // these may end a job that never started (allocation failure, cancelled while pending)
      return logShowsTraining;
    case "PENDING":
    case "REQUEUED":
    case "UNKNOWN":
      return false;
  }
}
