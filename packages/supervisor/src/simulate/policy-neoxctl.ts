import { planExit } from "../chain/exit-plan.ts";
import { decide } from "../policy/decide.ts";
import type { DecisionContext } from "../policy/context.ts";
import type { Decision } from "../policy/decision.ts";
import type { JobViewState, JobView } from "../ports.ts";
import { emptyObservations } from "../ports.ts";
import type { AttemptParams } from "../model.ts";
import type { AttemptPlan, Ending, Watch } from "./attempt.ts";
import { runAttempt } from "./attempt.ts";
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
        const chained = d.class === "planned" && r.resilience.chain_continuations;
        // a job that ended by itself is seen at the next poll; a chained continuation needs no poll
        if (!d.cancel && !chained) st.wait("detection", e.cause, r.poll_s / 2);
        const from = d.next.load.kind === "resume" ? (d.next.load.iteration ?? st.newest() ?? 0) : 0;
        const cause: LossCause = d.class === "planned" ? "planned" : e.cause;
        plan = { from, exitAt: exitAt(st, from), nodes: jobNodes(st), cause, queueS: chained ? 0 : queue() };
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
