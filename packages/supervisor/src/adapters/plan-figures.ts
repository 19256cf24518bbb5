import { deviceMemory, planRun } from "@neoxctl/plan";
import type { DeviceMemory, Estimates } from "@neoxctl/plan";
import type { Run } from "../model.ts";
import { planInputOf } from "./plan-input.ts";

/** What the plan of a run says before it runs: its estimates and the model state each GCD holds. */
export interface PlanFigures {
  estimates: Estimates;
  memory: DeviceMemory;
}

type PlannedRun = Pick<Run, "id" | "planInput" | "runDir" | "createdAt">;

// plan inputs do not change after a run is created; planning EMMA-500 takes a noticeable moment
const cache = new Map<string, PlanFigures | null>();

/** The run's plan figures, planned once from its record (null when this version cannot plan it). */
export function planFiguresOf(run: PlannedRun): PlanFigures | null {
  const key = `${run.id}@${run.createdAt}`;
  if (!cache.has(key)) {
    let f: PlanFigures | null = null;
    try {
      const plan = planRun(planInputOf(run));
      f = { estimates: plan.estimates, memory: deviceMemory(plan) };
    } catch {
      // a plan input this version cannot plan leaves the figures out; the run is still supervised
    }
    if (cache.size > 256) cache.clear();
    cache.set(key, f);
  }
  return cache.get(key) ?? null;
}

/**
 * The step time (ms) the throughput guard holds a run to: the slow end of the plan's estimate (its
 * pessimistic MFU). Undefined when the profile has no `estimates:` section.
 */
export function planStepEstimateMs(run: PlannedRun): number | undefined {
  const slow = planFiguresOf(run)?.estimates.timing?.stepS.slow;
  return slow === undefined ? undefined : slow * 1000;
}
