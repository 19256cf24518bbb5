import type { GraphStep, StepVerification } from "@neoxctl/core";
import type { Evidence } from "../model.ts";
import type { StepTaskView } from "../ports.ts";
import type { GraphRun, StepRecordState, TaskRecord } from "../graph/graph-state.ts";
import { selectionOf } from "../graph/graph-state.ts";
import { selectionFlag, taskKey, topoOrder } from "../graph/graph-view.ts";

/**
 * The graph policy: pure, like decide(). From the graph's recorded state, what Slurm says of each
 * submitted task and the records read back this cycle, it says which steps are skipped, submitted,
 * retried, done, or stop the run for a human, and whether training may start.
 */

/** One array task (or a non-array step's job) as Slurm reports it. */
export type TaskView = StepTaskView;

export interface GraphContext {
  g: GraphRun;
  /** this cycle's view of the run's step tasks; a task Slurm (accounting) does not show yet is absent */
  tasks: ReadonlyMap<string, TaskView>;
  /** records checked this cycle (`recordsToCheck`), keyed `<step>#<task>` */
  records: ReadonlyMap<string, StepVerification>;
  /** DOWN/DRAINED nodes now */
  down: readonly string[];
}

export interface StepSubmit {
  step: string;
  tasks: number[];
  /** upstream jobs still queued or running: `--dependency=afterok:<ids>` */
  afterOk: string[];
  exclude: string[];
  /** a retry of failed tasks (event step_retried) rather than the step's first submission */
  retry: boolean;
  cause: string;
  evidence: Evidence;
}

export interface StepNote {
  type: "step_skipped" | "step_completed";
  step: string;
  cause: string;
  evidence: Evidence;
}

export interface StepAttention {
  step: string;
  cause: string;
  evidence: Evidence;
  /** the failed task's log (`<step>-<key>.out`), whose last lines the worker adds as evidence */
  logKey?: string;
}

export interface GraphDecision {
  /** the graph's new step states (the worker commits them with the events) */
  steps: StepRecordState[];
  notes: StepNote[];
  submits: StepSubmit[];
  /** jobs to cancel (dependents of a retried step, or everything when the run stops) */
  cancel: string[];
  attention?: StepAttention;
  /** the train step's dependencies are done and verified */
  startTrain: boolean;
  /** every step done or skipped */
  finished: boolean;
}

const recKey = (step: string, task: number): string => `${step}#${task}`;

function alive(t: TaskRecord): boolean {
  return t.state === "queued" || t.state === "running";
}

/** Done, skipped on its records, or outside the selection: nothing more will happen to it. */
function settled(s: StepRecordState): boolean {
  return s.state === "done" || s.state === "skipped" || s.state === "not_selected";
}

/** Which records the worker must read this cycle before asking graphDecide. */
export function recordsToCheck(
  g: GraphRun,
  tasks: ReadonlyMap<string, TaskView>
): { step: string; task: number }[] {
  const out: { step: string; task: number }[] = [];
  const byId = new Map(g.steps.map((s) => [s.id, s]));
  for (const def of g.graph.steps) {
    const st = byId.get(def.id);
    if (!st) continue;
    if (st.state === "pending" && mayReuse(g, def, st, byId)) {
      for (const t of st.tasks) out.push({ step: def.id, task: t.index });
      continue;
    }
    if (st.state !== "submitted" && st.state !== "running") continue;
    for (const t of st.tasks) {
      if (!alive(t) || !t.jobId) continue;
      if (tasks.get(taskKey(def, t.jobId, t.index))?.state === "COMPLETED")
        out.push({ step: def.id, task: t.index });
    }
  }
  return out;
}

/**
 * A pending step may be skipped on its records when nothing upstream ran in this run and no one
 * asked to rerun it. With a selection, a pending step outside it is one the selected steps need:
 * it is never run, so its records must verify.
 */
function mayReuse(
  g: GraphRun,
  def: GraphStep,
  st: StepRecordState,
  byId: ReadonlyMap<string, StepRecordState>
): boolean {
  if (def.kind === "train") return false;
  if (selectionFlag(g) !== undefined && !st.rerun) return true;
  return !st.rerun && def.dependsOn.every((d) => byId.get(d)?.state === "skipped");
}

