import type { Attempt, Plan } from "./types.ts";
import { checkSbatchValues } from "./sbatch-safety.ts";
import { launchCommand } from "./launch-command.ts";
import { renderPreflight } from "./preflight.ts";
import { shellQuote } from "./shell-quote.ts";

/** Same job name for every attempt, so `--dependency=singleton` chains attempts of one run. */
export function jobName(runId: string): string {
  return `neoxctl-${runId}`;
}

/** Marker in the job's comment that finds a submission again after the supervisor crashed. */
export function jobComment(attempt: Attempt): string {
  return `neoxctl:run=${attempt.runId};attempt=${attempt.index}`;
}

export function attemptLogPath(attempt: Attempt): string {
  return `logs/attempt-${attempt.index}.out`;
}

function directives(plan: Plan, attempt: Attempt): string[] {
  const s = plan.profile.scheduler;
  const c = plan.spec.cluster;
  const d: string[] = [
    `--job-name=${jobName(attempt.runId)}`,
    `--comment=${jobComment(attempt)}`,
    `--partition=${s.partition}`,
    ...(c.account !== undefined ? [`--account=${c.account}`] : []),
    `--nodes=${plan.layout.nodes}`,
    `--ntasks-per-node=${s.ntasks_per_node}`,
    `--cpus-per-task=${s.cpus_per_task}`,
    ...(s.gpus_per_node !== null ? [`--gpus-per-node=${s.gpus_per_node}`] : []),
    ...(s.mem !== undefined ? [`--mem=${s.mem}`] : []),
    ...(s.exclusive ? ["--exclusive"] : []),
    `--time=${attempt.timeLimit ?? c.time}`,
    ...(c.time_min !== undefined ? [`--time-min=${c.time_min}`] : []),
    ...(plan.runDir !== null ? [`--chdir=${plan.runDir}`] : []),
    `--output=${attemptLogPath(attempt)}`,
    // Recovery belongs to the supervisor: Slurm's own requeue (JobRequeue=1 after a node failure)
    // reruns this script unchanged, so it would load the checkpoint the attempt was rendered with,
    // not the newest one, and land on whatever nodes are up, with no exclusion recorded. With
    // --no-requeue the job ends NODE_FAIL and the supervisor resubmits from the newest complete
    // checkpoint without the node; `scontrol requeue` is refused too. Should a job be requeued
    // anyway (an admin re-enabling it), append keeps the first run's log instead of truncating it.
    "--no-requeue",
    "--open-mode=append",
    ...(attempt.excludeNodes.length > 0 ? [`--exclude=${[...attempt.excludeNodes].sort().join(",")}`] : []),
    ...(attempt.dependency !== undefined ? [`--dependency=${attempt.dependency}`] : []),
    ...s.extra_directives
  ];
  return d.map((x) => `#SBATCH ${x}`);
}

/** The batch script of one attempt. Pure: the same plan and attempt give the same bytes. */
export function renderSbatch(plan: Plan, attempt: Attempt, configPaths: readonly string[]): string {
  checkSbatchValues(plan, attempt);
  const p = plan.profile;
  const env = { ...p.env, ...(attempt.env ?? {}) };
  const lines: string[] = [
    "#!/bin/bash",
    `# neoxctl plan: run ${attempt.runId}, attempt ${attempt.index}. Generated; re-plan instead of editing.`,
    ...directives(plan, attempt),
    "set -euo pipefail",
    "",
    'RUN_DIR="$(pwd)"',
    "",
    "# NeoX counts its GPUs from this hostfile (one line per allocated node); under deepy it also sizes srun -n",
    'HOSTFILE="${RUN_DIR}/hostfile.${SLURM_JOB_ID}"',
    `scontrol show hostnames "\${SLURM_JOB_NODELIST}" | awk '{print $1 " slots=${p.gcds_per_node}"}' > "\${HOSTFILE}"`,
    'export DLTS_HOSTFILE="${HOSTFILE}"',
    "",
    "# without MASTER_ADDR the DeepSpeed runner ssh-es to the first node to ask for its address",
    'export MASTER_ADDR="$(scontrol show hostnames "${SLURM_JOB_NODELIST}" | head -n 1)"',
    `export MASTER_PORT=${p.master_port}`,
    "",
    ...(Object.keys(env).length > 0
      ? [
          "# cluster and attempt environment",
          ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
          ""
        ]
      : []),
    "# MIOpen's default cache directory fails on Lustre; keep one per job on node-local storage, on every node",
    `export MIOPEN_USER_DB_PATH=${shellQuote(p.node_local_tmp.replace(/\/+$/, ""))}/"\${USER:-neoxctl}-miopen-\${SLURM_JOB_ID}"`,
    'export MIOPEN_CUSTOM_CACHE_DIR="${MIOPEN_USER_DB_PATH}"',
    'srun --ntasks="${SLURM_JOB_NUM_NODES}" --ntasks-per-node=1 mkdir -p -- "${MIOPEN_USER_DB_PATH}"',
    "",
    ...renderPreflight(plan, attempt),
    ...launchCommand(plan, configPaths)
  ];
  return lines.join("\n") + "\n";
}
