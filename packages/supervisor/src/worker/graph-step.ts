import { recordFiles, recordPathFor, StepRecordSchema, verifyStepOutputs } from "@neoxctl/core";
import type { GraphStep, StepVerification } from "@neoxctl/core";
import type { Executor } from "@neoxctl/exec";
import type { Run } from "../model.ts";
import type { Op } from "../store/run-store.ts";
import type { GraphRun } from "../graph/graph-state.ts";
import { graphOutcome } from "../graph/graph-view.ts";
import { graphDecide, recordKey, recordsToCheck, resumeGraph } from "../policy/graph-decide.ts";
import type { StepAttention } from "../policy/graph-decide.ts";
import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { jobRecorded, recordSubmission, refusal, sendSubmission, settleSubmissions } from "./graph-submit.ts";
import { noteOps, transitionOps } from "./transition.ts";

/** Lines of a failed task's log attached to its step_failed event. */
const EVIDENCE_LINES = 20;

/** Whether this cycle's turn belongs to the graph (steps before training, or after it) rather than the attempts. */
export function graphTurn(run: Run): boolean {
  const g = run.graph;
  if (!g) return false;
  const train = trainOf(g);
  return (
    !train ||
    train.state === "pending" ||
    train.state === "done" ||
    train.state === "skipped" ||
    train.state === "not_selected"
  );
}

function trainOf(g: GraphRun): GraphRun["steps"][number] | undefined {
  const def = g.graph.steps.find((s) => s.kind === "train");
  return def ? g.steps.find((s) => s.id === def.id) : undefined;
}

function stepLogPath(run: Pick<Run, "runDir">, step: string, key: string): string {
  return `${run.runDir}/logs/steps/${step}-${key}.out`;
}

/**
 * The graph's cycle: observe the step tasks in flight (ONE sacct) and the records due → graphDecide
 * → submit, note, cancel, stop. Returns "train" when training may start now (the caller submits the
 * pending attempt in the same cycle).
 */
export async function graphStep(deps: LoopDeps, c: RunCycle): Promise<"train" | "done"> {
  const { run, now } = c;
  let g = run.graph!;
  let ops: Op[] = [];
  if (run.state === "recovering") {
    // a human resumed the run: the steps that stopped it run again
    const r = resumeGraph(g);
    g = r.g;
    run.graph = g;
    if (r.reset.length) ops.push(deps.store.putRun(run));
  }
  // submissions a crash left without their job ids: adopted by nonce or sent, before anything is decided
  const settled = await settleSubmissions(deps, c, g);
  ops.push(...settled.ops);
  if (settled.refused) return stop(deps, c, ops, settled.refused, []);
  const inFlight = [
    ...new Set(
      g.steps.flatMap((s) =>
        s.tasks.filter((t) => (t.state === "queued" || t.state === "running") && t.jobId).map((t) => t.jobId!)
      )
    )
  ];
  const views = inFlight.length ? await c.cluster.slurm.stepTasks(inFlight) : new Map();
  const records = new Map<string, StepVerification>();
  for (const { step, task } of recordsToCheck(g, views)) {
    const def = g.graph.steps.find((s) => s.id === step)!;
    records.set(recordKey(step, task), await checkRecord(c.cluster.exec, def, task));
  }
  const d = graphDecide({ g, tasks: views, records, down: c.down });
  const before = JSON.stringify(g.steps);
  g = { ...g, steps: d.steps };
  run.graph = g;
  const defOf = (id: string): GraphStep => g.graph.steps.find((s) => s.id === id)!;

  for (const n of d.notes)
    ops.push(...noteOps(deps.store, run, { type: n.type, cause: n.cause, evidence: n.evidence, at: now }));

  if (d.attention) return stop(deps, c, ops, d.attention, d.cancel);

  // recorded before any sbatch, so a crash between an sbatch and its job id loses nothing
  const planned = d.submits.map((s) => ({
    s,
    def: defOf(s.step),
    sub: recordSubmission(
      g.steps.find((x) => x.id === s.step)!,
      s
    )
  }));
  if (planned.length) {
    await deps.commit(c, [...ops, deps.store.putRun(run)]);
    ops = [];
  }
  for (const { s, def, sub } of planned) {
    let jobId: string;
    try {
      jobId = await sendSubmission(c, def, sub);
    } catch (e) {
      const refused = refusal(e, s.step);
      if (!refused) throw e;
      return stop(deps, c, ops, refused, d.cancel);
    }
    ops.push(...jobRecorded(deps, c, def, sub, jobId, s.evidence));
  }

  let result: "train" | "done" = "done";
  if (d.startTrain) {
    const train = trainOf(g)!;
    train.state = "running";
    train.tasks = train.tasks.map((t) => ({ ...t, state: "running", attempts: t.attempts + 1 }));
    result = "train";
  }
  if (d.finished) {
    const outcome = graphOutcome(g);
    ops.push(
      ...transitionOps(deps.store, run, "completed", {
        type: "run_completed",
        cause: outcome.cause,
        evidence: { detail: outcome.detail },
        at: now
      })
    );
  } else if (ops.length || JSON.stringify(g.steps) !== before) ops.push(deps.store.putRun(run));
  if (ops.length) await deps.commit(c, ops);
  for (const id of d.cancel) await c.cluster.slurm.cancel(id);
  return result;
}

