import type { GraphStep } from "@neoxctl/core";
import type { Plan } from "../types.ts";
import { hostModules, inContainer } from "../launch-command.ts";
import { activation } from "../rank-launcher.ts";
import { shellQuote } from "../shell-quote.ts";

/** Run-dir-relative paths of the files every step script uses. */
export const STEP_TOOL = "steps/tools/neoxctl_step.py";
export const STEP_ENV = "steps/step-env.sh";

/** Job name of a step: distinct from the training attempts' `neoxctl-<run>` (their singleton chain). */
export function stepJobName(runId: string, stepId: string): string {
  return `neoxctl-${runId}-${stepId}`;
}

/** Marker in a step job's comment, like the attempts' `neoxctl:run=…;attempt=…`. */
export function stepComment(runId: string, stepId: string): string {
  return `neoxctl:run=${runId};step=${stepId}`;
}

export function stepLogPath(step: GraphStep): string {
  return step.array !== undefined ? `logs/${step.id}-%A_%a.out` : `logs/${step.id}-%j.out`;
}

/**
 * The environment wrapper every step tool runs through (inside the container when the profile
 * uses one): the image's activation, the profile's variables, then the command.
 */
export function renderStepEnv(plan: Plan, header: string): string {
  const env = plan.profile.environment.env;
  return [
    "#!/bin/bash",
    `# ${header}`,
    "set -euo pipefail",
    ...(plan.profile.steps.container ? activation(plan) : []),
    ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    'exec "$@"',
    ""
  ].join("\n");
}

/**
 * One step's batch script: standalone and idempotent. Slurm dependencies (`afterok`) are added by
 * the supervisor at submission; the task itself (steps/tools/neoxctl_step.py) skips when its record
 * still holds, writes under temporary names, checks, renames, and writes its record last.
 */
export function renderStepScript(
  plan: Plan,
  runId: string,
  step: GraphStep,
  python: string,
  header: string
): string {
  const s = plan.profile.steps;
  const c = plan.spec.cluster;
  const directives = [
    `--job-name=${stepJobName(runId, step.id)}`,
    `--comment=${stepComment(runId, step.id)}`,
    `--partition=${step.partition}`,
    ...(c.account !== undefined ? [`--account=${c.account}`] : []),
    "--nodes=1",
    "--ntasks=1",
    `--cpus-per-task=${s.cpus_per_task}`,
    ...(s.mem !== undefined ? [`--mem=${s.mem}`] : []),
    `--time=${s.time}`,
    ...(plan.runDir !== null ? [`--chdir=${plan.runDir}`] : []),
    `--output=${stepLogPath(step)}`,
    ...(step.array !== undefined ? [`--array=0-${step.array.tasks - 1}%${step.array.maxConcurrent}`] : []),
    // the supervisor retries a failed task itself (docs/graph.md), with the node excluded
    "--no-requeue",
    "--open-mode=append"
  ];
  const enter = s.container ? inContainer(plan) : "";
  const binds =
    s.container && plan.profile.container.kind === "singularity" && plan.profile.container.binds.length > 0
      ? [
          `export SINGULARITY_BIND="\${SINGULARITY_BIND:+\${SINGULARITY_BIND},}"${shellQuote(plan.profile.container.binds.join(","))}`
        ]
      : [];
  return [
    "#!/bin/bash",
    `# ${header}`,
    `# step ${step.id} (${step.kind})${step.array !== undefined ? `: ${step.array.tasks} array tasks, at most ${step.array.maxConcurrent} at once` : ""}`,
    ...directives.map((d) => `#SBATCH ${d}`),
    "set -euo pipefail",
    'TASK="${SLURM_ARRAY_TASK_ID:-0}"',
    ...(s.container ? hostModules(plan) : []),
    ...binds,
    `exec ${enter}bash ${STEP_ENV} ${shellQuote(python)} ${STEP_TOOL} steps/${step.id}.json "\${TASK}"`,
    ""
  ].join("\n");
}
