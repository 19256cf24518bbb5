import type { JobView } from "../ports.ts";
import type { Decision } from "./decision.ts";
import type { DecisionContext } from "./context.ts";
import { newestCheckpoint } from "./context.ts";
import { complete, ev, recover } from "./outcome.ts";
import { decideLossAlarm } from "./spike.ts";
import { collectiveHang, outOfMemory, storageFailure } from "./stops.ts";
import { preflightFailure } from "./preflight.ts";
import { inJobRestartNote, spareCovers, withoutReplaced } from "./spares.ts";

/**
 * The recovery policy: a pure function of what the supervisor knows about one run's current
 * attempt. The worker carries out the decision and records it; nothing here touches Slurm or Redis.
 */
export function decide(given: DecisionContext): Decision {
  const guard = silentRestartGuard(given);
  if (guard) return guard;
  const restart = inJobRestartNote(given);
  if (restart) return restart;
  // a node a spare already replaced in this job is no reason to act on the job any more
  const ctx = withoutReplaced(given);
  const job = ctx.job;
  if (!job) {
    if ((ctx.obs.lastIteration ?? 0) >= ctx.run.trainIters)
      return complete(ctx, "job gone from Slurm after the final iteration");
    return {
      kind: "attention",
      cancel: false,
      cause: "Slurm no longer knows the job and the log does not show the run finished",
      evidence: ev(ctx)
    };
  }
  if (job.restarts > ctx.attempt.restartsSeen) return slurmRequeue(ctx, job);
  switch (job.state) {
    case "PENDING":
    case "REQUEUED":
      return { kind: "wait", cause: `job ${job.jobId} waiting in the queue` };
    case "RUNNING":
    case "COMPLETING":
      return whileRunning(ctx, job);
    case "COMPLETED":
      return completed(ctx, job);
    case "NODE_FAIL": {
      // blame what Slurm named, else the job's nodes that are DOWN now, and only as a last resort all of them
      const down = job.nodes.filter((n) => ctx.downNodes.includes(n));
      const bad = job.failedNodes?.length ? job.failedNodes : down.length ? down : job.nodes;
      return recover(
        ctx,
        "node",
        false,
        bad,
        `job ${job.jobId} ended NODE_FAIL on ${bad.join(",") || "unknown nodes"}`
      );
    }
    case "TIMEOUT":
    case "PREEMPTED":
      return recover(
        ctx,
        "timeout",
        false,
        [],
        `job ${job.jobId} ended ${job.state}; resuming from the newest complete checkpoint`
      );
    case "FAILED":
    case "OUT_OF_MEMORY":
    case "CANCELLED":
      return failed(ctx, job);
    case "UNKNOWN":
      return { kind: "wait", cause: `job ${job.jobId} in a state Slurm did not name; polling again` };
  }
}

/** `Unable to load checkpoint.` or a resume starting below the checkpoint: never train from scratch silently. */
function silentRestartGuard(ctx: DecisionContext): Decision | undefined {
  const { obs } = ctx;
  const expected =
    ctx.attempt.params.load.kind === "resume"
      ? (ctx.attempt.params.load.iteration ?? newestCheckpoint(ctx) ?? 0)
      : 0;
  let cause: string | undefined;
  if (obs.unableToLoad && (ctx.expectsCheckpoint || expected > 0))
    cause = "NeoX printed `Unable to load checkpoint.` and would train from freshly initialised weights";
  else if (expected > 0 && obs.resumedFrom !== undefined && obs.resumedFrom < expected)
    cause = `resume started at iteration ${obs.resumedFrom} but checkpoint ${expected} exists`;
  else if (expected > 0 && obs.firstIteration !== undefined && obs.firstIteration <= expected)
    cause = `training restarted at iteration ${obs.firstIteration} although checkpoint ${expected} exists`;
  if (!cause) return undefined;
  const e = ev(ctx, { checkpoint: expected });
  return {
    kind: "attention",
    cancel: true,
    cause: `${cause}; cancelled before it overwrites anything`,
    evidence: { ...e, logLines: [...(obs.loadLines ?? []), ...(e.logLines ?? [])] }
  };
}

