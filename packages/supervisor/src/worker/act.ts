import { NeoxctlError } from "@neoxctl/core";
import type { EventType } from "@neoxctl/core";
import type { Attempt, Evidence } from "../model.ts";
import type { JobView } from "../ports.ts";
import type { Op } from "../store/run-store.ts";
import type { Decision, NoteKind, Recovery } from "../policy/decision.ts";
import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { jobAlive } from "./job-liveness.ts";
import { nextAttempt } from "./next-attempt.ts";
import { noteOps, transitionOps } from "./transition.ts";
import { submitPending } from "./submit.ts";
import { trainDoneOps } from "./graph-train.ts";
import { graphOutcome } from "../graph/graph-view.ts";

/** The attempt a decision is about, as this cycle saw it. */
export interface Watched {
  attempt: Attempt;
  /** undefined: Slurm no longer knows the job */
  job: JobView | undefined;
  /** forget the observed loss alarm once a recovery from it is recorded */
  clearAlarm: () => void;
  /** forget the observed in-job restart once its event is recorded */
  clearRestart: () => void;
}

/** Carries a decision out and commits it with its event; Slurm commands that undo work come after the commit. */
export async function act(deps: LoopDeps, c: RunCycle, w: Watched, d: Decision): Promise<void> {
  switch (d.kind) {
    case "wait":
      return;
    case "note":
      return note(deps, c, w, d);
    case "complete": {
      endIfGone(c, w);
      c.run.params = w.attempt.params;
      // in a job graph, training done hands the run on to the steps after it (export)
      const graphOps = trainDoneOps(deps.store, c.run, d.cause, d.evidence, c.now);
      if (graphOps) {
        await deps.commit(c, [deps.store.putAttempt(c.run.id, w.attempt), ...graphOps]);
        return;
      }
      // a graph run that trained and ends here (`--only train`) says what of its graph ran
      const outcome = c.run.graph ? graphOutcome(c.run.graph) : undefined;
      await deps.commit(c, [
        deps.store.putAttempt(c.run.id, w.attempt),
        ...transitionOps(deps.store, c.run, "completed", {
          type: "run_completed",
          cause: outcome ? `${d.cause}; ${outcome.cause}` : d.cause,
          evidence: outcome
            ? { ...d.evidence, detail: { ...d.evidence.detail, graph: outcome.detail } }
            : d.evidence,
          at: c.now,
          attempt: w.attempt.index
        })
      ]);
      return;
    }
    case "attention":
      return attention(deps, c, w, d);
    case "recover":
      return recover(deps, c, w, d);
  }
}

/** Ends the attempt's record once its job has left Slurm (or Slurm forgot it). */
function endIfGone(c: RunCycle, w: Watched): void {
  if (w.job && jobAlive(w.job.state)) return;
  w.attempt.phase = "ended";
  w.attempt.endedAt = new Date(c.now).toISOString();
  w.attempt.endState = w.job?.state ?? "GONE";
}

async function note(
  deps: LoopDeps,
  c: RunCycle,
  w: Watched,
  d: Extract<Decision, { kind: "note" }>
): Promise<void> {
  const { run, now } = c;
  const { attempt, job } = w;
  const restart = d.evidence.detail?.["restart"];
  const noteKey = `${d.note}:${attempt.index}:${job?.restarts ?? 0}:${String(d.evidence.detail?.["onsetStep"] ?? "")}${restart !== undefined ? `:restart=${String(restart)}` : ""}`;
  if (run.noted.includes(noteKey)) {
    clearAfterNote(d.note, w);
    return;
  }
  run.noted.push(noteKey);
  const ops: Op[] = await deps.store.blameOps(
    run.id,
    d.blame,
    d.cause,
    run.resilience.bad_node_expiry_h,
    now
  );
  const event = { cause: d.cause, evidence: d.evidence, at: now, attempt: attempt.index };
  ops.push(...noteOps(deps.store, run, { type: d.note, ...event }));
  await deps.commit(c, ops);
  clearAfterNote(d.note, w);
}

/**
 * A recovered spike is over, a watched one (a notice, or an alarm with the spike policy off) has been
 * said, and an in-job restart is recorded: none may stay in the observations, where it would answer
 * every later cycle first.
 */
