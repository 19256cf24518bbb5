import type { AttemptParams } from "../model.ts";
import type { Op, RunStore } from "../store/run-store.ts";
import type { ExitBasis } from "./exit-plan.ts";

/** How one attempt was planned to end, with the measurements the plan came from. */
export interface ExitRecord {
  attempt: number;
  startIteration: number;
  /** null: no planned exit, the attempt runs to train_iters */
  exitAt: number | null;
  basis: ExitBasis;
  stepMs: number | null;
  /** `measured` from the previous attempt's log, or the configured `prior` */
  stepSource: "measured" | "prior" | "none";
  saveS: number | null;
  limitS: number;
  expectedS: number | null;
}

/** The next attempt, already in Slurm's queue behind the running one. */
export interface QueuedContinuation {
  attempt: number;
  predecessor: { attempt: number; jobId: string; exitAt: number };
  /** `submitting`: intent written, sbatch may or may not have happened (reconcile by tag) */
  phase: "submitting" | "queued";
  jobId?: string;
  params: AttemptParams;
  dependency: string;
  exit: ExitRecord;
  createdAt: string;
}

/**
 * A queued continuation being swapped for one with new parameters: submit the new one held, cancel
 * the old one, release the new one. Each phase is committed before its Slurm command runs, so a
 * restart resumes where it stopped and never leaves two runnable jobs, or none.
 */
export interface Replacement {
  attempt: number;
  oldJobId: string;
  phase: "submitting" | "held" | "old_cancelled";
  newJobId?: string;
  createdAt: string;
}

export interface ChainRecord {
  queued?: QueuedContinuation;
  replacing?: Replacement;
  /** continuation jobs the chain cancelled: never adopted by tag */
  discarded: string[];
  exits: ExitRecord[];
  /** per planned ending: when the successor was queued relative to the predecessor's end */
  handovers: { attempt: number; jobId: string; how: "adopted" | "replaced" }[];
}

export function emptyChain(): ChainRecord {
  return { discarded: [], exits: [], handovers: [] };
}

export function chainKey(store: RunStore, runId: string): string {
  return `${store.keys.run(runId)}:chain`;
}

export async function readChain(store: RunStore, runId: string): Promise<ChainRecord> {
  const s = await store.redis.get(chainKey(store, runId));
  return s ? { ...emptyChain(), ...(JSON.parse(s) as Partial<ChainRecord>) } : emptyChain();
}

export function putChain(store: RunStore, runId: string, rec: ChainRecord): Op {
  return { op: "set", key: chainKey(store, runId), value: JSON.stringify(rec) };
}

export function withExit(rec: ChainRecord, e: ExitRecord): ChainRecord {
  return {
    ...rec,
    exits: [...rec.exits.filter((x) => x.attempt !== e.attempt), e].sort((a, b) => a.attempt - b.attempt)
  };
}
