import { jobAlive } from "../job-liveness.ts";
import type { ControlCommand } from "./command.ts";
import type { ControlContext } from "./control-context.ts";
import { reject } from "./control-context.ts";
import { restartParams } from "./resume.ts";
import { startAttempt } from "./start-attempt.ts";

/**
 * `neoxctl exclude <run> <node>`: a person judged a node bad (a slowdown, a flaky link). The node
 * goes on the run's bad-node list (blamed like a failed node) and the run restarts from its newest
 * complete checkpoint without it; a live job is cancelled once the decision is recorded.
 */
export async function exclude(
  x: ControlContext<Extract<ControlCommand, { kind: "exclude" }>>
): Promise<true> {
  const { c, cmd, attempt, job } = x;
  const run = c.run;
  if (run.state !== "needs_attention" && run.state !== "running" && run.state !== "queued")
    return reject(x, `cannot restart a run that is ${run.state}`);
  if (x.excludeNodes.includes(cmd.node)) return reject(x, `${cmd.node} is already excluded`);
  const cause = `excluded by the user (requested ${cmd.at})`;
  const blame = await x.deps.store.blameOps(
    run.id,
    [cmd.node],
    cause,
    run.resilience.bad_node_expiry_h,
    c.now
  );
  const { params, from } = await restartParams({ ...x, excludeNodes: [...x.excludeNodes, cmd.node].sort() });
  if (attempt && job && jobAlive(job.state)) attempt.cancelRequested = true;
  const ok = await startAttempt(x, {
    params,
    type: "excluded_by_user",
    cause: `node ${cmd.node} excluded by the user; restarting from ${from !== undefined ? `checkpoint ${from}` : "the start"} without it`,
    extraOps: blame
  });
  if (attempt?.cancelRequested && attempt.jobId) await c.cluster.slurm.cancel(attempt.jobId);
  return ok;
}
