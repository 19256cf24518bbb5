import { z } from "zod";
import { AttemptParamsSchema } from "../model.ts";
import type { Op, RunStore } from "../store/run-store.ts";
import { decodeRecord } from "../store/decode.ts";
import { EXIT_BASES } from "./exit-plan.ts";

const Iteration = z.number().int().nonnegative();
const Duration = z.number();

/** How one attempt was planned to end, with the measurements the plan came from. */
const ExitRecordSchema = z.object({
  attempt: z.number().int().positive(),
  startIteration: Iteration,
  /** null: no planned exit, the attempt runs to train_iters */
  exitAt: Iteration.nullable(),
  basis: z.enum(EXIT_BASES),
  stepMs: Duration.nullable(),
  /** `measured` from the previous attempt's log, or the configured `prior` */
  stepSource: z.enum(["measured", "prior", "none"]),
  saveS: Duration.nullable(),
  limitS: Duration,
  expectedS: Duration.nullable()
});
export type ExitRecord = z.output<typeof ExitRecordSchema>;

/** The next attempt, already in Slurm's queue behind the running one. */
const QueuedContinuationSchema = z.object({
  attempt: z.number().int().positive(),
  predecessor: z.object({ attempt: z.number().int().positive(), jobId: z.string(), exitAt: Iteration }),
  /** `submitting`: intent written, sbatch may or may not have happened (reconcile by tag) */
  phase: z.enum(["submitting", "queued"]),
  jobId: z.string().optional(),
  /** carried in the job's tag, as an attempt's nonce is (worker/own-submission.ts); absent on older records */
  nonce: z.string().optional(),
  params: AttemptParamsSchema,
  dependency: z.string(),
  exit: ExitRecordSchema,
  createdAt: z.string()
});
export type QueuedContinuation = z.output<typeof QueuedContinuationSchema>;

/**
 * A queued continuation being swapped for one with new parameters: submit the new one held, cancel
 * the old one, release the new one. Each phase is committed before its Slurm command runs, so a
 * restart resumes where it stopped and never leaves two runnable jobs, or none.
 */
const ReplacementSchema = z.object({
  attempt: z.number().int().positive(),
  oldJobId: z.string(),
  phase: z.enum(["submitting", "held", "old_cancelled"]),
  newJobId: z.string().optional(),
  createdAt: z.string()
});
export type Replacement = z.output<typeof ReplacementSchema>;

// lists default to empty: records written before a list existed read as "nothing yet"
const ChainRecordSchema = z.object({
  queued: QueuedContinuationSchema.optional(),
  replacing: ReplacementSchema.optional(),
  /** continuation jobs the chain cancelled: never adopted by tag */
  discarded: z.array(z.string()).default([]),
  exits: z.array(ExitRecordSchema).default([]),
  /** per planned ending: when the successor was queued relative to the predecessor's end */
  handovers: z
    .array(
      z.object({
        attempt: z.number().int().positive(),
        jobId: z.string(),
        how: z.enum(["adopted", "replaced"])
      })
    )
    .default([])
});
export type ChainRecord = z.output<typeof ChainRecordSchema>;

function emptyChain(): ChainRecord {
  return { discarded: [], exits: [], handovers: [] };
}

function chainKey(store: RunStore, runId: string): string {
  return `${store.keys.run(runId)}:chain`;
}

/** Throws CorruptRecordError (and notes it) when the chain record is unreadable. */
export async function readChain(store: RunStore, runId: string): Promise<ChainRecord> {
  const key = chainKey(store, runId);
  const s = await store.redis.get(key);
  if (s === null) return emptyChain();
  return store.corrupt.must(decodeRecord(ChainRecordSchema, s, { kind: "chain", key, runId }));
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