function clearAfterNote(note: NoteKind, w: Watched): void {
  switch (note) {
    case "spike_recovered":
    case "spike_watch":
      w.clearAlarm();
      return;
    case "in_job_restart":
      w.clearRestart();
      return;
  }
}

/** Stops the run for a human: recorded first, then the job (if the decision says so) is cancelled. */
async function attention(
  deps: LoopDeps,
  c: RunCycle,
  w: Watched,
  d: { cause: string; evidence: Evidence; cancel: boolean }
): Promise<void> {
  const { attempt, job } = w;
  if (d.cancel && job && jobAlive(job.state)) attempt.cancelRequested = true;
  endIfGone(c, w);
  c.run.attention = d.cause;
  await deps.commit(c, [
    deps.store.putAttempt(c.run.id, attempt),
    ...transitionOps(deps.store, c.run, "needs_attention", {
      type: "needs_attention",
      cause: d.cause,
      evidence: d.evidence,
      at: c.now,
      attempt: attempt.index
    })
  ]);
  if (attempt.cancelRequested && job) await c.cluster.slurm.cancel(job.jobId);
}

/** Writes the next attempt's intent with the decision; submits it at once when the old job has already ended. */
async function recover(deps: LoopDeps, c: RunCycle, w: Watched, d: Recovery): Promise<void> {
  const { run, now } = c;
  const { attempt, job } = w;
  let next: Attempt;
  try {
    next = nextAttempt(run, attempt, d.next, d.class, now);
  } catch (e) {
    const msg = e instanceof NeoxctlError ? e.message : String(e);
    return attention(deps, c, w, {
      cause: `${d.cause}; but the planner refused the new attempt: ${msg}`,
      evidence: { ...d.evidence, detail: { error: e instanceof NeoxctlError ? e.toJSON() : msg } },
      cancel: d.cancel
    });
  }
  const ended = job ? !jobAlive(job.state) : true;
  if (d.cancel && job && jobAlive(job.state)) attempt.cancelRequested = true;
  endIfGone(c, w);
  run.params = d.next;
  run.attempts = next.index;
  if (d.class !== "planned") run.budgetsUsed[d.class] += 1;
  run.crashLoop = d.crashLoop;
  if (d.rollback) {
    run.rollbacks.push({ attempt: attempt.index, ...d.rollback });
    run.abandoned.push({ step: d.rollback.toStep, since: now });
  }
  const ops: Op[] = [
    ...(await deps.store.blameOps(run.id, d.blame, d.cause, run.resilience.bad_node_expiry_h, now)),
    deps.store.putAttempt(run.id, attempt),
    deps.store.putAttempt(run.id, next)
  ];
  const evidence: Evidence = {
    ...d.evidence,
    configDiff: next.diff,
    detail: {
      ...d.evidence.detail,
      class: d.class,
      nextAttempt: next.index,
      budgetsUsed: { ...run.budgetsUsed },
      tradeoffs: d.tradeoffs
    }
  };
  ops.push(
    ...transitionOps(deps.store, run, "recovering", {
      type: recoveryEvent(d),
      cause: d.cause,
      evidence,
      at: now,
      attempt: attempt.index
    })
  );
  await deps.commit(c, ops);
  // The old job has already ended (NODE_FAIL, TIMEOUT, FAILED, gone…), so nothing can overlap with
  // its successor: submit now rather than one poll interval later. The decision is committed
  // first, and submitPending adopts a job a crash leaves behind after sbatch, as on a later cycle.
  if (ended) return submitPending(deps, c, next);
  // a job still alive is cancelled; its successor waits for a poll that shows it gone
  if (attempt.cancelRequested && job) await c.cluster.slurm.cancel(job.jobId);
}

/** The event recording a recovery; a spike's recovery is always a rollback. */
function recoveryEvent(d: Recovery): EventType {
  if (d.rollback) return "rollback";
  switch (d.class) {
    case "planned":
      return "planned_continuation";
    case "node":
      return "recover_node";
    case "timeout":
      return "recover_timeout";
    case "app":
      return "recover_app";
    case "hang":
      return "recover_hang";
    case "spike":
      return "rollback";
  }
}
