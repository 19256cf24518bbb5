import type { Executor } from "@neoxctl/exec";
import { inspectCheckpoints } from "@neoxctl/monitor";
import type { CheckpointLayout, CheckpointStatus } from "@neoxctl/monitor";
import { planRun } from "@neoxctl/plan";
import type { Run } from "../model.ts";
import { planInputOf } from "./plan-input.ts";

interface Planned {
  layout: CheckpointLayout;
  saveDir: string;
}

/**
 * A run's spec never changes, nor does its layout: plan it once per run, not once per cycle. Only
 * values that passed the schemas are kept, so a record changed in Redis later is never used unchecked.
 */
const planned = new Map<string, Planned>();

function plannedOf(run: Run): Planned {
  const known = planned.get(run.id);
  if (known) return known;
  const plan = planRun(planInputOf(run));
  const entry = {
    layout: {
      tp: plan.layout.tp,
      pp: plan.layout.pp,
      dp: plan.layout.dp,
      bf16: plan.spec.precision === "bf16"
    },
    saveDir: plan.spec.checkpointing.save
  };
  planned.set(run.id, entry);
  return entry;
}

/** The file set NeoX writes per checkpoint for this run's parallelism and precision. */
export function layoutOf(run: Run): CheckpointLayout {
  return plannedOf(run).layout;
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

/** The checkpoint directory, validated (absolute and normalised: it is passed to `find`). */
export function saveDirOf(run: Run): string {
  return plannedOf(run).saveDir;
}
