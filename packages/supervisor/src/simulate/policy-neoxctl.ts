import { planExit } from "../chain/exit-plan.ts";
import { decide } from "../policy/decide.ts";
import type { DecisionContext } from "../policy/context.ts";
import type { Decision } from "../policy/decision.ts";
import type { InJobRestart, JobViewState, JobView } from "../ports.ts";
import { emptyObservations } from "../ports.ts";
import type { AttemptParams } from "../model.ts";
import type { AttemptPlan, Ending, Watch } from "./attempt.ts";
import { runAttempt } from "./attempt.ts";
import { Training } from "./timeline.ts";
import type { LossCause } from "./ledger.ts";
import type { SimState } from "./state.ts";
import { humanRollbackTarget, jobNodes } from "./sim-nodes.ts";

/** Where the supervisor ends an attempt itself (the chaining code's exit plan). */
function exitAt(st: SimState, from: number): number | null {
  const r = st.run;
  return planExit({
    startIteration: from,
    trainIters: r.train_iters,
    checkpointFactor: r.checkpoint_factor,
    limitS: r.limit_s,
    stepS: r.step_s,
    saveS: r.save_s,
    startupS: r.startup_s,
    marginS: r.resilience.exit_margin_min * 60
  }).exitAt;
}

function jobState(e: Ending, target: number): JobViewState {
  switch (e.kind) {
    case "end":
      return "COMPLETED";
    case "limit":
      return "TIMEOUT";
    case "node":
      return "NODE_FAIL";
    case "crash":
      return "FAILED";
    case "hang":
      return "RUNNING";
    case "spike":
      return e.step >= target ? "COMPLETED" : "RUNNING";
  }
}

/** What the worker would hand decide() at this ending: Slurm's view, the log's, the checkpoints. */
function contextFor(st: SimState, p: AttemptPlan, params: AttemptParams, e: Ending): DecisionContext {
  const target = p.exitAt ?? st.run.train_iters;
  const state = jobState(e, target);
  const job: JobView = {
    jobId: String(st.attempts),
    state,
    exitCode: state === "FAILED" ? 1 : state === "COMPLETED" ? 0 : null,
    nodes: [...p.nodes],
    ...(e.kind === "node" && e.node ? { failedNodes: [e.node] } : {}),
    restarts: 0
  };
  const trained = e.step > p.from;
  const obs = {
    ...emptyObservations(),
    ...(trained ? { lastIteration: e.step, firstIteration: p.from + 1 } : {}),
    ...(p.from > 0 ? { resumedFrom: p.from } : {}),
    ...(p.exitAt !== null && e.step >= p.exitAt ? { exitedAt: e.step } : {}),
    hang: e.kind === "hang",
    ...(e.kind === "spike"
      ? {
          alarm: {
            kind: "spike" as const,
            // the simulated spikes are sustained ones: an alarm to act on, in the first pass over the steps
            actionable: true,
            segment: 0,
            onsetStep: e.onset ?? e.step,
            step: e.onset ?? e.step,
            recovered: false,
            lines: []
          }
        }
      : {})
  };
  return {
    run: {
      params: st.params,
      trainIters: st.run.train_iters,
      resilience: st.run.resilience,
      budgetsUsed: st.budgetsUsed,
      rollbacks: st.rollbacks,
      crashLoop: st.crashLoop
    },
    attempt: { index: st.attempts, params, restartsSeen: 0 },
    job,
    downNodes: e.kind === "node" && e.node ? [e.node] : [],
    obs,
    checkpoints: st.ckpts,
    expectsCheckpoint: params.load.kind === "resume",
    badNodes: st.liveBadNodes()
  };
}

/**
 * A node failure in a job with spare nodes: what decide() says while the job still runs (its node
 * DOWN), and, when it leaves the job to its batch script, the restart line it then reads. The
 * restart continues the same job from the newest checkpoint on a spare, with no queue wait; its
 * cost is the new step's startup and the steps since that checkpoint.
 */
function inJobRestart(
  st: SimState,
  p: AttemptPlan,
  params: AttemptParams,
  e: Ending
): AttemptPlan | undefined {
  if (e.kind !== "node" || !e.node || st.run.resilience.spare_nodes === 0) return undefined;
  const base = contextFor(st, p, params, e);
  const earlier = p.inJob?.restarts ?? [];
  const running = (restarts: InJobRestart[], unnoted?: InJobRestart): DecisionContext => ({
    ...base,
    job: { ...base.job!, state: "RUNNING", exitCode: null, failedNodes: [] },
    obs: { ...base.obs, inJobRestarts: restarts, ...(unnoted ? { unnotedRestart: unnoted } : {}) }
  });
  const seen = decide(running(earlier));
  // no spare left, or the cap reached: the job ends and is resubmitted as without spares
  if (seen.kind !== "wait") return undefined;
  const nodes = [...p.nodes.filter((n) => n !== e.node), spareName(st, p)];
  const usedS = (p.inJob?.usedS ?? 0) + e.a;
  const jobFrom = p.inJob?.jobFrom ?? p.from;
  const jobExitAt = p.inJob ? p.inJob.jobExitAt : p.exitAt;
  const saved =
    e.newest > p.from
      ? {
          step: e.newest,
          atS: (p.inJob?.usedS ?? 0) + st.run.startup_s + new Training(st.run, p.from).timeTo(e.newest)
        }
      : (p.inJob?.saved ?? null);
  const restart: InJobRestart = {
    restart: earlier.length + 1,
    max: st.run.resilience.max_in_job_restarts,
    nodes,
    lost: [e.node],
    from: saved ? `checkpoint ${saved.step}` : "the attempt's start",
    line: ""
  };
  const all = [...earlier, restart];
  const d = decide(running(all, restart));
  if (d.kind !== "note")
    throw new Error(`simulation: decide() answered ${d.kind} to an in-job restart (${d.cause})`);
  for (const n of d.blame) st.blame(n);
  st.inJobRestarts += 1;
  return {
    // as the batch script does: this job's newest checkpoint, else where the attempt started
    from: saved?.step ?? jobFrom,
    exitAt: saved ? movedExit(jobExitAt, jobFrom, saved, usedS, st.run.checkpoint_factor) : jobExitAt,
    nodes,
    cause: "node",
    queueS: 0,
    inJob: { usedS, restarts: all, jobFrom, jobExitAt, saved }
  };
}

