import { StateError } from "@neoxctl/core";

/** Where a supervised run is. `needs_attention` leaves the run safe (no job running) until a human acts. */
export const RUN_STATES = [
  "planned",
  "queued",
  "running",
  "recovering",
  "needs_attention",
  "completed",
  "failed",
  "cancelled"
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** States from which nothing more happens without a new command. */
export function isTerminal(state: RunState): boolean {
  switch (state) {
    case "completed":
    case "failed":
    case "cancelled":
      return true;
    case "planned":
    case "queued":
    case "running":
    case "recovering":
    case "needs_attention":
      return false;
  }
}

/** The states a run may move to from `from`. */
export function nextStates(from: RunState): readonly RunState[] {
  switch (from) {
    case "planned":
      // a graph's steps before training run while the run is planned: one of them may need a
      // human, and a graph without training (or `--only` a step) completes from here
      return ["queued", "needs_attention", "completed", "failed", "cancelled"];
    case "queued":
      // a job may fail before it ever runs (NODE_FAIL while allocating, rejected at launch)
      return ["running", "recovering", "needs_attention", "failed", "cancelled"];
    case "running":
      // running → queued is Slurm's own requeue of the same job id
      return ["completed", "recovering", "queued", "needs_attention", "failed", "cancelled"];
    case "recovering":
      // resumed graph steps after training complete the run from here
      return ["queued", "needs_attention", "completed", "failed", "cancelled"];
    case "needs_attention":
      // a human acked, resumed or rolled back (→ recovering) or gave up (→ cancelled)
      return ["recovering", "cancelled", "failed"];
    case "completed":
    case "failed":
    case "cancelled":
      return [];
  }
}

/** Throws StateError INVALID_TRANSITION unless `from → to` is allowed. */
export function assertTransition(runId: string, from: RunState, to: RunState): void {
  if (!nextStates(from).includes(to)) {
    throw new StateError("INVALID_TRANSITION", `run ${runId}: cannot go from ${from} to ${to}`, {
      runId,
      from,
      to
    });
  }
}
