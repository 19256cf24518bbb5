import type { JobState } from "../ports.ts";

/** True while Slurm may still run (or run again) the job: it must not overlap with a successor. */
export function jobAlive(state: JobState): boolean {
  switch (state) {
    case "PENDING":
    case "RUNNING":
    case "REQUEUED":
    case "COMPLETING":
    case "UNKNOWN":
      return true;
    case "COMPLETED":
    case "FAILED":
    case "NODE_FAIL":
    case "TIMEOUT":
    case "PREEMPTED":
    case "CANCELLED":
    case "OUT_OF_MEMORY":
      return false;
  }
}