/**
 * Every attempt is submitted --no-requeue, so a requeue means someone turned requeue back on for the
 * job (`scontrol update … requeue=1`) or it predates that rule. The rerun would repeat the script as
 * rendered: load the checkpoint the attempt started from, however many newer ones exist, on nodes
 * Slurm picked without our exclusions. So the supervisor takes over as for any other interruption:
 * cancel the requeued job, blame the nodes that the evidence names, resume from the newest complete
 * checkpoint. With no node named it is an interruption like preemption (timeout budget).
 */
function slurmRequeue(ctx: DecisionContext, job: JobView): Decision {
  const blame = ctx.downNodes.length ? [...ctx.downNodes] : (job.failedNodes ?? []);
  const where = blame.length ? ` after a failure of ${blame.join(",")}` : "";
  return recover(
    ctx,
    blame.length ? "node" : "timeout",
    true,
    blame,
    `Slurm requeued job ${job.jobId} (restart ${job.restarts})${where}; cancelling it and resubmitting from the newest complete checkpoint`
  );
}

function whileRunning(ctx: DecisionContext, job: JobView): Decision {
  const { obs } = ctx;
  if (obs.alarm) {
    const d = decideLossAlarm(ctx, obs.alarm);
    if (d.kind !== "wait" || obs.alarm.kind !== "spike") return d;
  }
  // the other ranks would wait in their next collective until the watchdog fires: stop now
  if (obs.outOfMemory) return outOfMemory(ctx, job, obs.outOfMemory, true);
  // nodes the job's spares will replace are left to its batch script; every other check still runs
  const spare = spareCovers(ctx, job);
  const covered = (n: string): boolean => spare?.nodes.includes(n) ?? false;
  const down = ctx.downNodes.filter((n) => !covered(n));
  if (down.length)
    return recover(ctx, "node", true, down, `node ${down.join(",")} of job ${job.jobId} is DOWN`);
  const errorNodes = obs.errorNodes.filter((n) => !covered(n));
  if (errorNodes.length)
    return recover(ctx, "node", true, errorNodes, `RCCL/HIP error on ${errorNodes.join(",")}`);
  if (obs.collectiveTimeout) return collectiveHang(ctx, job, obs.collectiveTimeout, true);
  // a checkpoint save raised: the trainer is going down (or, on other ranks, waiting for it in a
  // collective until the timeout). Only checkpoint paths count here: a logging thread that dies on a
  // full disk prints the same exception while training goes on.
  if (obs.storageError && obs.storageError.step !== null)
    return storageFailure(ctx, job, obs.storageError, true);
  if (obs.hang) {
    // the last iteration or NeoX's own exit line is in the log: the job is saving and exiting, and
    // Slurm (or a controller that was away) has not caught up yet; cancelling now would lose the end
    if (finishing(ctx))
      return {
        kind: "wait",
        cause: `job ${job.jobId} is finishing (log shows iteration ${obs.lastIteration ?? obs.exitedAt ?? "-"}); waiting for Slurm to report its end`
      };
    return recover(
      ctx,
      "hang",
      true,
      [],
      `no training progress past iteration ${obs.lastIteration ?? 0}: hang; cancelling and resuming`
    );
  }
  if (spare) return { kind: "wait", cause: spare.cause };
  return { kind: "wait", cause: `job ${job.jobId} running at iteration ${obs.lastIteration ?? "-"}` };
}

/** The log shows the run's final iteration, or NeoX announcing its own exit. */
function finishing(ctx: DecisionContext): boolean {
  return (ctx.obs.lastIteration ?? 0) >= ctx.run.trainIters || ctx.obs.exitedAt !== undefined;
}

/** Where the attempt started: the checkpoint it loaded (log) or was told to load (params). */
function resumeIteration(ctx: DecisionContext): number {
  const load = ctx.attempt.params.load;
  return Math.max(ctx.obs.resumedFrom ?? 0, load.kind === "resume" ? (load.iteration ?? 0) : 0);
}

