import type { JobView } from "../ports.ts";
import type { Decision } from "./decision.ts";
import type { DecisionContext } from "./context.ts";
import { ev } from "./outcome.ts";

/**
 * Spare nodes (`resilience.spare_nodes`): the job holds more nodes than it trains on, runs --no-kill,
 * and its batch script restarts the training step on a spare when a node leaves the job
 * (packages/plan spare-launch.ts). The supervisor leaves that job alone while a spare remains, and
 * records each restart the log shows.
 */

/** Nodes an in-job restart already replaced: history, not a reason to stop the job now. */
function replaced(ctx: DecisionContext): Set<string> {
  return new Set((ctx.obs.inJobRestarts ?? []).flatMap((r) => r.lost));
}

/** The context without the nodes the job already replaced (Slurm may still list them as DOWN). */
export function withoutReplaced(ctx: DecisionContext): DecisionContext {
  const gone = replaced(ctx);
  if (gone.size === 0) return ctx;
  return {
    ...ctx,
    downNodes: ctx.downNodes.filter((n) => !gone.has(n)),
    obs: { ...ctx.obs, errorNodes: ctx.obs.errorNodes.filter((n) => !gone.has(n)) }
  };
}

/** The newest in-job restart the log shows and no event records yet: recorded, and its lost nodes blamed. */
export function inJobRestartNote(ctx: DecisionContext): Decision | undefined {
  const r = ctx.obs.unnotedRestart;
  if (!r) return undefined;
  const job = ctx.job ? `job ${ctx.job.jobId}` : "the job";
  return {
    kind: "note",
    note: "in_job_restart",
    cause: `node ${r.lost.join(",")} left ${job}; training restarted inside it on ${r.nodes.join(",")} from ${r.from} (in-job restart ${r.restart}/${r.max}, no new submission)`,
    evidence: {
      ...ev(ctx, { nodes: [...r.lost] }),
      logLines: [r.line],
      detail: { restart: r.restart, max: r.max, newNodes: [...r.nodes], from: r.from }
    },
    blame: [...r.lost]
  };
}

/** What the job's spares cover now: the nodes left to the batch script, and what to say while it works. */
export interface SpareCover {
  nodes: readonly string[];
  cause: string;
}

/**
 * A node of the running job is lost (Slurm reports it DOWN or draining, or srun named it) and the
 * script will replace it: a spare is left and the restart cap is not reached. Then cancelling for
 * that node would throw away the allocation the spares were held for. Only that node is covered:
 * the caller still applies every other check (errors on other nodes, collective timeouts, storage
 * errors, hangs), because a draining node keeps its step running and the script restarts nothing
 * until the step fails; covering everything would switch the watch off for the rest of the job.
 * Past the spares or the cap, the caller goes on as without spares (cancel, resubmit without it).
 */
export function spareCovers(ctx: DecisionContext, job: JobView): SpareCover | undefined {
  const spares = ctx.run.resilience.spare_nodes;
  if (spares === 0) return undefined;
  const gone = replaced(ctx);
  const lost = [...new Set([...ctx.downNodes, ...(ctx.obs.slurmLostNodes ?? [])])].filter(
    (n) => !gone.has(n)
  );
  if (lost.length === 0) return undefined;
  const done = ctx.obs.inJobRestarts?.length ?? 0;
  const max = ctx.run.resilience.max_in_job_restarts;
  const left = spares - gone.size - lost.length;
  if (done >= max || left < 0) return undefined;
  return {
    nodes: lost,
    cause: `node ${lost.join(",")} of job ${job.jobId} is lost or leaving; once the training step fails its batch script restarts it on a spare (in-job restart ${done + 1}/${max}, ${left} spare${left === 1 ? "" : "s"} left after it)`
  };
}
