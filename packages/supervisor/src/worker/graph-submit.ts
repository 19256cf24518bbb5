import { SlurmError } from "@neoxctl/core";
import type { GraphStep } from "@neoxctl/core";
import type { Evidence, Run } from "../model.ts";
import { STEP_JOB_ATTEMPT } from "../ports.ts";
import type { Op } from "../store/run-store.ts";
import type { GraphRun, StepRecordState, StepSubmission } from "../graph/graph-state.ts";
import { taskKey } from "../graph/graph-view.ts";
import type { StepSubmit } from "../policy/graph-decide.ts";
import type { StepAttention } from "../policy/graph-decide.ts";
import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { newSubmissionNonce, ownSubmission } from "./own-submission.ts";
import { noteOps } from "./transition.ts";

/**
 * A graph step's sbatch is recorded before it is sent, as a training attempt's is: the step state
 * gets a StepSubmission with a fresh nonce, committed, then sbatch carries the nonce in the job's
 * comment tag, then the job id replaces the submission in the record. A supervisor killed anywhere
 * in between finds, on restart, the submission still recorded: the job with its nonce is adopted
 * (`ownSubmission`, the training attempts' rule), or, when Slurm has none, the submission is sent
 * then. A job of an earlier run under the same run id, or of another submission, never matches.
 */

/** `--output` of a step's tasks (%A/%a for arrays, %j otherwise). */
export function stepLogPattern(run: Pick<Run, "runDir">, def: GraphStep): string {
  return `${run.runDir}/logs/steps/${def.id}-${def.array ? "%A_%a" : "%j"}.out`;
}

/** The submission graphDecide asked for, with the nonce its job will carry. */
export function recordSubmission(st: StepRecordState, s: StepSubmit): StepSubmission {
  const sub: StepSubmission = {
    nonce: newSubmissionNonce(),
    tasks: s.tasks,
    afterOk: s.afterOk,
    exclude: s.exclude,
    retry: s.retry,
    cause: s.cause
  };
  st.submitting.push(sub);
  return sub;
}

/** sbatch one recorded submission. */
export async function sendSubmission(
  c: RunCycle,
  def: GraphStep,
  sub: StepSubmission,
  afterOk: readonly string[] = sub.afterOk
): Promise<string> {
  const { run } = c;
  await c.cluster.exec.run(["mkdir", "-p", `${run.runDir}/logs/steps`]);
  return c.cluster.slurm.submitStep({
    scriptPath: `${run.runDir}/${def.script ?? ""}`,
    cwd: run.runDir,
    runId: run.id,
    ...(def.array ? { tasks: sub.tasks, maxConcurrent: def.array.maxConcurrent } : {}),
    afterOk,
    exclude: sub.exclude,
    partition: def.partition,
    output: stepLogPattern(run, def),
    nonce: sub.nonce
  });
}

/** The submission's job is known: its tasks are queued under it and the step_submitted/retried event is recorded. */
export function jobRecorded(
  deps: LoopDeps,
  c: RunCycle,
  def: GraphStep,
  sub: StepSubmission,
  jobId: string,
  evidence: Evidence,
  after?: "adopted" | "sent"
): Op[] {
  const st = c.run.graph!.steps.find((x) => x.id === def.id)!;
  st.submitting = st.submitting.filter((x) => x.nonce !== sub.nonce);
  st.jobIds.push(jobId);
  for (const t of st.tasks) if (sub.tasks.includes(t.index)) Object.assign(t, { jobId, state: "queued" });
  if (st.state === "pending") st.state = "submitted";
  const keys = sub.tasks.map((i) => taskKey(def, jobId, i));
  const how =
    after === "adopted"
      ? "; adopted after a supervisor restart (its job carries this submission's nonce)"
      : after === "sent"
        ? "; sent after a supervisor restart (no job carried this submission's nonce)"
        : "";
  return noteOps(deps.store, c.run, {
    type: sub.retry ? "step_retried" : "step_submitted",
    cause: `${sub.cause} as job ${jobId}${how}`,
    evidence: {
      ...evidence,
      jobId,
      detail: {
        ...evidence.detail,
        step: def.id,
        jobs: keys,
        ...(after === "adopted" ? { adoptedAfterRestart: true } : {}),
        ...(after === "sent" ? { sentAfterRestart: true } : {})
      }
    },
    at: c.now
  });
}

/** Why sbatch refused a step, as the run's stop; other errors are the cycle's to report. */
export function refusal(e: unknown, step: string): StepAttention | undefined {
  if (!(e instanceof SlurmError) || e.code !== "SLURM_REJECTED") return undefined;
  return {
    step,
    cause: `sbatch refused step ${step}: ${e.message}`,
    evidence: { detail: { step, ...(e.details as Record<string, unknown>) } }
  };
}

/**
 * After a crash: every submission still recorded is resolved before anything else is decided: its
 * job adopted by nonce, or sent now. Upstream jobs that have completed since are dropped from its
 * `afterok` (Slurm may have forgotten them, and they no longer hold anything back).
 */
export async function settleSubmissions(
  deps: LoopDeps,
  c: RunCycle,
  g: GraphRun
): Promise<{ ops: Op[]; refused?: StepAttention }> {
  const open = g.steps.flatMap((st) => st.submitting.map((sub) => ({ st, sub })));
  const out: { ops: Op[]; refused?: StepAttention } = { ops: [] };
  if (open.length === 0) return out;
  const jobs = await c.cluster.slurm.findSubmissions(c.run.id);
  for (const { st, sub } of open) {
    const def = g.graph.steps.find((s) => s.id === st.id)!;
    const evidence: Evidence = {
      detail: { tasks: sub.tasks, afterOk: sub.afterOk, exclude: sub.exclude }
    };
    const found = ownSubmission(jobs, { attempt: STEP_JOB_ATTEMPT, nonce: sub.nonce });
    if (found) {
      out.ops.push(...jobRecorded(deps, c, def, sub, found.jobId, evidence, "adopted"));
      continue;
    }
    let jobId: string;
    try {
      jobId = await sendSubmission(c, def, sub, await stillRunning(c, sub.afterOk));
    } catch (e) {
      const refused = refusal(e, def.id);
      if (!refused) throw e;
      return { ...out, refused };
    }
    out.ops.push(...jobRecorded(deps, c, def, sub, jobId, evidence, "sent"));
  }
  return out;
}

/** The jobs among `ids` with a task not yet COMPLETED (an `afterok` on them still means something). */
async function stillRunning(c: RunCycle, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const views = [...(await c.cluster.slurm.stepTasks(ids)).values()];
  return ids.filter((id) => {
    const mine = views.filter((v) => v.key === id || v.key.startsWith(`${id}_`));
    return mine.length === 0 || mine.some((v) => v.state !== "COMPLETED");
  });
}
