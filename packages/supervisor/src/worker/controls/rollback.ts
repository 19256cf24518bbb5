import { timelineCheckpoints } from "../../adapters/checkpoints.ts";
import { jobAlive } from "../job-liveness.ts";
import type { ControlCommand } from "./command.ts";
import type { ControlContext } from "./control-context.ts";
import { reject } from "./control-context.ts";
import { startAttempt } from "./start-attempt.ts";

/**
 * `neoxctl rollback`: a new attempt from a named complete checkpoint, optionally with the LR scaled;
 * checkpoints above it saved before now leave the run's timeline. A live job is cancelled after the
 * decision is recorded (the loop re-sends the cancel until Slurm shows the job gone).
 */
export async function rollback(
  x: ControlContext<Extract<ControlCommand, { kind: "rollback" }>>
): Promise<true> {
  const { c, cmd, attempt, job } = x;
  const run = c.run;
  if (run.state !== "needs_attention" && run.state !== "running" && run.state !== "queued")
    return reject(x, `cannot roll back a run that is ${run.state}`);
  const ckpts = await timelineCheckpoints(c.cluster.exec, run);
  if (!ckpts.includes(cmd.toStep))
    return reject(x, `no complete checkpoint at step ${cmd.toStep} (have ${ckpts.join(",") || "none"})`);
  const lr = cmd.lrFactor !== undefined ? run.params.lr * cmd.lrFactor : run.params.lr;
  if (attempt && job && jobAlive(job.state)) attempt.cancelRequested = true;
  run.abandoned.push({ step: cmd.toStep, since: c.now });
  const ok = await startAttempt(x, {
    params: {
      ...run.params,
      excludeNodes: x.excludeNodes,
      load: { kind: "resume", iteration: cmd.toStep },
      lr
    },
    type: "rollback_by_user",
    cause: `rolled back by the user to step ${cmd.toStep}${cmd.lrFactor !== undefined ? `, LR × ${cmd.lrFactor} = ${lr.toExponential(3)}` : ""}`
  });
  if (attempt?.cancelRequested && attempt.jobId) await c.cluster.slurm.cancel(attempt.jobId);
  return ok;
}
