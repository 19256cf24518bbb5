import type { RunCycle } from "./cycle.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { applyControl } from "./controls/apply.ts";
import { submitPending } from "./submit.ts";
import { watch } from "./watch.ts";
import { ensureStopped } from "./stop.ts";
import { graphStep, graphTurn } from "./graph-step.ts";

/**
 * Advances one run by one step from what Redis and this cycle's poll say: a human's command first,
 * else the step the run's state calls for.
 */
export async function advance(deps: LoopDeps, c: RunCycle): Promise<void> {
  if (await applyControl(deps, c)) return;
  const attempt = await deps.store.getAttempt(c.run.id, c.run.attempts);
  switch (c.run.state) {
    case "planned":
    case "recovering":
      // a job graph runs its steps before training; training starts once they are verified
      if (graphTurn(c.run) && (await graphStep(deps, c)) !== "train") return;
      if (attempt) await submitPending(deps, c, attempt);
      return;
    case "queued":
    case "running":
      // after training, the graph's remaining steps (export)
      if (graphTurn(c.run)) {
        await graphStep(deps, c);
        return;
      }
      if (attempt?.jobId) await watch(deps, c, attempt);
      return;
    case "needs_attention":
    case "completed":
    case "failed":
    case "cancelled":
      if (attempt) await ensureStopped(deps, c, attempt);
      return;
  }
}
