import type { SimState } from "./state.ts";

/** The job's nodes: the first free names of a machine far larger than the job, away from bad nodes. */
export function jobNodes(st: SimState): string[] {
  const bad = new Set(st.params.excludeNodes);
  const out: string[] = [];
  for (let i = 0; out.length < st.run.nodes; i++) {
    const n = `nid${String(i).padStart(6, "0")}`;
    if (!bad.has(n)) out.push(n);
  }
  return out;
}

/**
 * A person handling a spike rolls back as the policy would (the newest checkpoint at least
 * `rollback_min_steps_before` steps before the onset), starting over when there is none.
 */
export function humanRollbackTarget(st: SimState, onset: number): number {
  const to = st.newest(onset - st.run.resilience.spike.rollback_min_steps_before) ?? 0;
  st.spikesDone.add(onset);
  st.pendingNotice = null;
  st.rollbackTo(to, "spike");
  return to;
}
