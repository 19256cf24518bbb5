import type { AttemptParams, BudgetClass, Evidence } from "../model.ts";

/** Notes are recorded as events; the run keeps going. */
export type NoteKind = "spike_recovered" | "spike_watch" | "in_job_restart";

export interface Recovery {
  kind: "recover";
  /** budget charged; `planned` (exit_interval ending) charges nothing */
  class: BudgetClass | "planned";
  /** scancel the current job first (hang, spike, guard, RCCL error while running) */
  cancel: boolean;
  next: AttemptParams;
  /** nodes to blame in the run's bad-node list */
  blame: string[];
  cause: string;
  evidence: Evidence;
  /** consecutive-failure tracking to store with the run (null resets it) */
  crashLoop: { step: number; count: number } | null;
  rollback?: { onsetStep: number; toStep: number; lrFrom: number; lrTo: number };
  /** what the recovery gives up, said out loud (e.g. a new seed loses bitwise reproducibility) */
  tradeoffs: string[];
}

export type Decision =
  | { kind: "wait"; cause: string }
  | { kind: "note"; note: NoteKind; cause: string; evidence: Evidence; blame: string[] }
  | { kind: "complete"; cause: string; evidence: Evidence }
  | Recovery
  | { kind: "attention"; cancel: boolean; cause: string; evidence: Evidence };
