import type { Attempt, Plan } from "./types.ts";
import { checkSbatchValues } from "./sbatch-safety.ts";
import { launchCommand } from "./launch-command.ts";
import type { RestartPlan } from "./spare-launch.ts";
import { renderPreflight } from "./preflight.ts";
import { rcclDebugEnv } from "./rccl-debug.ts";
import { shellQuote } from "./shell-quote.ts";
import { allocatedNodes, spareNodes } from "./spares.ts";
import { fillTemplate } from "./templates/fill-template.ts";
import { templateText } from "./templates/template-files.ts";

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
    `--nodes=${allocatedNodes(plan.spec, plan.layout.nodes)}`,
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
    // with spare nodes the job must outlive a failed node: Slurm then takes the node out of the job
    // instead of ending it, and the script restarts training on a spare (sbatch(1) --no-kill)
    ...(spareNodes(plan.spec) > 0 ? ["--no-kill"] : []),
    ...(attempt.excludeNodes.length > 0 ? [`--exclude=${[...attempt.excludeNodes].sort().join(",")}`] : []),
    ...(attempt.dependency !== undefined ? [`--dependency=${attempt.dependency}`] : []),
    ...s.extra_directives
  ];
  return d.map((x) => `#SBATCH ${x}`);
}

/** The batch script of one attempt: `templates/slurm/job.sbatch` filled with the attempt's blocks. */
export function renderSbatch(
  plan: Plan,
  attempt: Attempt,
  configPaths: readonly string[],
  restartConfigPaths: readonly string[] = []
): string {
  const load = attempt.load;
  const restart: RestartPlan = {
    configPaths: restartConfigPaths,
    from: load.kind === "resume" ? (load.iteration ?? 0) : 0,
    ...(attempt.exitInterval !== undefined ? { exitAt: attempt.exitInterval } : {})
  };
  checkSbatchValues(plan, attempt);
  const p = plan.profile;
  // the profile's and the attempt's own NCCL_DEBUG win over the transport check's
  const env = { ...rcclDebugEnv(p.network, attempt.index), ...p.env, ...(attempt.env ?? {}) };
  const lines = (l: readonly string[]): string => l.map((x) => `${x}\n`).join("");
  return fillTemplate(
    templateText("slurm/job.sbatch"),
    {
      run_id: attempt.runId,
      attempt: String(attempt.index),
      directives: directives(plan, attempt).join("\n"),
      gcds_per_node: String(p.gcds_per_node),
      master_port: String(p.master_port),
      environment:
        Object.keys(env).length > 0
          ? lines([
              "# cluster and attempt environment",
              ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
              ""
            ])
          : "",
      node_local_tmp: shellQuote(p.node_local_tmp.replace(/\/+$/, "")),
      preflight: lines(renderPreflight(plan, attempt)),
      launch: launchCommand(plan, configPaths, restart).join("\n")
    },
    "templates/slurm/job.sbatch"
  );
}
