import type { Plan } from "./types.ts";
import { savedCheckpointShape } from "./preflight.ts";
import { shellQuote } from "./shell-quote.ts";
import { spareNodes } from "./spares.ts";

/** The attempt config of an in-job restart: the attempt's own, loading from `save` at an iteration the script names. */
export const RESTART_CONFIG = "neox/restart.yml";

/** What every in-job restart line starts with; the monitor's parser reads these lines (packages/monitor). */
export const RESTART_MARKER = "neoxctl-restart:";

/**
 * How long a failed step waits for Slurm to take a lost node out of the job before the failure counts
 * as the application's. slurmctld removes a node set DOWN at once (observed on Slurm 22.05, docs/
 * resilience.md); one that stops answering only after SlurmdTimeout, which this does not cover.
 */
export const NODE_GRACE_S = 60;

/** What an in-job restart needs of the attempt. */
export interface RestartPlan {
  /** the restart's config files (run-dir relative), before the per-restart file */
  configPaths: readonly string[];
  /** the step the attempt started from (its checkpoint; 0 from the init checkpoint) */
  from: number;
  /** the attempt's planned exit (exit_interval), when the supervisor planned one */
  exitAt?: number;
}

/** The restart's part of SpareLaunch: the configs already quoted for the script. */
export interface RestartInput {
  restartConfigs: string;
  from: number;
  exitAt?: number;
}

export interface SpareLaunch extends RestartInput {
  /** the lines that build train.py's argv into TRAIN_ARGV and prebuild, as without spares */
  prepare: string[];
  /** srun's options as without spares, srun first (the loop adds --nodes/--ntasks/--nodelist after --kill-on-bad-exit) */
  srun: string[];
  /** the rank program after srun's options, up to (without) the argv file */
  rank: string;
  /** `bash launch/rank.sh argv` (inside the container), to be followed by the output file and configs */
  buildArgv: string;
}

/**
 * The planned exit (exit_interval) after a restart from checkpoint K: the supervisor planned it so an
 * uninterrupted job ends by itself before its time limit; the restart costs the time since K was
 * saved, so the exit moves that many steps earlier, at the pace this job kept so far (start-up
 * included, which errs early), onto a checkpoint step as the supervisor's exit plan does (chain/
 * exit-plan.ts), at least the next one. NeoX exits where iteration % exit_interval == 0, so any value
 * above K works.
 */
function exitHelper(from: number, exitAt: number, f: number): string[] {
  return [
    "# the planned exit moved earlier by the steps the restart costs (at this job's pace so far)",
    "neoxctl_exit_after() {",
    '  local k="$1" t0 tk now pace_n pace_d lost e',
    '  t0="$(stat -c %Y -- "${NEOXCTL_STARTED}")"',
    '  tk="$(stat -c %Y -- "${NEOXCTL_SAVE}/global_step${k}")"',
    '  now="$(date +%s)"',
    `  pace_n=$((k - ${from})) pace_d=$((tk - t0))`,
    '  [ "${pace_n}" -gt 0 ] && [ "${pace_d}" -gt 0 ] || pace_d=1',
    "  lost=$(( ((now - tk) * pace_n + pace_d - 1) / pace_d ))",
    // on a checkpoint step, as the supervisor's own exit plan puts it
    `  e=$(((${exitAt} - lost) / ${f} * ${f}))`,
    `  [ "\${e}" -gt "\${k}" ] || e=$(((k / ${f} + 1) * ${f}))`,
    `  printf '%s' "\${e}"`,
    "}"
  ];
}

