import type { Op } from "../../store/run-store.ts";
import { jobAlive } from "../job-liveness.ts";
import { transitionOps } from "../transition.ts";
import type { ControlCommand } from "./command.ts";
import type { ControlContext } from "./control-context.ts";

/**
 * `neoxctl cancel`: Slurm first, the record after, so a crash in between leaves the command queued,
 * never a live job. Every job tagged with the run goes, including one a crash left unrecorded after
 * sbatch and a continuation queued behind the current attempt.
 */
export async function cancel(x: ControlContext<Extract<ControlCommand, { kind: "cancel" }>>): Promise<true> {
  const { c, attempt, job } = x;
  const slurm = c.cluster.slurm;
  if (attempt?.jobId && job && jobAlive(job.state)) await slurm.cancel(attempt.jobId);
  for (const j of await slurm.findSubmissions(c.run.id))
    if (j.jobId !== attempt?.jobId) await slurm.cancel(j.jobId);
  const ops: Op[] = [x.done];
  if (attempt) {
    attempt.cancelRequested = true;
    ops.push(x.deps.store.putAttempt(c.run.id, attempt));
  }
  ops.push(
    ...transitionOps(x.deps.store, c.run, "cancelled", {
      type: "cancelled_by_user",
      cause: `cancelled by the user (requested ${x.cmd.at})`,
      evidence: { ...(job ? { jobId: job.jobId, slurmState: job.state } : {}) },
      at: c.now,
      attempt: attempt?.index
    })
  );
  await x.deps.commit(c, ops);
  return true;
}
