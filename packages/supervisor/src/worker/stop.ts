import type { Attempt } from "../model.ts";
import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { jobAlive } from "./job-liveness.ts";

/** A run that must not run (needs_attention, terminal): re-send a cancel that a crash may have lost. */
export async function ensureStopped(deps: LoopDeps, c: RunCycle, attempt: Attempt): Promise<void> {
  if (!attempt.jobId || attempt.phase === "ended" || !attempt.cancelRequested) return;
  const st = c.jobs.get(attempt.jobId);
  if (st && jobAlive(st.state)) {
    await c.cluster.slurm.cancel(attempt.jobId);
    return;
  }
  attempt.phase = "ended";
  attempt.endedAt = new Date(c.now).toISOString();
  attempt.endState = st?.state ?? "GONE";
  await deps.store.commit(c.lease, [deps.store.putAttempt(c.run.id, attempt)]);
}
