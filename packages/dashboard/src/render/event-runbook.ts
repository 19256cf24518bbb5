import type { EventType } from "@neoxctl/core";
import { classifyAttention } from "../model/attention-cause.ts";
import type { EventView } from "../model/read-model.ts";
import type { RunbookPage } from "./runbook.ts";

/**
 * The runbook page a decision-log entry links, if any. Exhaustive over the event types: a new type
 * must say whether an on-call engineer needs a page for it.
 */
export function eventRunbookPage(e: Pick<EventView, "type" | "cause">): RunbookPage | undefined {
  const type: EventType = e.type;
  switch (type) {
    case "needs_attention":
      return classifyAttention(e.cause);
    case "submit_rejected":
      return "submit_rejected";
    case "recover_node":
    // a node failure handled inside the job by a spare: the same page says what spares do
    case "in_job_restart":
      return "node_failures";
    case "rollback":
      return "rollback";
    case "slowdown":
      return "slowdown";
    case "node_suspect":
      return "node_suspect";
    case "rccl_socket_fallback":
      return "rccl_socket_fallback";
    case "record_corrupt":
      return "unreadable_record";
    case "run_created":
    case "attempt_submitted":
    case "job_started":
    case "slurm_requeued":
    case "spike_recovered":
    case "spike_watch":
    case "recover_timeout":
    case "recover_app":
    case "recover_hang":
    case "planned_continuation":
    case "run_completed":
    case "cancelled_by_user":
    case "resumed_by_user":
    case "acknowledged":
    case "rollback_by_user":
    case "excluded_by_user":
    case "control_rejected":
    case "continuation_queued":
    case "continuation_replaced":
    case "continuation_cancelled":
    case "step_submitted":
    case "step_skipped":
    case "step_retried":
    case "step_completed":
      return undefined;
    case "step_failed":
      return "needs_attention";
  }
}
