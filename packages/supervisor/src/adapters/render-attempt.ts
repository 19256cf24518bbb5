import { planRun, renderAttempt } from "@neoxctl/plan";
import type { Attempt as PlanAttempt } from "@neoxctl/plan";
import type { Executor } from "@neoxctl/exec";
import type { AttemptParams, Run } from "../model.ts";
import { planInputOf } from "./plan-input.ts";

export interface RenderedFiles {
  /** per-attempt snapshot of what was submitted (the job itself reads the run-dir copies) */
  configDir: string;
  logPath: string;
  scriptPath: string;
  files: Record<string, string>;
}

function attemptDir(run: Run, index: number): string {
  return `${run.runDir}/attempts/${index}`;
}

/** Per-attempt settings beyond the params: planned exit, dependency, the directory the job reads its configs from. */
export type RenderExtras = Pick<PlanAttempt, "exitInterval" | "dependency" | "timeLimit" | "configRoot">;

/** Renders an attempt with the planner. Pure apart from reading (and re-validating) `run.planInput`. */
export function renderFor(
  run: Run,
  index: number,
  params: AttemptParams,
  extras: RenderExtras = {}
): RenderedFiles {
  // re-validated on every render: the record came back from Redis
  const plan = planRun(planInputOf(run));
  const { files } = renderAttempt(plan, {
    index,
    runId: run.id,
    load: params.load,
    ...(params.lr !== run.specLr ? { lr: params.lr } : {}),
    seed: params.seed,
    excludeNodes: params.excludeNodes,
    ...extras
  });
  const meta = JSON.parse(files["plan.json"] ?? "{}") as { attempt?: { logPath?: string } };
  return {
    configDir: attemptDir(run, index),
    logPath: `${run.runDir}/${meta.attempt?.logPath ?? `logs/attempt-${index}.out`}`,
    scriptPath: `${run.runDir}/job.sbatch`,
    files
  };
}

/**
 * Writes the attempt's files into the run directory (where its job reads them at start) and a
 * snapshot under attempts/<n>/. Only called once the previous job has ended, so no running job
 * reads files that change under it.
 */
export async function writeAttemptFiles(exec: Executor, run: Run, r: RenderedFiles): Promise<void> {
  for (const [rel, content] of Object.entries(r.files)) {
    await exec.writeFile(`${run.runDir}/${rel}`, content);
    await exec.writeFile(`${r.configDir}/${rel}`, content);
  }
}