/** Records why the graph stopped (step_failed → needs_attention), then cancels what is still queued or running. */
async function stop(
  deps: LoopDeps,
  c: RunCycle,
  ops: Op[],
  a: StepAttention,
  cancel: readonly string[]
): Promise<"done"> {
  const { run, now } = c;
  const logLines = a.logKey ? await tail(c.cluster.exec, stepLogPath(run, a.step, a.logKey)) : [];
  const st = run.graph!.steps.find((s) => s.id === a.step);
  if (st) {
    st.state = "needs_attention";
    st.attention = a.cause;
  }
  // nothing recorded is left to be sent after a restart: the run waits for a human
  for (const s of run.graph!.steps) s.submitting = [];
  run.attention = a.cause;
  ops.push(
    ...transitionOps(deps.store, run, "needs_attention", {
      type: "step_failed",
      cause: a.cause,
      evidence: {
        ...a.evidence,
        ...(logLines.length ? { logLines } : {}),
        detail: {
          ...a.evidence.detail,
          ...(a.logKey ? { log: stepLogPath(run, a.step, a.logKey) } : {})
        }
      },
      at: now
    })
  );
  await deps.commit(c, ops);
  for (const id of cancel) await c.cluster.slurm.cancel(id);
  return "done";
}

/** The last lines of a log, or none when it cannot be read. */
async function tail(exec: Executor, path: string): Promise<string[]> {
  try {
    const { size } = await exec.readFrom(path, 0, 0);
    const { data } = await exec.readFrom(path, Math.max(0, size - 16_384));
    return data
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-EVIDENCE_LINES);
  } catch {
    return [];
  }
}

/** Reads one task's record on the cluster, stats the files it lists, and verifies it against the graph. */
export async function checkRecord(exec: Executor, def: GraphStep, task: number): Promise<StepVerification> {
  const idx = def.array ? task : undefined;
  const path = recordPathFor(def, idx);
  let raw: string;
  try {
    const r = await exec.readFrom(path, 0);
    if (r.size === 0) return { ok: false, problems: [`${path}: no record`] };
    raw = r.data.toString("utf8");
  } catch {
    return { ok: false, problems: [`${path}: no record`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, problems: [`${path}: not JSON`] };
  }
  const parsed = StepRecordSchema.safeParse(json);
  if (!parsed.success) return verifyStepOutputs(def, idx, json);
  const files = recordFiles(parsed.data);
  const observed = new Map<string, number | undefined>(files.map((f) => [f, undefined]));
  if (files.length) {
    const r = await exec.run(["stat", "-L", "-c", "%s %n", "--", ...files], { check: false });
    for (const line of r.stdout.split("\n")) {
      const m = /^(\d+) (.+)$/.exec(line);
      if (m && observed.has(m[2]!)) observed.set(m[2]!, Number(m[1]));
    }
  }
  return verifyStepOutputs(def, idx, json, observed);
}
