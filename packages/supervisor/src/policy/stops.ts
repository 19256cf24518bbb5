import type { CollectiveTimeout, JobView, OutOfMemory, StorageFailure } from "../ports.ts";
import type { Decision } from "./decision.ts";
import type { DecisionContext } from "./context.ts";
import { newestCheckpoint } from "./context.ts";
import { ev, recover } from "./outcome.ts";

/** Failures whose class the job's output names: storage and memory stop the run, a collective timeout is a hang. */

/**
 * An out-of-memory is the configuration's (micro-batch, parallelism, activation checkpointing,
 * sequence length): the same job on other nodes runs out the same way. So no retry and no blame;
 * the run stops with the lines that say so, and with the model state the plan puts on each GCD (the
 * floor under activations that the micro-batch and sequence length add to).
 */
export function outOfMemory(
  ctx: DecisionContext,
  job: JobView,
  oom: OutOfMemory | null,
  cancel: boolean
): Decision {
  const where = oom?.node ? ` on ${oom.node}` : "";
  const said = oom ? ` (${oom.source === "gpu" ? "GPU memory" : `${oom.source} reports host memory`})` : "";
  const mem = ctx.planMemory;
  const e = ev(ctx, {
    detail: {
      outOfMemory: { source: oom?.source ?? "slurm", node: oom?.node ?? null },
      ...(mem ? { planMemory: { ...mem } } : {})
    }
  });
  const plan = mem
    ? `; the plan puts ${(mem.modelStateBytes / 2 ** 30).toFixed(1)} GiB of model state (weights, gradients, master copy, Adam moments at ZeRO ${mem.zeroStage}) on each GCD before activations`
    : "";
  return {
    kind: "attention",
    cancel,
    cause:
      `job ${job.jobId} ran out of memory${where}${said}; ${cancel ? "cancelling the job and not retrying" : "not retrying"}: ` +
      `a retry would run out the same way${plan}; lower the micro-batch or sequence length, or raise the parallelism or activation checkpointing, then resume`,
    evidence: { ...e, logLines: [...new Set([...(oom?.lines ?? []), ...(e.logLines ?? [])])] }
  };
}

/**
 * PyTorch's watchdog gave up on a collective: some rank never joined it. That is a hang (hang
 * budget), with the rank that reported it and the operation in the evidence for whoever looks.
 */
export function collectiveHang(
  ctx: DecisionContext,
  job: JobView,
  t: CollectiveTimeout,
  cancel: boolean
): Decision {
  const who = t.rank !== null ? `rank ${t.rank}` : "a rank";
  const op = `${t.op ?? "collective"}${t.seq !== null ? ` #${t.seq}` : ""}`;
  const d = recover(
    ctx,
    "hang",
    cancel,
    [],
    `job ${job.jobId}: ${who} timed out in ${op}${t.ms !== null ? ` after ${t.ms} ms` : ""} (collective watchdog): hang; resuming`
  );
  const detail = { collectiveTimeout: { rank: t.rank, op: t.op, seq: t.seq, ms: t.ms } };
  return d.kind === "recover" || d.kind === "attention"
    ? {
        ...d,
        evidence: {
          ...d.evidence,
          detail: { ...d.evidence.detail, ...detail },
          logLines: [...new Set([...t.lines, ...(d.evidence.logLines ?? [])])]
        }
      }
    : d;
}

const STORAGE_FAULT: Readonly<Record<StorageFailure["fault"], string>> = {
  permission: "permission denied",
  read_only: "read-only file system",
  no_space: "no space left on device",
  quota: "disk quota exceeded",
  unwritable:
    "the directory could not be created or written (no write permission, or a read-only or full file system)"
};

/**
 * Storage refused a write. A retry would train again up to the same save and fail the same way,
 * spending the crash budget on a problem only a person can fix (permissions, a read-only mount, a
 * full quota), so the run stops at once with the lines that say so.
 */
export function storageFailure(
  ctx: DecisionContext,
  job: JobView,
  s: StorageFailure,
  cancel: boolean
): Decision {
  const from = newestCheckpoint(ctx);
  const what =
    s.step !== null ? `checkpoint ${s.step} could not be saved` : "the trainer could not write to storage";
  const exit = job.exitCode != null ? ` (exit ${job.exitCode})` : "";
  const cause =
    `job ${job.jobId} ${job.state}${exit}: ${what}: ${STORAGE_FAULT[s.fault]}${s.path !== null ? ` (${s.path})` : ""}; ` +
    `${cancel ? "cancelling the job and not retrying" : "not retrying"}: a retry would fail the same way; make the directory writable, then resume (from ${from !== undefined ? `checkpoint ${from}` : "the run's initial weights"})`;
  const e = ev(ctx, {
    checkpoint: from ?? null,
    detail: { storage: { fault: s.fault, path: s.path, step: s.step } }
  });
  return {
    kind: "attention",
    cancel,
    cause,
    evidence: { ...e, logLines: [...new Set([...s.lines, ...(e.logLines ?? [])])] }
  };
}