/** The graph's next moves. Never mutates `ctx`. */
export function graphDecide(ctx: GraphContext): GraphDecision {
  const steps: StepRecordState[] = structuredClone(ctx.g.steps);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const d: GraphDecision = { steps, notes: [], submits: [], cancel: [], startTrain: false, finished: false };
  const defs = topoOrder(ctx.g.graph);

  // first what Slurm and the records say of the tasks in flight
  for (const def of defs) {
    const st = byId.get(def.id)!;
    if (st.state !== "submitted" && st.state !== "running") continue;
    const stop = observeStep(ctx, def, st, d);
    if (stop) return stopRun(ctx, defs, byId, d, stop);
  }
  // then what may move on
  for (const def of defs) {
    const st = byId.get(def.id)!;
    if (st.state !== "pending") continue;
    if (def.kind === "train") {
      if (def.dependsOn.every((x) => settled(byId.get(x)!))) d.startTrain = true;
      continue;
    }
    if (mayReuse(ctx.g, def, st, byId)) {
      const checks = st.tasks.map((t) => ctx.records.get(recKey(def.id, t.index)));
      // its records are read next cycle (recordsToCheck), before anything is decided
      if (checks.some((c) => c === undefined)) continue;
      if (checks.every((c) => c?.ok)) {
        st.state = "skipped";
        for (const t of st.tasks) t.state = "done";
        d.notes.push({
          type: "step_skipped",
          step: def.id,
          cause: `step ${def.id}: its ${st.tasks.length === 1 ? "record exists" : `${st.tasks.length} records exist`} and verify`,
          evidence: { detail: { step: def.id, records: st.tasks.length } }
        });
        continue;
      }
      const flag = selectionFlag(ctx.g);
      if (flag !== undefined && !st.rerun) {
        const problems = checks.flatMap((c) => c?.problems ?? [`step ${def.id}: record not read`]);
        return stopRun(ctx, defs, byId, d, {
          step: def.id,
          cause: `step ${def.id} is needed by ${flag} but is not selected, and its outputs do not verify: ${problems[0] ?? "?"}`,
          evidence: { detail: { step: def.id, problems } }
        });
      }
      // tasks whose records verify are kept; the others run
      checks.forEach((c, i) => {
        if (c?.ok) st.tasks[i]!.state = "done";
      });
    }
    const deps = def.dependsOn.map((x) => byId.get(x)!);
    if (deps.some((x) => !settled(x) && !inFlightClean(x))) continue;
    // training has no job ids here, and what follows it waits for its checkpoints
    if (def.dependsOn.some((x) => defs.find((s) => s.id === x)?.kind === "train") && !deps.every(settled))
      continue;
    const todo = st.tasks.filter((t) => t.state === "pending");
    if (todo.length === 0) {
      st.state = "done";
      continue;
    }
    const afterOk = [...new Set(deps.flatMap((x) => x.tasks.filter(alive).map((t) => t.jobId!)))];
    for (const t of todo) t.attempts += 1;
    d.submits.push({
      step: def.id,
      tasks: todo.map((t) => t.index),
      afterOk,
      exclude: [],
      retry: false,
      cause:
        `step ${def.id} (${def.kind}) submitted` +
        (def.array
          ? ` as an array of ${todo.length} task(s), at most ${def.array.maxConcurrent} at once`
          : "") +
        (afterOk.length ? ` after job(s) ${afterOk.join(",")} succeed` : ""),
      evidence: { detail: { step: def.id, tasks: todo.map((t) => t.index), afterOk } }
    });
    // the worker sets jobId and `queued` once sbatch answers
  }
  d.finished = steps.every(settled);
  return d;
}

/** A step being executed whose tasks are all alive or done: dependents may queue behind it with afterok. */
function inFlightClean(s: StepRecordState): boolean {
  return (
    (s.state === "submitted" || s.state === "running") &&
    s.tasks.every((t) => t.state === "done" || (alive(t) && !s.brokenJobs.includes(t.jobId ?? ""))) &&
    s.tasks.some(alive)
  );
}