function helpers(plan: Plan): string[] {
  const n = plan.layout.nodes;
  const slots = plan.profile.gcds_per_node;
  return [
    "# nodes of this job Slurm still reports usable: a --no-kill job keeps running without a failed node",
    "# (slurmctld removes it from the job's node list) and may launch new steps on the others",
    "neoxctl_usable() {",
    "  local list='' states try",
    "  for try in 1 2 3; do",
    '    list="$(squeue --noheader --jobs="${SLURM_JOB_ID}" --format=%N)" && break',
    "    sleep 5",
    "  done",
    '  [ -n "${list}" ] || return 0',
    '  if states="$(sinfo --noheader --Node --nodes="${list}" --format=\'%N %t\')"; then',
    "    awk '$2 !~ /down|drain|drng|fail|maint|boot|[*]/ {print $1}' <<< \"${states}\" | sort -u",
    "  else",
    "    # no node states (a busy controller): the job's own node list, which Slurm shrinks when a node fails",
    '    scontrol show hostnames "${list}" | sort -u',
    "  fi",
    "}",
    `# ${n} usable nodes, comma-separated, empty when fewer are left. The batch script's own node comes last, so`,
    "# with a spare it is the spare: a failure of that node ends the whole job, spares or not",
    "neoxctl_pick() {",
    "  local nodes",
    `  nodes="$(neoxctl_usable | awk -v me="\${SLURMD_NODENAME:-}" '$1 == me {last = $1; next} {print} END {if (last != "") print last}' |`,
    // a failed Slurm query must not end the job here (set -e): no nodes is an answer the caller handles
    `    sed -n '1,${n}p' | paste -sd, -)" || true`,
    `  [ "$(printf '%s' "\${nodes}" | tr ',' '\\n' | grep -c .)" -eq ${n} ] && printf '%s' "\${nodes}"`,
    "  return 0",
    "}",
    "# NeoX counts its GPUs from the hostfile: exactly the nodes this launch trains on, the first is the rendezvous",
    "neoxctl_use() {",
    `  tr ',' '\\n' <<< "$1" | awk '{print $1 " slots=${slots}"}' > "\${HOSTFILE}"`,
    '  export MASTER_ADDR="${1%%,*}"',
    "}",
    "# nodes of list $1 that are not usable any more, comma-separated",
    "neoxctl_lost() {",
    "  local usable",
    '  usable="$(neoxctl_usable)" || true',
    `  tr ',' '\\n' <<< "$1" | grep -vxF -f <(printf '%s\\n' "\${usable}") | paste -sd, - || true`,
    "}",
    "# the newest checkpoint this job saved that is complete (neoxctl_checkpoint's test), else nothing",
    "neoxctl_newest_saved() {",
    "  local step",
    "  for step in $(find \"${NEOXCTL_SAVE}\" -mindepth 1 -maxdepth 1 -type d -name 'global_step*' -newer \"${NEOXCTL_STARTED}\" -printf '%f\\n' 2>/dev/null |",
    "    sed -n 's/^global_step\\([0-9][0-9]*\\)$/\\1/p' | sort -rn); do",
    `    if (neoxctl_checkpoint "\${NEOXCTL_SAVE}" "global_step\${step}" ${savedCheckpointShape(plan)}) > /dev/null; then`,
    "      printf '%s' \"${step}\"",
    "      return 0",
    "    fi",
    "  done",
    "}"
  ];
}

/**
 * The launch of a job with spare nodes (`resilience.spare_nodes` > 0): the job holds N + S nodes
 * (`--no-kill`) and trains on N of them. When the step fails and a node it ran on has left the job,
 * the loop starts the step again on N usable nodes, from the newest complete checkpoint this job
 * saved (or, when it saved none, from where the attempt started), at most `max_in_job_restarts`
 * times. Every other failure ends the job as without spares. Every line it decides on is printed
 * with RESTART_MARKER so the supervisor sees the restart in the log.
 */
