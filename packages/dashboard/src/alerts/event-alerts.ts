import type { EventType } from "@neoxctl/core";
import type { RunReadModel, RunSummary } from "../model/read-model.ts";
import type { Alert } from "./alert.ts";

/** An event the supervisor queued on its `notify` queue (structurally its NotifyRequest). */
export interface SupervisorNotice {
  runId: string;
  type: EventType;
  cause: string;
  /** who asked, when the event carries out a human's command */
  actor?: string;
}

/** Node-failure recoveries from which on each new one is announced. */
const REPEATED_NODE_FAILURES = 2;

/**
 * Which supervisor events become alerts, and with what facts. The supervisor's cause text is the
 * summary: it is the same sentence its event log and the run page show.
 */
export async function alertForNotice(
  n: SupervisorNotice,
  run: RunSummary,
  model: RunReadModel
): Promise<Alert | undefined> {
  const facts: Record<string, string> = {
    step: `${run.step} / ${run.trainIters}`,
    attempt: String(run.attempt),
    ...(run.jobId ? { "Slurm job": run.jobId } : {}),
    ...(n.actor !== undefined ? { by: n.actor } : {})
  };
  const alert = (kind: Alert["kind"], extra: Record<string, string> = {}): Alert => ({
    kind,
    runId: run.id,
    runName: run.name,
    summary: n.cause,
    facts: { ...facts, ...extra }
  });
  switch (n.type) {
    case "needs_attention":
    // a graph step (convert, tokenize, merge, export) failed for good: the run waits for a human
    case "step_failed":
      return alert("needs_attention");
    case "submit_rejected":
      // sbatch refusing a run's first attempt fails the run; a later one leaves it for a human
      return run.state === "failed" ? alert("failed") : alert("needs_attention");
    case "rollback": {
      const rb = (await model.series(run.id)).rollbacks.at(-1);
      return alert(
        "rollback",
        rb
          ? {
              "spike onset": String(rb.onsetStep),
              "resumed from": String(rb.toStep),
              LR: `${rb.lrFrom.toExponential(2)} → ${rb.lrTo.toExponential(2)}`
            }
          : {}
      );
    }
    case "recover_node": {
      const count = run.recoveries["node"] ?? 0;
      if (count < REPEATED_NODE_FAILURES) return undefined;
      const nodes = (await model.excludedNodes(run.id)).map((x) => `${x.node} (${x.strikes}×)`);
      return alert("node_failures", {
        "node-failure recoveries": String(count),
        "excluded nodes": nodes.join(", ") || "none"
      });
    }
    case "slowdown":
      return alert("slowdown");
    case "node_suspect":
      return alert("node_suspect");
    case "rccl_socket_fallback":
      return alert("rccl_socket_fallback");
    case "cancelled_by_user":
      // an audit note (info): who cancelled, for whoever the run's alerts go to
      return alert("cancelled");
    case "run_completed":
    // the supervisor queues only the events above; the rest are listed so that a new type is a
    // compile error here until someone decides whether it pages
    case "run_created":
    case "attempt_submitted":
    case "job_started":
    case "slurm_requeued":
    case "in_job_restart":
    case "spike_recovered":
    case "spike_watch":
    case "recover_timeout":
    case "recover_app":
    case "recover_hang":
    case "planned_continuation":
    case "resumed_by_user":
    case "acknowledged":
    case "rollback_by_user":
    case "excluded_by_user":
    case "control_rejected":
    case "record_corrupt":
    case "continuation_queued":
    case "continuation_replaced":
    case "continuation_cancelled":
    case "step_submitted":
    case "step_skipped":
    case "step_retried":
    case "step_completed":
      // logged by the supervisor, not paged
      return undefined;
  }
}
