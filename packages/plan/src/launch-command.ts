import { SpecError } from "@neoxctl/core";
import type { Plan } from "./types.ts";
import { launchIssues } from "./launch-check.ts";
import { RANK_LAUNCHER, rankPrograms } from "./rank-launcher.ts";
import { shellQuote } from "./shell-quote.ts";
import { spareLaunch } from "./spare-launch.ts";
import type { RestartInput, RestartPlan } from "./spare-launch.ts";
import { spareNodes } from "./spares.ts";

/** `module use …; module load …` on the host, before srun (e.g. LUMI's Singularity bindings). */
export function hostModules(plan: Plan): string[] {
  const e = plan.profile.environment;
  if (e.module_use.length === 0 && e.modules.length === 0) return [];
  return [
    "# host modules; Lmod's functions read unset variables",
    "set +u",
    ...e.module_use.map((d) => `module use ${shellQuote(d)}`),
    ...(e.modules.length > 0 ? [`module load ${e.modules.map(shellQuote).join(" ")}`] : []),
    "set -u",
    ""
  ];
}

/** The prefix that puts a command inside the container (empty without one). */
export function inContainer(plan: Plan): string {
  const c = plan.profile.container;
  switch (c.kind) {
    case "none":
      return "";
    case "singularity":
      return `singularity exec ${plan.profile.environment.overlays
        .map((o) => `--overlay ${shellQuote(`${o}:ro`)} `)
        .join("")}${shellQuote(c.image)} `;
  }
}

function containerBinds(plan: Plan): string[] {
  const c = plan.profile.container;
  if (c.kind !== "singularity") return [];
  // the emulator runs from the neoxctl checkout, which the image must see
  const binds = [
    ...c.binds,
    ...(plan.profile.launcher.kind === "emulator" && plan.repoRoot ? [plan.repoRoot] : [])
  ];
  // appended: the bindings modules (LUMI's singularity-AI-bindings) set SINGULARITY_BIND themselves
  return binds.length > 0
    ? [`export SINGULARITY_BIND="\${SINGULARITY_BIND:+\${SINGULARITY_BIND},}"${shellQuote(binds.join(","))}`]
    : [];
}

/**
 * per_rank: srun on the host starts one task per GCD, each entering the container and running the
 * launcher the plan wrote; train.py's argv is built once before that, by NeoX's own code, so config
 * errors surface once and exactly deepy's arguments reach every rank.
 */
function perRank(plan: Plan, configs: string, restart: RestartInput): string[] {
  const p = plan.profile;
  const enter = inContainer(plan);
  const launcher = `"\${RUN_DIR}"/${RANK_LAUNCHER}`;
  const masks = p.cpu_bind_masks !== undefined ? [`--cpu-bind=mask_cpu:${p.cpu_bind_masks.join(",")}`] : [];
  rankPrograms(plan); // refuses an emulator profile without repoRoot before anything is written
  const buildArgv = `${enter}bash ${launcher} argv`;
  const prepare = [
    "# train.py's arguments exactly as deepy.py would pass them, built once by NeoX's own code",
    'TRAIN_ARGV="${RUN_DIR}/launch/train-argv.${SLURM_JOB_ID}"',
    `if ! ${buildArgv} "\${TRAIN_ARGV}" ${configs}; then`,
    '  neoxctl_fail config "${TRAIN_ARGV}"',
    "fi",
    "# what NeoX would build on every node (data helpers) or rank (JIT kernels), built once here",
    `${enter}bash ${launcher} prebuild || neoxctl_fail prebuild ${launcher}`
  ];
  const srun = [
    "srun",
    "--kill-on-bad-exit=1",
    `--ntasks-per-node=${p.scheduler.ntasks_per_node}`,
    `--cpus-per-task=${p.scheduler.cpus_per_task}`,
    ...masks
  ];
  const rank = `${enter}bash ${launcher} train`;
  if (spareNodes(plan.spec) > 0) return spareLaunch(plan, { prepare, srun, rank, buildArgv, ...restart });
  return [
    ...prepare,
    "",
    "# one task per GCD; a rank that dies ends the step instead of leaving the others waiting in a collective.",
    "# --cpus-per-task again: since Slurm 22.05 srun no longer takes it from the job (sbatch man page), and a",
    "# step of 1 CPU per task would not hold the cores the masks name",
    [...srun, rank, '"${TRAIN_ARGV}"'].join(" ")
  ];
}

/** deepy_host: deepy.py on the batch host builds its own srun step (only without a container). */
function deepyOnHost(plan: Plan, configs: string): string[] {
  const launcher = plan.profile.launcher;
  const p = plan.profile;
  if (launcher.kind !== "deepy") return [];
  const neox = launcher.neox_dir.replace(/\/+$/, "");
  return [
    ...(p.cpu_bind_masks !== undefined
      ? [
          "# deepy.py builds its srun step itself with no binding option; srun takes the binding from SLURM_CPU_BIND",
          `export SLURM_CPU_BIND=mask_cpu:${p.cpu_bind_masks.join(",")}`,
          ""
        ]
      : []),
    // `--` and the schemas' absolute paths: a directory is never read as an option
    `cd -- ${shellQuote(neox || "/")}`,
    `${shellQuote(launcher.python)} ${shellQuote(`${neox}/deepy.py`)} ${shellQuote(`${neox}/train.py`)} ${configs}`
  ];
}

/** The end of the batch script: environment, then the launch in the profile's mode. */
export function launchCommand(
  plan: Plan,
  configPaths: readonly string[],
  restart: RestartPlan = { configPaths: [], from: 0 }
): string[] {
  const issues = launchIssues(plan.profile);
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues);
  const quoted = (paths: readonly string[]): string =>
    paths.map((p) => `"\${RUN_DIR}"/${shellQuote(p)}`).join(" ");
  const configs = quoted(configPaths);
  const mode = plan.profile.launch.mode;
  switch (mode) {
    case "per_rank":
      return [
        ...hostModules(plan),
        ...containerBinds(plan),
        ...perRank(plan, configs, {
          restartConfigs: quoted(restart.configPaths),
          from: restart.from,
          ...(restart.exitAt !== undefined ? { exitAt: restart.exitAt } : {})
        })
      ];
    case "deepy_host":
      return [...hostModules(plan), ...deepyOnHost(plan, configs)];
  }
}