/** Updates one executing step from Slurm and its records; returns a reason to stop the run, if any. */
function observeStep(
  ctx: GraphContext,
  def: GraphStep,
  st: StepRecordState,
  d: GraphDecision
): StepAttention | undefined {
  const retries: { task: TaskRecord; why: string; exclude: string[]; nodes: string[] }[] = [];
  for (const t of st.tasks) {
    if (!alive(t) || !t.jobId) continue;
    const key = taskKey(def, t.jobId, t.index);
    const v = ctx.tasks.get(key);
    if (!v) continue;
    if (v.nodes.length) t.nodes = v.nodes;
    switch (v.state) {
      case "PENDING":
      case "REQUEUED":
      case "UNKNOWN":
        break;
      case "RUNNING":
      case "COMPLETING":
        t.state = "running";
        break;
      case "COMPLETED": {
        const check = ctx.records.get(recKey(def.id, t.index));
        if (!check) break; // read next cycle
        t.endState = v.state;
        if (check.ok) {
          t.state = "done";
          break;
        }
        t.state = "failed";
        return {
          step: def.id,
          cause: `step ${def.id}${def.array ? ` task ${t.index}` : ""} (job ${key}) exited 0 but its outputs do not verify: ${check.problems[0] ?? "?"}`,
          evidence: {
            jobId: key,
            slurmState: v.state,
            detail: { step: def.id, task: t.index, problems: check.problems }
          },
          logKey: key
        };
      }
      case "NODE_FAIL":
      case "TIMEOUT":
      case "PREEMPTED":
      case "FAILED":
      case "OUT_OF_MEMORY":
      case "CANCELLED": {
        t.endState = v.state;
        t.state = "failed";
        if (!st.brokenJobs.includes(t.jobId)) st.brokenJobs.push(t.jobId);
        const downHere = v.nodes.filter((n) => ctx.down.includes(n));
        const nodeFault = v.state === "NODE_FAIL" || (v.state !== "OUT_OF_MEMORY" && downHere.length > 0);
        const retryable = nodeFault || v.state === "TIMEOUT" || v.state === "PREEMPTED";
        const evidence: Evidence = {
          jobId: key,
          slurmState: v.state,
          nodes: v.nodes,
          detail: {
            step: def.id,
            task: t.index,
            attempts: t.attempts,
            maxAttempts: def.retry.maxAttempts,
            ...(v.exitCode !== undefined && v.exitCode !== null ? { exitCode: v.exitCode } : {})
          }
        };
        if (!retryable)
          return {
            step: def.id,
            cause: `step ${def.id}${def.array ? ` task ${t.index}` : ""} (job ${key}) ended ${v.state}${v.exitCode ? ` with exit code ${v.exitCode}` : ""}: a retry would not fix it`,
            evidence,
            logKey: key
          };
        if (t.attempts >= def.retry.maxAttempts)
          return {
            step: def.id,
            cause: `step ${def.id}${def.array ? ` task ${t.index}` : ""} (job ${key}) ended ${v.state} and its retry budget is spent (${t.attempts}/${def.retry.maxAttempts})`,
            evidence,
            logKey: key
          };
        const exclude = nodeFault ? (downHere.length ? downHere : v.nodes) : [];
        retries.push({
          task: t,
          why: nodeFault ? `node failure on ${exclude.join(",") || "?"}` : v.state.toLowerCase(),
          exclude,
          nodes: v.nodes
        });
        break;
      }
    }
  }
  for (const r of retries) {
    r.task.excludeNodes = [...new Set([...r.task.excludeNodes, ...r.exclude])].sort();
    r.task.attempts += 1;
    r.task.state = "pending";
    delete r.task.nodes;
    d.submits.push({
      step: def.id,
      tasks: [r.task.index],
      afterOk: [],
      exclude: r.task.excludeNodes,
      retry: true,
      cause: `step ${def.id}${def.array ? ` task ${r.task.index}` : ""} retried (${r.why}), attempt ${r.task.attempts} of ${def.retry.maxAttempts}${r.task.excludeNodes.length ? `, excluding ${r.task.excludeNodes.join(",")}` : ""}`,
      evidence: {
        slurmState: r.task.endState,
        nodes: r.nodes,
        detail: { step: def.id, task: r.task.index, attempt: r.task.attempts, exclude: r.task.excludeNodes }
      }
    });
  }
  if (retries.length) resetDependents(ctx, def.id, d);
  if (st.tasks.every((t) => t.state === "done")) {
    st.state = "done";
    d.notes.push({
      type: "step_completed",
      step: def.id,
      cause: `step ${def.id} done: ${st.tasks.length === 1 ? "its record verifies" : `all ${st.tasks.length} task records verify`}`,
      evidence: { detail: { step: def.id, tasks: st.tasks.length, jobIds: st.jobIds } }
    });
    markRerun(ctx, def.id, d);
  } else if (st.tasks.some((t) => t.state === "running" || t.state === "done")) st.state = "running";
  return undefined;
}

