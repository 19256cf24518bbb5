import type { Attempt } from "../model.ts";
import type { JobView } from "../ports.ts";
import type { Decision } from "../policy/decision.ts";
import type { StepPoint } from "../store/series-store.ts";
import type { Finding, TimedSample } from "../guard/throughput.ts";
import { ThroughputGuard } from "../guard/throughput.ts";
import type { Op } from "../store/run-store.ts";
import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { noteOps } from "./transition.ts";

function guardOf(deps: LoopDeps, runId: string): ThroughputGuard {
  let g = deps.guards.get(runId);
  if (!g) deps.guards.set(runId, (g = new ThroughputGuard()));
  return g;
}

/** Feeds the attempt's newly read windows to the run's throughput guard. */
export function feedGuard(
  deps: LoopDeps,
  c: RunCycle,
  attempt: Attempt,
  excluded: readonly string[],
  points: readonly StepPoint[]
): Finding[] {
  const g = guardOf(deps, c.run.id);
  g.onAttempt(attempt.index, attempt.nodes ?? [], excluded);
  const samples: TimedSample[] = [];
  for (const p of points)
    if (p.stepTimeMs !== undefined && p.time !== undefined)
      samples.push({ step: p.step, ms: p.stepTimeMs, at: Date.parse(p.time) });
  return g.feed(samples, c.run.resilience.slowdown, deps.stepEstimateMs?.(c.run));
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * After the decision of a running attempt: a sustained slowdown is recorded (and alerted) with its
 * evidence, and a node the guard points at is marked suspect (blamed, so a second blame keeps it out).
 */
export async function runGuard(
  deps: LoopDeps,
  c: RunCycle,
  attempt: Attempt,
  job: JobView | undefined,
  d: Decision,
  fed: readonly Finding[]
): Promise<void> {
  if (job?.state !== "RUNNING" || d.kind !== "wait") return;
  const g = guardOf(deps, c.run.id);
  g.onAttempt(attempt.index, job.nodes.length ? job.nodes : (attempt.nodes ?? []), c.run.params.excludeNodes);
  const judged = g.judge(c.now, c.run.resilience.slowdown);
  const findings = judged ? [...fed, judged] : [...fed];
  const ops: Op[] = [];
  for (const f of findings) {
    if (f.kind === "slowdown") {
      const ref =
        f.reference === "baseline"
          ? "the run's recent baseline"
          : "the upper end of the plan's step-time estimate (its pessimistic MFU)";
      ops.push(
        ...noteOps(deps.store, c.run, {
          type: "slowdown",
          cause: `step time ${sec(f.currentMs)} is ${(f.currentMs / f.baselineMs).toFixed(2)}× ${ref} (${sec(f.baselineMs)}) since step ${f.sinceStep} (${new Date(f.since).toISOString()}), attempt ${f.attempt}; a slow node or a network fallback (RCCL over sockets) — \`neoxctl exclude\` a node to restart without it`,
          evidence: {
            nodes: f.nodes,
            ...(attempt.jobId ? { jobId: attempt.jobId } : {}),
            detail: {
              baselineMs: f.baselineMs,
              currentMs: f.currentMs,
              reference: f.reference,
              ...(f.reference === "estimate" ? { estimateMs: f.baselineMs } : {}),
              since: new Date(f.since).toISOString(),
              sinceStep: f.sinceStep,
              attempt: f.attempt,
              factor: c.run.resilience.slowdown.factor,
              windowMin: c.run.resilience.slowdown.window_min
            }
          },
          at: c.now,
          attempt: attempt.index
        })
      );
    } else {
      const cause = `training ran slow from the start of attempt ${f.slowAttempt} on a new node set and is back to its baseline (${sec(f.baselineMs)}) since ${f.nodes.join(",")} was excluded: ${f.nodes.join(",")} suspect`;
      ops.push(
        ...(await deps.store.blameOps(c.run.id, f.nodes, cause, c.run.resilience.bad_node_expiry_h, c.now)),
        ...noteOps(deps.store, c.run, {
          type: "node_suspect",
          cause,
          evidence: { nodes: f.nodes, detail: { slowAttempt: f.slowAttempt, attempt: f.attempt } },
          at: c.now,
          attempt: attempt.index
        })
      );
    }
  }
  if (ops.length) await deps.commit(c, ops);
}
