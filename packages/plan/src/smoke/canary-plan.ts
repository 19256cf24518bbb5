import { SpecError } from "@neoxctl/core";
import { planRun } from "../plan-run.ts";
import { renderAttempt } from "../render-attempt.ts";
import type { Span } from "../estimate/estimates.ts";
import type { Attempt, Plan, PlanInput } from "../types.ts";
import { canaryOf, canaryProfile, canarySpec, shapeCanary } from "./canary-shape.ts";
import type { CanaryShape } from "./canary-shape.ts";

export interface CanaryInput extends PlanInput {
  /** the canary's own run id (job name, tags); unique per canary */
  runId: string;
  /** steps trained before the save; one more follows the load */
  steps: number;
}

/** Everything `neoxctl smoke` needs to run and judge a canary of one run. */
export interface CanaryPlan {
  runId: string;
  steps: number;
  /** the real run's plan (its estimates are the yardstick) */
  real: Plan;
  /** the canary's plan: canary partition, ≤ 2 nodes, steps + 1 iterations */
  plan: Plan;
  shape: CanaryShape;
  /** where the canary saves and then loads: beside the run's checkpoints, on the same file system */
  saveDir: string;
  /** expected seconds per step from the real run's estimate; null without the profile's `estimates:` */
  expectedStepS: Span | null;
  /** relative to the run directory */
  logPath: string;
}

/** Line the batch script prints between the save phase and the load phase. */
export const PHASE2_MARKER = "neoxctl-smoke: phase 2";

/** `<save>-canary/<canary run id>/checkpoints`: the run's file system, never the run's own directory. */
export function canarySaveDir(save: string, runId: string): string {
  return `${save}-canary/${runId}/checkpoints`;
}

export function planCanary(input: CanaryInput): CanaryPlan {
  if (!Number.isInteger(input.steps) || input.steps < 2)
    throw new SpecError("SPEC_INVALID", [
      { path: "--steps", received: String(input.steps), rule: "must be an integer of at least 2" }
    ]);
  const { runId: _id, steps: _steps, ...planInput } = input;
  const real = planRun(planInput);
  const canary = canaryOf(real.profile);
  const shape = shapeCanary(real.layout, canary, real.profile.name);
  const saveDir = canarySaveDir(real.spec.checkpointing.save, input.runId);
  const plan = planRun({
    ...planInput,
    spec: canarySpec(real.spec, shape, canary, { steps: input.steps, saveDir }),
    profile: canaryProfile(real.profile, canary)
  });
  return {
    runId: input.runId,
    steps: input.steps,
    real,
    plan,
    shape,
    saveDir,
    expectedStepS: real.estimates.timing?.stepS ?? null,
    logPath: "logs/attempt-1.out"
  };
}

/**
 * The canary's run directory: phase 1 is attempt 1 of the canary plan (loads the run's init
 * checkpoint, trains `steps` steps, saves, exits at the exit interval); phase 2, started by the same
 * job once phase 1 ended cleanly, is a resume of that save (its pre-flight checks the saved step is
 * complete, then one more step). Both run the same launcher, image and environment.
 */
export function renderCanary(c: CanaryPlan): Record<string, string> {
  const phase1: Attempt = {
    index: 1,
    runId: c.runId,
    load: { kind: "init" },
    excludeNodes: [],
    exitInterval: c.steps
  };
  const phase2: Attempt = {
    index: 2,
    runId: c.runId,
    load: { kind: "resume", iteration: c.steps },
    excludeNodes: [],
    configRoot: "phase2"
  };
  const files = { ...renderAttempt(c.plan, phase1).files };
  const second = renderAttempt(c.plan, phase2).files;
  for (const [rel, text] of Object.entries(second)) {
    if (rel.startsWith("neox/")) files[`phase2/${rel}`] = text;
  }
  files["phase2/job.sbatch"] = second["job.sbatch"]!;
  files["job.sbatch"] =
    files["job.sbatch"]!.replace(/\n*$/, "\n") +
    [
      "",
      "# ---- canary phase 2: load the step phase 1 saved and train one more (same job, same nodes)",
      `echo '${PHASE2_MARKER}: load global_step${c.steps}, train step ${c.steps + 1}'`,
      'bash "${RUN_DIR}/phase2/job.sbatch"',
      ""
    ].join("\n");
  return files;
}
