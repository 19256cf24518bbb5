import type { GraphStep, JobGraph } from "@neoxctl/core";
import type { GraphRun, StepState } from "./graph-state.ts";

/** The Slurm id of one task: `<jobId>_<task>` for array steps, the job id otherwise. */
export function taskKey(step: Pick<GraphStep, "array">, jobId: string, task: number): string {
  return step.array ? `${jobId}_${task}` : jobId;
}

/** The steps in an order where every step comes after its dependencies (the graph is acyclic). */
export function topoOrder(graph: JobGraph): GraphStep[] {
  const out: GraphStep[] = [];
  const placed = new Set<string>();
  while (out.length < graph.steps.length) {
    const before = out.length;
    for (const s of graph.steps)
      if (!placed.has(s.id) && s.dependsOn.every((d) => placed.has(d))) {
        out.push(s);
        placed.add(s.id);
      }
    if (out.length === before) break; // a cycle: JobGraphSchema refuses those
  }
  return out;
}

/** One step as `status`, `events` and the dashboard show it. */
export interface StepProgress {
  id: string;
  kind: GraphStep["kind"];
  state: StepState;
  /** tasks done / total (1 for a non-array step) */
  done: number;
  total: number;
  running: number;
  /** submissions beyond the first, over all tasks */
  retries: number;
  jobIds: string[];
  dependsOn: string[];
  attention?: string;
}

/** Per-step progress of a run's graph, in dependency order. */
export function graphProgress(g: GraphRun): StepProgress[] {
  const byId = new Map(g.steps.map((s) => [s.id, s]));
  return topoOrder(g.graph).map((def) => {
    const st = byId.get(def.id);
    const tasks = st?.tasks ?? [];
    return {
      id: def.id,
      kind: def.kind,
      state: st?.state ?? "pending",
      done: tasks.filter((t) => t.state === "done").length,
      total: tasks.length,
      running: tasks.filter((t) => t.state === "running").length,
      retries: tasks.reduce((n, t) => n + Math.max(0, t.attempts - 1), 0),
      jobIds: st?.jobIds ?? [],
      dependsOn: def.dependsOn,
      ...(st?.attention ? { attention: st.attention } : {})
    };
  });
}

/** `convert done 1/1 · tokenize running 3/8 (1 retry) · …` */
export function describeGraph(steps: readonly StepProgress[]): string {
  return steps
    .map(
      (s) =>
        `${s.id} ${s.state}${s.total > 1 || s.kind !== "train" ? ` ${s.done}/${s.total}` : ""}${s.retries ? ` (${s.retries} retr${s.retries === 1 ? "y" : "ies"})` : ""}`
    )
    .join(" · ");
}

/** `--only x` / `--from x`, as events, stop causes and `status` name it; undefined without a selection. */
export function selectionFlag(g: Pick<GraphRun, "only" | "from">): string | undefined {
  if (g.only !== undefined) return `--only ${g.only}`;
  if (g.from !== undefined) return `--from ${g.from}`;
  return undefined;
}

/**
 * Why a run with a graph ended `completed`, for its run_completed event: which steps ran, which were
 * reused on their records and, with a selection, which were never run, so that a run that did one
 * step cannot be read as one that trained.
 */
export function graphOutcome(g: GraphRun): { cause: string; detail: Record<string, unknown> } {
  const ids = (state: StepState): string[] => g.steps.filter((s) => s.state === state).map((s) => s.id);
  const ran = ids("done");
  const notSelected = ids("not_selected");
  const skipped = ids("skipped");
  const flag = selectionFlag(g);
  const steps = g.steps.map((s) => ({ id: s.id, state: s.state, jobIds: s.jobIds }));
  const list = g.steps.map((s) => `${s.id} ${s.state}`).join(", ");
  if (flag === undefined) return { cause: `every step of the graph is done: ${list}`, detail: { steps } };
  const what =
    g.only !== undefined
      ? `only step ${g.only} was run`
      : `step${ran.length === 1 ? "" : "s"} ${ran.join(", ") || "(none)"} ${ran.length === 1 ? "was" : "were"} run`;
  return {
    cause:
      `${flag}: ${what}` +
      (notSelected.length ? `; not run (not selected): ${notSelected.join(", ")}` : "") +
      (skipped.length ? `; reused on their verified records: ${skipped.join(", ")}` : ""),
    detail: {
      selection: {
        ...(g.only !== undefined ? { only: g.only } : {}),
        ...(g.from !== undefined ? { from: g.from } : {})
      },
      ran,
      notSelected,
      skipped,
      steps
    }
  };
}
