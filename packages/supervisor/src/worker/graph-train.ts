import type { Evidence, Run } from "../model.ts";
import type { Op, RunStore } from "../store/run-store.ts";
import { noteOps } from "./transition.ts";

/**
 * Training finished in a run with a job graph: the train step is done, the steps reading its
 * checkpoints run again whatever their records say, and the run stays `running` while they do.
 * Undefined when the run has no graph or nothing follows training (the run then completes).
 */
export function trainDoneOps(
  store: RunStore,
  run: Run,
  cause: string,
  evidence: Evidence,
  now: number
): Op[] | undefined {
  const g = run.graph;
  if (!g) return undefined;
  const def = g.graph.steps.find((s) => s.kind === "train");
  const st = def ? g.steps.find((s) => s.id === def.id) : undefined;
  if (!def || !st) return undefined;
  const after = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of g.graph.steps)
      if (!after.has(s.id) && s.dependsOn.some((x) => x === def.id || after.has(x))) {
        after.add(s.id);
        grew = true;
      }
  }
  const open = g.steps.filter(
    (s) => after.has(s.id) && s.state !== "done" && s.state !== "skipped" && s.state !== "not_selected"
  );
  if (open.length === 0) {
    st.state = "done";
    for (const t of st.tasks) t.state = "done";
    return undefined;
  }
  st.state = "done";
  for (const t of st.tasks) t.state = "done";
  for (const s of open) s.rerun = true;
  return noteOps(store, run, {
    type: "step_completed",
    cause: `step ${def.id} done: ${cause}; next: ${open.map((s) => s.id).join(", ")}`,
    evidence,
    at: now
  });
}