function completed(ctx: DecisionContext, job: JobView): Decision {
  // an unrecovered spike or a NaN in the log means the last checkpoints hold damaged weights: a job
  // that reached train_iters after one (e.g. while the supervisor was down) is not a finished run
  const alarm = ctx.obs.alarm;
  if (alarm && !alarm.recovered) {
    const d = decideLossAlarm(ctx, alarm, true);
    if (d.kind === "recover" || d.kind === "attention") return d;
  }
  // exit 0 with a failed checkpoint save in the log (a launcher that lost the status): a checkpoint is missing
  if (ctx.obs.storageError && ctx.obs.storageError.step !== null)
    return storageFailure(ctx, job, ctx.obs.storageError, false);
  const last = Math.max(ctx.obs.lastIteration ?? 0, ctx.obs.exitedAt ?? 0);
  if (last >= ctx.run.trainIters)
    return complete(ctx, `job ${job.jobId} completed at iteration ${last}/${ctx.run.trainIters}`);
  // a resume from the final checkpoint has nothing left to train and exits at once, printing no iteration
  const from = resumeIteration(ctx);
  if (from >= ctx.run.trainIters)
    return complete(
      ctx,
      `job ${job.jobId} completed: it resumed from checkpoint ${from}, the final iteration (${ctx.run.trainIters})`
    );
  if (ctx.obs.exitedAt !== undefined || last > 0) {
    return recover(
      ctx,
      "planned",
      false,
      [],
      `job ${job.jobId} ended by itself at iteration ${last} (exit_interval); continuing`
    );
  }
  return failed(ctx, job);
}

function failed(ctx: DecisionContext, job: JobView): Decision {
  const preflight = preflightFailure(ctx, job);
  if (preflight) return preflight;
  if (ctx.obs.outOfMemory || job.state === "OUT_OF_MEMORY")
    return outOfMemory(ctx, job, ctx.obs.outOfMemory ?? null, false);
  if (ctx.obs.errorNodes.length)
    return recover(
      ctx,
      "node",
      false,
      [...ctx.obs.errorNodes],
      `job ${job.jobId} ${job.state} after RCCL/HIP errors on ${ctx.obs.errorNodes.join(",")}`
    );
  if (job.state === "CANCELLED")
    return {
      kind: "attention",
      cancel: false,
      cause: `job ${job.jobId} was cancelled outside neoxctl`,
      evidence: ev(ctx)
    };
  if (ctx.obs.storageError) return storageFailure(ctx, job, ctx.obs.storageError, false);
  if (ctx.obs.collectiveTimeout) return collectiveHang(ctx, job, ctx.obs.collectiveTimeout, false);
  const step =
    ctx.obs.lastIteration ??
    (ctx.attempt.params.load.kind === "resume" ? (ctx.attempt.params.load.iteration ?? 0) : 0);
  const prev = ctx.run.crashLoop;
  const count = prev && prev.step === step ? prev.count + 1 : 1;
  const limit = ctx.run.resilience.crash_loop_limit;
  const exc = ctx.obs.exception;
  const raised = exc ? `: ${exc.type}${exc.frame ? ` in ${exc.frame}` : ""}` : "";
  const what = `job ${job.jobId} ${job.state}${job.exitCode != null ? ` (exit ${job.exitCode})` : ""} at step ${step}${raised}`;
  if (count >= limit) {
    return {
      kind: "attention",
      cancel: false,
      cause: `${what}: failed ${count} times in a row at the same step (crash loop, limit ${limit})`,
      evidence: ev(ctx, { detail: { crashLoop: count } })
    };
  }
  const d = recover(
    ctx,
    "app",
    false,
    [],
    `${what}: application error, retry ${count}/${limit - 1} at this step`
  );
  return d.kind === "recover" ? { ...d, crashLoop: { step, count } } : d;
}