/** Dependents queued with afterok on a step that now needs a retry can never start: cancel and requeue them later. */
function resetDependents(ctx: GraphContext, id: string, d: GraphDecision): void {
  for (const def of ctx.g.graph.steps) {
    if (!def.dependsOn.includes(id)) continue;
    const st = d.steps.find((s) => s.id === def.id)!;
    if (st.state !== "submitted") continue;
    for (const t of st.tasks) {
      if (!alive(t)) continue;
      if (t.jobId && !d.cancel.includes(t.jobId)) d.cancel.push(t.jobId);
      t.state = "pending";
      t.attempts = Math.max(0, t.attempts - 1);
    }
    st.state = "pending";
    resetDependents(ctx, def.id, d);
  }
}

/** A step that ran changed its outputs: whatever reads them runs too, whatever their records say. */
function markRerun(ctx: GraphContext, id: string, d: GraphDecision): void {
  for (const def of ctx.g.graph.steps) {
    if (!def.dependsOn.includes(id)) continue;
    const st = d.steps.find((s) => s.id === def.id)!;
    if (!st.rerun) {
      st.rerun = true;
      markRerun(ctx, def.id, d);
    }
  }
}

/** Stops the run for a human: the failing step waits, every job still queued or running is cancelled. */
function stopRun(
  ctx: GraphContext,
  defs: readonly GraphStep[],
  byId: ReadonlyMap<string, StepRecordState>,
  d: GraphDecision,
  why: StepAttention
): GraphDecision {
  for (const def of defs) {
    const st = byId.get(def.id)!;
    if (def.id === why.step) {
      st.state = "needs_attention";
      st.attention = why.cause;
    }
    for (const t of st.tasks) {
      if (!alive(t)) continue;
      if (t.jobId && !d.cancel.includes(t.jobId)) d.cancel.push(t.jobId);
      t.state = "pending";
    }
    if ((st.state === "submitted" || st.state === "running") && def.kind !== "train") st.state = "pending";
  }
  return { ...d, submits: [], startTrain: false, finished: false, attention: why };
}

/**
 * After a human resumes: steps that stopped the run go back to pending, their unfinished tasks run
 * again. A step outside the selection that stopped it (its records did not verify) is checked again,
 * never run.
 */
export function resumeGraph(g: GraphRun): { g: GraphRun; reset: string[] } {
  const next = structuredClone(g);
  const reset: string[] = [];
  const chosen = selectionOf(g.graph, {
    ...(g.only ? { only: g.only } : {}),
    ...(g.from ? { from: g.from } : {})
  });
  for (const st of next.steps) {
    if (st.state !== "needs_attention" && st.state !== "failed") continue;
    st.state = "pending";
    st.rerun = chosen === undefined || chosen.runs.has(st.id);
    delete st.attention;
    for (const t of st.tasks)
      if (t.state !== "done") {
        t.state = "pending";
        t.attempts = 0;
      }
    reset.push(st.id);
  }
  return { g: next, reset };
}

/** The key of a task's record check in GraphContext.records. */
export { recKey as recordKey };
