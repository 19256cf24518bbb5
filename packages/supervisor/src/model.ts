import type { EventType, Resilience } from "@neoxctl/core";
import type { RunState } from "./run-state.ts";

/** Recovery classes that each have their own budget in `resilience.budgets`. */
export const BUDGET_CLASSES = ["node", "timeout", "app", "spike", "hang"] as const;
export type BudgetClass = (typeof BUDGET_CLASSES)[number];
export type BudgetsUsed = Record<BudgetClass, number>;

export function noBudgetUsed(): BudgetsUsed {
  return { node: 0, timeout: 0, app: 0, spike: 0, hang: 0 };
}

/** How an attempt starts: fresh (or from the initial checkpoint) or resuming a saved step. */
export type AttemptLoad = { kind: "init" } | { kind: "resume"; iteration?: number };

/** Why a new attempt exists; `planned` is an exit at exit_interval and spends no budget. */
export type AttemptReason = "first" | "planned" | "manual" | BudgetClass;

/** The parameters that change from one attempt to the next, recorded as a diff. */
export interface AttemptParams {
  load: AttemptLoad;
  lr: number;
  seed: number;
  excludeNodes: string[];
}

export type AttemptPhase =
  /** intent written; sbatch may or may not have happened (reconcile by tag before submitting) */
  "submitting" | "submitted" | "ended";

export interface ParamChange {
  field: "load" | "lr" | "seed" | "excludeNodes";
  from: unknown;
  to: unknown;
}

export interface Attempt {
  index: number;
  reason: AttemptReason;
  params: AttemptParams;
  /** differences from the previous attempt's params (empty for the first) */
  diff: ParamChange[];
  phase: AttemptPhase;
  /** directory holding this attempt's rendered neox/*.yml, job.sbatch, plan.json */
  configDir: string;
  /** the Slurm output file of this attempt */
  logPath: string;
  jobId?: string;
  /** nodes the job was seen running on */
  nodes?: string[];
  /** Slurm restart count last seen for this job (Slurm's own requeues) */
  restartsSeen: number;
  /** the supervisor asked Slurm to cancel this job (hang, spike, guard, user) */
  cancelRequested: boolean;
  createdAt: string;
  endedAt?: string;
  endState?: string;
  /** log bytes already consumed and acted upon */
  logOffset: number;
}

export interface RollbackRecord {
  /** the attempt that saw the spike; the rollback itself runs as attempt + 1 */
  attempt: number;
  onsetStep: number;
  toStep: number;
  lrFrom: number;
  lrTo: number;
}

export interface Run {
  id: string;
  name: string;
  state: RunState;
  cluster: string;
  runDir: string;
  trainIters: number;
  resilience: Resilience;
  /** serialised spec + profile the planner needs to render further attempts */
  planInput: unknown;
  /** current parameters (the next attempt starts from these) */
  params: AttemptParams;
  attempts: number;
  budgetsUsed: BudgetsUsed;
  rollbacks: RollbackRecord[];
  /** consecutive application failures at the same step */
  crashLoop: { step: number; count: number } | null;
  /** why a human is needed, while in needs_attention */
  attention?: string;
  /** keys of one-off notes already recorded (so a restarted supervisor does not repeat them) */
  noted: string[];
  /** after a rollback to `step` at time `since`, checkpoints above `step` older than `since` are abandoned */
  abandoned: { step: number; since: number }[];
  /** LR the spec asked for; attempts with another LR override the scheduler */
  specLr: number;
  /** the first attempt loads a pretrained checkpoint */
  initFromCheckpoint: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Facts attached to an event so a human can see why the supervisor acted. */
export interface Evidence {
  logLines?: string[];
  slurmState?: string;
  jobId?: string;
  nodes?: string[];
  checkpoint?: number | null;
  configDiff?: ParamChange[];
  detail?: Record<string, unknown>;
}

export interface RunEvent {
  type: EventType;
  time: string;
  cause: string;
  attempt?: number;
  from?: RunState;
  to?: RunState;
  evidence: Evidence;
}

/** An event as read back from the stream, with its stream id. */
export interface StoredEvent extends RunEvent {
  id: string;
}