/** The batch script's neoxctl_exit_after: the planned exit moved earlier by the steps since the checkpoint. */
function movedExit(
  exitAt: number | null,
  from: number,
  saved: { step: number; atS: number },
  nowS: number,
  factor: number
): number | null {
  if (exitAt === null) return null;
  const pace = saved.step > from && saved.atS > 0 ? (saved.step - from) / saved.atS : 1;
  const e = Math.floor((exitAt - Math.ceil((nowS - saved.atS) * pace)) / factor) * factor;
  // no time left: the next checkpoint step, as the supervisor's exit plan (the job then mostly hits its limit)
  return e > saved.step ? e : saved.step + factor;
}

/** A name for the spare that takes over: one no launch of this job has used. */
function spareName(st: SimState, p: AttemptPlan): string {
  const used = new Set([...p.nodes, ...(p.inJob?.restarts ?? []).flatMap((r) => r.lost)]);
  for (let i = 0; ; i++) {
    const n = `spare${String(i).padStart(4, "0")}-${st.attempts}`;
    if (!used.has(n)) return n;
  }
}

/**
 * neoxctl: every ending goes through the real `decide()`; its decision is carried out as the worker
 * would (budgets, bad nodes, rollbacks, the chained continuation of a planned exit), and a request
 * for attention waits for the same human as the baselines.
 */
export function playNeoxctl(st: SimState, guard: () => void): void {
  const r = st.run;
  const watch: Watch = {
    hangDelayS: (atStartup) =>
      atStartup
        ? r.resilience.hang.startup_grace_s
        : Math.max(r.resilience.hang.k * r.step_s, r.resilience.hang.floor_s),
    spikeDecisionStep: (onset) => onset + r.resilience.spike.recover_window_steps,
    noticeDelayS: () => st.streams.human.exp(st.model.human_delay_h * 3600)
  };
  const queue = (): number => st.streams.queue.exp(st.model.queue_wait_h * 3600);
  let plan: AttemptPlan = {
    from: 0,
    exitAt: exitAt(st, 0),
    nodes: jobNodes(st),
    cause: "start",
    queueS: queue()
  };
  let params = st.params;
  while (!st.done) {
    guard();
    const e = runAttempt(st, plan, watch);
    const inJob = inJobRestart(st, plan, params, e);
    if (inJob) {
      plan = inJob;
      continue;
    }
    const d: Decision = decide(contextFor(st, plan, params, e));
    switch (d.kind) {
      case "complete":
        st.done = true;
        break;
      case "recover": {
        if (d.class !== "planned") {
          st.budgetsUsed[d.class] += 1;
          st.interruptions += 1;
        }
        for (const n of d.blame) st.blame(n);
        if (d.rollback) {
          st.rollbacks.push({ attempt: st.attempts, ...d.rollback });
          st.spikesDone.add(d.rollback.onsetStep);
          st.rollbackTo(d.rollback.toStep, "spike");
        }
        st.params = d.next;
        st.crashLoop = d.crashLoop;
        // an exit an in-job restart moved earlier: the queued continuation, planned for a start at the
        // old exit, is adopted within half the exit margin (chain/continuation.ts) and trains the extra
        // steps; past that it is replaced by a fresh submission that waits in the queue
        const planned = plan.inJob?.jobExitAt ?? null;
        const moved =
          d.class === "planned" && planned !== null && plan.exitAt !== null ? planned - plan.exitAt : 0;
        const chained =
          d.class === "planned" &&
          r.resilience.chain_continuations &&
          moved * r.step_s <= (r.resilience.exit_margin_min * 60) / 2;
        // a job that ended by itself is seen at the next poll; a chained continuation needs no poll
        if (!d.cancel && !chained) st.wait("detection", e.cause, r.poll_s / 2);
        const from = d.next.load.kind === "resume" ? (d.next.load.iteration ?? st.newest() ?? 0) : 0;
        const cause: LossCause = d.class === "planned" ? "planned" : e.cause;
        const exitFrom = chained && moved > 0 && planned !== null ? planned : from;
        plan = {
          from,
          exitAt: exitAt(st, exitFrom),
          nodes: jobNodes(st),
          cause,
          queueS: chained ? 0 : queue()
        };
        params = d.next;
        break;
      }
      case "attention": {
        st.humanInterventions += 1;
        st.interruptions += 1;
        st.wait("human_wait", e.cause, watch.noticeDelayS());
        const from = e.kind === "spike" ? humanRollbackTarget(st, e.onset ?? e.step) : (st.newest() ?? 0);
        st.params = { ...st.params, load: from > 0 ? { kind: "resume", iteration: from } : { kind: "init" } };
        plan = { from, exitAt: exitAt(st, from), nodes: jobNodes(st), cause: e.cause, queueS: queue() };
        params = st.params;
        break;
      }
      case "wait":
      case "note":
        throw new Error(`simulation: decide() answered ${d.kind} to a ${e.kind} ending (${d.cause})`);
    }
  }
}