export function spareLaunch(plan: Plan, l: SpareLaunch): string[] {
  const n = plan.layout.nodes;
  const spares = spareNodes(plan.spec);
  const tasks = n * plan.profile.scheduler.ntasks_per_node;
  const max = plan.spec.resilience.max_in_job_restarts;
  const m = RESTART_MARKER;
  const srun = [
    ...l.srun.slice(0, 2),
    `--nodes=${n}`,
    `--ntasks=${tasks}`,
    '--nodelist="${NEOXCTL_NODES}"',
    ...l.srun.slice(2),
    l.rank,
    '"${NEOXCTL_ARGV}"'
  ].join(" ");
  return [
    `# ---- ${spares} spare node${spares === 1 ? "" : "s"}: train on ${n} of the job's ${n + spares} nodes; a node lost mid-run is`,
    "# replaced inside this job (no new submission, no queue wait). The hostfile and MASTER_ADDR above",
    "# are rewritten for the nodes each launch uses.",
    `NEOXCTL_SAVE=${shellQuote(plan.spec.checkpointing.save)}`,
    // the marker's mtime is the job's start: only checkpoints saved after it are this job's own
    'NEOXCTL_STARTED="${RUN_DIR}/launch/started.${SLURM_JOB_ID}"',
    ': > "${NEOXCTL_STARTED}"',
    ...helpers(plan),
    ...(l.exitAt !== undefined
      ? exitHelper(l.from, l.exitAt, plan.spec.checkpointing.checkpoint_factor)
      : []),
    'NEOXCTL_NODES="$(neoxctl_pick)"',
    `[ -n "\${NEOXCTL_NODES}" ] || neoxctl_fail nodes "fewer than ${n} usable nodes in job \${SLURM_JOB_ID}"`,
    'neoxctl_use "${NEOXCTL_NODES}"',
    "",
    ...l.prepare,
    "",
    "# one task per GCD on exactly the chosen nodes; a rank that dies ends the step instead of leaving the others",
    "# waiting in a collective. --ntasks: the job's own task count includes the spares. --cpus-per-task again:",
    "# since Slurm 22.05 srun no longer takes it from the job (sbatch man page), and a step of 1 CPU per task",
    "# would not hold the cores the masks name",
    'NEOXCTL_ARGV="${TRAIN_ARGV}"',
    "neoxctl_restarts=0",
    "while :; do",
    `  if ${srun}; then`,
    "    exit 0",
    "  else",
    "    rc=$?",
    "  fi",
    "  # a node Slurm took out of the job, or one it reports DOWN/DRAIN; else the failure is the application's",
    '  lost="$(neoxctl_lost "${NEOXCTL_NODES}")"',
    `  for ((waited = 0; waited < ${NODE_GRACE_S} && \${#lost} == 0; waited += 5)); do`,
    "    sleep 5",
    '    lost="$(neoxctl_lost "${NEOXCTL_NODES}")"',
    "  done",
    '  [ -n "${lost}" ] || exit "${rc}"',
    `  if [ "\${neoxctl_restarts}" -ge ${max} ]; then`,
    `    echo "${m} node failure on \${lost}, in-job restart cap reached (\${neoxctl_restarts}/${max} in-job restarts); ending the job"`,
    '    exit "${rc}"',
    "  fi",
    '  NEOXCTL_NODES="$(neoxctl_pick)"',
    '  if [ -z "${NEOXCTL_NODES}" ]; then',
    `    echo "${m} node failure on \${lost}, no spare node left (\${neoxctl_restarts}/${max} in-job restarts); ending the job"`,
    '    exit "${rc}"',
    "  fi",
    "  neoxctl_restarts=$((neoxctl_restarts + 1))",
    '  neoxctl_use "${NEOXCTL_NODES}"',
    '  step="$(neoxctl_newest_saved)"',
    '  if [ -n "${step}" ]; then',
    "    # resume from this job's newest complete checkpoint: the attempt's config with load=save at that iteration",
    '    NEOXCTL_ARGV="${RUN_DIR}/launch/train-argv.${SLURM_JOB_ID}.restart-${neoxctl_restarts}"',
    '    ITERATION_CONFIG="${RUN_DIR}/launch/iteration.${SLURM_JOB_ID}.yml"',
    '    printf \'iteration: %s\\n\' "${step}" > "${ITERATION_CONFIG}"',
    ...(l.exitAt !== undefined
      ? ['    printf \'exit_interval: %s\\n\' "$(neoxctl_exit_after "${step}")" >> "${ITERATION_CONFIG}"']
      : []),
    `    if ! ${l.buildArgv} "\${NEOXCTL_ARGV}" ${l.restartConfigs} "\${ITERATION_CONFIG}"; then`,
    '      neoxctl_fail config "${NEOXCTL_ARGV}"',
    "    fi",
    '    from="checkpoint ${step}"',
    "  else",
    "    # nothing saved since the job started: the attempt's own start again (its checkpoint passed the pre-flight)",
    '    NEOXCTL_ARGV="${TRAIN_ARGV}"',
    '    from="the attempt\'s start"',
    "  fi",
    `  echo "${m} in-job restart \${neoxctl_restarts}/${max} on \${NEOXCTL_NODES} without \${lost} from \${from}"`,
    "done"
  ];
}
