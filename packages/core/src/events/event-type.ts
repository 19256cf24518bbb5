import { z } from "zod";

/**
 * Every event a supervised run's event stream can hold. Defined here, at the bottom of the package
 * chain, because both the supervisor (which writes them and routes them to its queues) and the
 * dashboard's alerting (which must not depend on the supervisor) switch over them exhaustively.
 */
export const EVENT_TYPES = [
  // a run and its attempts
  "run_created",
  "attempt_submitted",
  "submit_rejected",
  "job_started",
  "slurm_requeued",
  // spare nodes: the batch script restarted training inside the running job on a spare after a node
  // failure (same job, same attempt; the lost node is blamed for later attempts)
  "in_job_restart",
  // the loss watch
  "spike_recovered",
  "spike_watch",
  // the throughput guard: a sustained slowdown, and a node it points at
  "slowdown",
  "node_suspect",
  // the network check: RCCL chose another transport than the profile expects (sockets instead of the
  // Slingshot plugin); a warning, training goes on
  "rccl_socket_fallback",
  // recoveries the supervisor decided (each starts a new attempt)
  "recover_node",
  "recover_timeout",
  "recover_app",
  "recover_hang",
  "rollback",
  "planned_continuation",
  // where the run stops
  "needs_attention",
  "run_completed",
  // a human's commands
  "cancelled_by_user",
  "resumed_by_user",
  "acknowledged",
  "rollback_by_user",
  "excluded_by_user",
  "control_rejected",
  // a record of the run read back from Redis did not match its schema (skipped, reported once)
  "record_corrupt",
  // wall-time chaining: the continuation queued behind the running attempt
  "continuation_queued",
  "continuation_replaced",
  "continuation_cancelled",
  // the run's job graph (convert, tokenize, merge, export; train is the attempts above)
  "step_submitted",
  "step_skipped",
  "step_retried",
  "step_completed",
  "step_failed"
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const EventTypeSchema = z.enum(EVENT_TYPES).describe("the kind of a run event");
