import type { EventType } from "@neoxctl/core";

/** Which of the worker's queues an event feeds once it is committed. */
export interface EventRoute {
  /** the run has a new attempt waiting to be submitted: queue `recover` instead of waiting for a poll */
  followUp: boolean;
  /** a human should hear about it at once: queue `notify` (the notifier decides which become alerts) */
  notify: boolean;
}

const NONE: EventRoute = { followUp: false, notify: false };
const FOLLOW_UP: EventRoute = { followUp: true, notify: false };
const NOTIFY: EventRoute = { followUp: false, notify: true };
const BOTH: EventRoute = { followUp: true, notify: true };

export function eventRoute(type: EventType): EventRoute {
  switch (type) {
    case "recover_node":
    case "rollback":
      return BOTH;
    case "recover_timeout":
    case "recover_app":
    case "recover_hang":
    case "planned_continuation":
    case "resumed_by_user":
    case "acknowledged":
    case "rollback_by_user":
    case "excluded_by_user":
      return FOLLOW_UP;
    case "slowdown":
    case "node_suspect":
    case "rccl_socket_fallback":
    case "needs_attention":
    case "run_completed":
    case "submit_rejected":
    case "cancelled_by_user":
    // a graph step failed for a reason a retry does not fix: the run waits for a human
    case "step_failed":
      return NOTIFY;
    case "run_created":
    case "attempt_submitted":
    case "job_started":
    case "slurm_requeued":
    // training goes on in the same job; a node that keeps failing shows in recover_node's alert
    case "in_job_restart":
    case "spike_recovered":
    case "spike_watch":
    case "control_rejected":
    // written by the corrupt-record reporter outside the committer; on-call sees it through
    // neoxctl_corrupt_records_total and the overview's "unreadable" row
    case "record_corrupt":
    case "continuation_queued":
    case "continuation_replaced":
    case "continuation_cancelled":
    case "step_submitted":
    case "step_skipped":
    case "step_retried":
    case "step_completed":
      return NONE;
  }
}
