import type { Executor } from "@neoxctl/exec";
import { inspectCheckpoints } from "@neoxctl/monitor";
import type { CheckpointLayout, CheckpointStatus } from "@neoxctl/monitor";
import { planRun } from "@neoxctl/plan";
import type { PlanInput } from "@neoxctl/plan";
import type { Run } from "../model.ts";

/** a run's spec never changes, nor does its layout: plan it once per run, not once per cycle */
const layouts = new Map<string, CheckpointLayout>();

/** The file set NeoX writes per checkpoint for this run's parallelism and precision. */
export function layoutOf(run: Run): CheckpointLayout {
  const known = layouts.get(run.id);
  if (known) return known;
  const plan = planRun({ ...(run.planInput as PlanInput), runDir: run.runDir });
  const layout = {
    tp: plan.layout.tp,
    pp: plan.layout.pp,
    dp: plan.layout.dp,
    bf16: plan.spec.precision === "bf16"
  };
  layouts.set(run.id, layout);
  return layout;
}

/**
 * Iterations of the complete checkpoints valid for the run's current timeline, ascending: the
 * monitor judges completeness (full file set, configs/ written last), and a checkpoint saved
 * above a rollback point before that rollback belongs to the abandoned timeline.
 */
export async function timelineCheckpoints(exec: Executor, run: Run): Promise<number[]> {
  const report = await inspectCheckpoints(exec, saveDirOf(run), layoutOf(run));
  return validForTimeline(run, report.checkpoints);
}

export function validForTimeline(
  run: Pick<Run, "abandoned">,
  checkpoints: readonly CheckpointStatus[]
): number[] {
  return checkpoints
    .filter((c) => c.complete && !run.abandoned.some((a) => c.step > a.step && (c.savedAtMs ?? 0) < a.since))
    .map((c) => c.step);
}

export function saveDirOf(run: Run): string {
  return (run.planInput as { spec: { checkpointing: { save: string } } }).spec.checkpointing.save;
}
