import type { Attempt, Run } from "../model.ts";
import type { PlanMemory } from "../policy/context.ts";
import { planFiguresOf } from "../adapters/plan-figures.ts";
import type { JobView } from "../ports.ts";
import { decide } from "../policy/decide.ts";
import type { Decision } from "../policy/decision.ts";
import { timelineCheckpoints } from "../adapters/checkpoints.ts";
import type { AttemptObserver } from "../observe/attempt-observer.ts";
import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { jobAlive } from "./job-liveness.ts";
import { ranUnseen } from "./ran-unseen.ts";
import { transitionOps } from "./transition.ts";
import { act } from "./act.ts";
import type { Finding } from "../guard/throughput.ts";
import { feedGuard, runGuard } from "./guard-step.ts";
import { checkNetwork } from "./network-step.ts";

/**
 * The submitted attempt's cycle: observe (its log and job) → decide (the pure policy) → act (carry
 * the decision out and commit it) → keep the chain's continuation in step with the decision.
 */
export async function watch(deps: LoopDeps, c: RunCycle, attempt: Attempt): Promise<void> {
  const job = c.jobs.get(attempt.jobId!);
  const fed: Finding[] = [];
  const o = await observe(deps, c, attempt, job, fed);
  await checkNetwork(deps, c, attempt, o);
  const d = await decideFor(deps, c, attempt, job, o);
  await act(
    deps,
    c,
    {
      attempt,
      job,
      clearAlarm: () => {
        o.obs.alarm = undefined;
      },
      clearRestart: () => {
        delete o.obs.unnotedRestart;
      }
    },
    d
  );
  await runGuard(deps, c, attempt, job, d, fed);
  await deps.chain.ensureQueued(c, attempt, job, d);
  await deps.chain.afterDecision(c, d);
}

/** Reads the attempt's new log lines (stored with their offset) and records the job's start once seen. */
async function observe(
  deps: LoopDeps,
  c: RunCycle,
  attempt: Attempt,
  job: JobView | undefined,
  fed: Finding[]
): Promise<AttemptObserver> {
  const { run, now } = c;
  const key = `${run.id}:${attempt.index}:${job?.restarts ?? attempt.restartsSeen}`;
  const o = await deps.logs.observe({
    exec: c.cluster.exec,
    key,
    path: attempt.logPath,
    resilience: run.resilience,
    attempt: attempt.index,
    emitFrom: attempt.logOffset,
    now
  });
  if (o.pending.length) {
    // points and the offset that covers them land together: a restart neither loses nor repeats them
    const points = o.pending.splice(0);
    fed.push(...feedGuard(deps, c, attempt, run.params.excludeNodes, points));
    attempt.logOffset = o.parsedOffset;
    await deps.store.commit(c.lease, [
      ...deps.series.appendOps(run.id, points),
      deps.store.putAttempt(run.id, attempt)
    ]);
  }
  if (job?.state === "RUNNING") {
    if (!deps.runningSince.has(key)) deps.runningSince.set(key, now);
    if (run.state === "queued" && job.restarts === attempt.restartsSeen) {
      attempt.nodes = job.nodes;
      await deps.commit(
        c,
        transitionOps(deps.store, run, "running", {
          type: "job_started",
          cause: `job ${job.jobId} running on ${job.nodes.join(",")}`,
          evidence: { jobId: job.jobId, nodes: job.nodes, slurmState: job.state },
          at: now,
          attempt: attempt.index
        }).concat(deps.store.putAttempt(run.id, attempt))
      );
    }
    o.checkHang(now, deps.runningSince.get(key));
  } else {
    o.obs.hang = false;
    if (job && !jobAlive(job.state)) o.settle();
    if (
      run.state === "queued" &&
      (job?.restarts ?? attempt.restartsSeen) === attempt.restartsSeen &&
      ranUnseen(job, o.obs)
    ) {
      const nodes = job?.nodes.length ? job.nodes : (attempt.nodes ?? []);
      attempt.nodes = nodes;
      await deps.commit(
        c,
        transitionOps(deps.store, run, "running", {
          type: "job_started",
          cause: `job ${attempt.jobId} ran on ${nodes.join(",") || "unknown nodes"} between two polls (first seen ${job?.state ?? "gone from Slurm"})`,
          evidence: {
            jobId: attempt.jobId!,
            nodes,
            slurmState: job?.state ?? "GONE",
            detail: { seenAfterStart: true }
          },
          at: now,
          attempt: attempt.index
        }).concat(deps.store.putAttempt(run.id, attempt))
      );
    }
  }
  return o;
}

/** Gathers the decision context (checkpoints on the current timeline, live bad nodes) and asks the policy. */
async function decideFor(
  deps: LoopDeps,
  c: RunCycle,
  attempt: Attempt,
  job: JobView | undefined,
  o: AttemptObserver
): Promise<Decision> {
  const { run } = c;
  const checkpoints = await timelineCheckpoints(c.cluster.exec, run);
  // a requeued job shows no nodes while pending: judge it by where it last ran
  const ran = job?.nodes.length ? job.nodes : (attempt.nodes ?? []);
  return decide({
    run,
    attempt,
    job,
    downNodes: c.down.filter((n) => ran.includes(n)),
    obs: o.obs,
    checkpoints,
    badNodes: (await deps.store.badNodes(run.id, c.now)).map((b) => b.node),
    expectsCheckpoint: attempt.params.load.kind === "resume" || run.initFromCheckpoint,
    ...planMemoryOf(run)
  });
}

/** The plan's memory figures for an out-of-memory's evidence (planned once per run, then cached). */
function planMemoryOf(run: Run): { planMemory?: PlanMemory } {
  const m = planFiguresOf(run)?.memory;
  return m
    ? {
        planMemory: {
          parametersPerDevice: m.parametersPerDevice,
          zeroStage: m.zeroStage,
          modelStateBytes: m.modelStateBytes
        }
      }
    : {};
}
