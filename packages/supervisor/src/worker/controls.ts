import { randomUUID } from "node:crypto";
import type { Run } from "../model.ts";
import type { RunStore } from "../store/run-store.ts";
import { noBudgetUsed } from "../model.ts";
import type { JobView } from "../ports.ts";
import type { Op } from "../store/run-store.ts";
import type { Lease } from "../store/lease.ts";
import { isTerminal } from "../run-state.ts";
import { timelineCheckpoints } from "../adapters/checkpoints.ts";
import type { ClusterHandle } from "./cluster.ts";
import { jobAlive } from "./job-liveness.ts";
import { nextAttempt } from "./next-attempt.ts";
import { noteOps, transitionOps } from "./transition.ts";
import type { Stepper } from "./stepper.ts";
import { decodeRecord } from "../store/decode.ts";
import { ControlCommandSchema } from "./control-command.ts";
import type { ControlCommand } from "./control-command.ts";

export type { ControlCommand } from "./control-command.ts";

/** Handles the oldest queued command, if any; true when one was handled (the run changed). */
export async function applyControl(
  s: Stepper,
  run: Run,
  lease: Lease,
  cluster: ClusterHandle,
  jobs: Map<string, JobView>
): Promise<boolean> {
  const key = s.store.keys.control(run.id);
  const raw = await s.store.redis.lindex(key, 0);
  if (!raw) return false;
  const now = s.io.now();
  const done: Op = { op: "lrem", key, value: raw };
  const decoded = decodeRecord(ControlCommandSchema, raw, { kind: "control", key, runId: run.id });
  if (!decoded.ok) {
    // an unreadable command is dropped with an event, so the commands behind it still run
    s.store.corrupt.note(decoded.error);
    await s.commit(run, lease, [
      done,
      ...noteOps(s.store, run, "control_rejected", decoded.error.message, {}, now)
    ]);
    return true;
  }
  const cmd = decoded.value;
  // expired blames drop out of the exclusions of any attempt a human starts
  const excludeNodes = (await s.store.badNodes(run.id, now)).map((b) => b.node);
  const attempt = await s.store.getAttempt(run.id, run.attempts);
  const job = attempt?.jobId ? jobs.get(attempt.jobId) : undefined;
  const reject = async (why: string): Promise<true> => {
    await s.commit(run, lease, [
      done,
      ...noteOps(s.store, run, "control_rejected", `${cmd.kind}: ${why}`, { detail: { ...cmd } }, now)
    ]);
    return true;
  };
  if (isTerminal(run.state)) return reject(`run is ${run.state}`);

  switch (cmd.kind) {
    case "cancel": {
      // cancel before recording: a crash in between leaves the command queued, never a live job.
      // Every job tagged with the run goes, including one a crash left unrecorded after sbatch and a
      // continuation queued behind the current attempt.
      if (attempt?.jobId && job && jobAlive(job.state)) await cluster.slurm.cancel(attempt.jobId);
      for (const j of await cluster.slurm.findSubmissions(run.id))
        if (j.jobId !== attempt?.jobId) await cluster.slurm.cancel(j.jobId);
      const ops: Op[] = [done];
      if (attempt) {
        attempt.cancelRequested = true;
        ops.push(s.store.putAttempt(run.id, attempt));
      }
      ops.push(
        ...transitionOps(
          s.store,
          run,
          "cancelled",
          "cancelled_by_user",
          `cancelled by the user (requested ${cmd.at})`,
          { ...(job ? { jobId: job.jobId, slurmState: job.state } : {}) },
          now,
          attempt?.index
        )
      );
      await s.commit(run, lease, ops);
      return true;
    }
    case "resume":
    case "ack": {
      if (run.state !== "needs_attention") return reject(`run is ${run.state}, not needs_attention`);
      const ckpts = await timelineCheckpoints(cluster.exec, run);
      const newest = ckpts[ckpts.length - 1];
      const params = {
        ...run.params,
        excludeNodes,
        load: newest === undefined ? run.params.load : { kind: "resume" as const, iteration: newest }
      };
      if (cmd.kind === "ack") {
        run.budgetsUsed = noBudgetUsed();
        run.crashLoop = null;
      }
      const cause =
        cmd.kind === "ack"
          ? `acknowledged by the user: budgets and crash-loop count reset, resuming from ${newest ?? "the start"}`
          : `resumed by the user from ${newest ?? "the start"}`;
      return startAttempt(
        s,
        run,
        lease,
        attempt,
        params,
        done,
        cmd.kind === "ack" ? "acknowledged" : "resumed_by_user",
        cause,
        now
      );
    }
    case "rollback": {
      if (run.state !== "needs_attention" && run.state !== "running" && run.state !== "queued")
        return reject(`cannot roll back a run that is ${run.state}`);
      const ckpts = await timelineCheckpoints(cluster.exec, run);
      if (!ckpts.includes(cmd.toStep))
        return reject(`no complete checkpoint at step ${cmd.toStep} (have ${ckpts.join(",") || "none"})`);
      const lr = cmd.lrFactor !== undefined ? run.params.lr * cmd.lrFactor : run.params.lr;
      if (attempt && job && jobAlive(job.state)) attempt.cancelRequested = true;
      run.abandoned.push({ step: cmd.toStep, since: now });
      const params = {
        ...run.params,
        excludeNodes,
        load: { kind: "resume" as const, iteration: cmd.toStep },
        lr
      };
      const ok = await startAttempt(
        s,
        run,
        lease,
        attempt,
        params,
        done,
        "rollback_by_user",
        `rolled back by the user to step ${cmd.toStep}${cmd.lrFactor !== undefined ? `, LR × ${cmd.lrFactor} = ${lr.toExponential(3)}` : ""}`,
        now
      );
      if (attempt?.cancelRequested && attempt.jobId) await cluster.slurm.cancel(attempt.jobId);
      return ok;
    }
  }
}

async function startAttempt(
  s: Stepper,
  run: Run,
  lease: Lease,
  prev: Awaited<ReturnType<Stepper["store"]["getAttempt"]>>,
  params: Run["params"],
  done: Op,
  type: string,
  cause: string,
  now: number
): Promise<true> {
  let next;
  try {
    next = nextAttempt(run, prev, params, "manual", now);
  } catch (e) {
    await s.commit(run, lease, [
      done,
      ...noteOps(
        s.store,
        run,
        "control_rejected",
        `${cause}: planner refused: ${e instanceof Error ? e.message : String(e)}`,
        {},
        now
      )
    ]);
    return true;
  }
  run.params = params;
  run.attempts = next.index;
  run.attention = undefined;
  const ops: Op[] = [done];
  if (prev) ops.push(s.store.putAttempt(run.id, prev));
  ops.push(s.store.putAttempt(run.id, next));
  ops.push(
    ...transitionOps(
      s.store,
      run,
      "recovering",
      type,
      cause,
      { configDiff: next.diff, detail: { nextAttempt: next.index } },
      now,
      prev?.index
    )
  );
  await s.commit(run, lease, ops);
  return true;
}

/** Queues a human's command for the supervisor holding the run (the CLI side of the controls). */
export async function requestControl(
  store: RunStore,
  runId: string,
  cmd: DistributiveOmit<ControlCommand, "at" | "id">
): Promise<ControlCommand> {
  await store.mustGetRun(runId);
  const full = { ...cmd, at: new Date().toISOString(), id: randomUUID() } as ControlCommand;
  await store.redis.rpush(store.keys.control(runId), JSON.stringify(full));
  return full;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
