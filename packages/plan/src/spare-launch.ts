import type { Plan } from "./types.ts";
import { savedCheckpointShape } from "./preflight.ts";
import { shellQuote } from "./shell-quote.ts";
import { spareNodes } from "./spares.ts";

/** The attempt config of an in-job restart: the attempt's own, loading from `save` at an iteration the script names. */
export const RESTART_CONFIG = "neox/restart.yml";

/** What every in-job restart line starts with; the monitor's parser reads these lines (packages/monitor). */
export const RESTART_MARKER = "neoxctl-restart:";

/**
 * How long, beyond Slurm's SlurmdTimeout, a failed step waits for Slurm to take a lost node out of the
 * job before the failure counts as the application's. slurmctld removes a node set DOWN at once
 * (observed on Slurm 22.05, docs/resilience.md); one whose slurmd stops answering only once
 * SlurmdTimeout has passed (https://slurm.schedmd.com/slurm.conf.html#OPT_SlurmdTimeout), which the
 * script reads from `scontrol show config` at job start.
 */
export const NODE_GRACE_S = 60;

/** SlurmdTimeout when `scontrol show config` does not say (Slurm's default). */
export const SLURMD_TIMEOUT_DEFAULT_S = 300;

/**
 * Exit status of a job with spares that Slurm did not tell its nodes at start (sysexits' EX_TEMPFAIL):
 * a normal failure, not the pre-flight's missing input that stops the run for a person.
 */
export const SLURM_QUERY_EXIT_CODE = 75;

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
 * above K works. The exit in force is NEOXCTL_EXIT_AT: a second restart moves the exit the first one
 * already moved.
 */
function exitHelper(from: number, exitAt: number, f: number): string[] {
  return [
    `NEOXCTL_EXIT_AT=${exitAt}`,
    "# the exit in force moved earlier by the steps the restart costs (at this job's pace so far)",
    "neoxctl_exit_after() {",
    '  local k="$1" t0 tk now pace_n pace_d lost e',
    '  t0="$(stat -c %Y -- "${NEOXCTL_STARTED}")"',
    // the save's end: its configs/ (a step directory rewritten after a rollback keeps its own time)
    '  tk="$(stat -c %Y -- "${NEOXCTL_SAVE}/global_step${k}"/configs/* | sort -n | tail -n 1)"',
    '  now="$(date +%s)"',
    `  pace_n=$((k - ${from})) pace_d=$((tk - t0))`,
    '  [ "${pace_n}" -gt 0 ] && [ "${pace_d}" -gt 0 ] || pace_d=1',
    "  lost=$(( ((now - tk) * pace_n + pace_d - 1) / pace_d ))",
    // on a checkpoint step, as the supervisor's own exit plan puts it
    `  e=$(((NEOXCTL_EXIT_AT - lost) / ${f} * ${f}))`,
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
    "# (slurmctld removes it from the job's node list) and may launch new steps on the others. Status 1",
    "# when squeue does not answer: unknown, which no caller may read as every node lost",
    "neoxctl_usable() {",
    "  local list='' states try",
    "  for try in 1 2 3; do",
    '    list="$(squeue --noheader --jobs="${SLURM_JOB_ID}" --format=%N)" && [ -n "${list}" ] && break',
    "    list=''",
    '    [ "${try}" -eq 3 ] || sleep 5',
    "  done",
    '  [ -n "${list}" ] || return 1',
    '  if states="$(sinfo --noheader --Node --nodes="${list}" --format=\'%N %t\')"; then',
    "    awk '$2 !~ /down|drain|drng|fail|maint|boot|[*]/ {print $1}' <<< \"${states}\" | sort -u",
    "  else",
    "    # no node states (a busy controller): the job's own node list, which Slurm shrinks when a node fails",
    '    scontrol show hostnames "${list}" | sort -u',
    "  fi",
    "}",
    `# ${n} usable nodes, comma-separated, empty when fewer are left; status 1 when Slurm did not answer.`,
    "# The batch script's own node is taken last, so with a spare it is the spare (its failure ends the",
    "# whole job, spares or not). The list is in Slurm's order: srun sorts --nodelist (srun man page,",
    "# https://slurm.schedmd.com/srun.html#OPT_nodelist), so rank 0 runs on the first node of the sorted list",
    "neoxctl_pick() {",
    "  local usable nodes sorted",
    '  usable="$(neoxctl_usable)" || return 1',
    `  nodes="$(awk -v me="\${SLURMD_NODENAME:-}" '$1 == me {last = $1; next} $1 != "" {print} END {if (last != "") print last}' <<< "\${usable}" |`,
    `    sed -n '1,${n}p' | paste -sd, -)"`,
    `  [ "$(printf '%s' "\${nodes}" | tr ',' '\\n' | grep -c .)" -eq ${n} ] || return 0`,
    '  sorted="$(scontrol show hostlistsorted "${nodes}")" || return 1',
    '  scontrol show hostnames "${sorted}" | paste -sd, -',
    "}",
    "# neoxctl_pick, asked again while Slurm does not answer, for up to $1 seconds; status 1 if it never did",
    "neoxctl_pick_within() {",
    "  local waited",
    "  for ((waited = 0; ; waited += 5)); do",
    "    neoxctl_pick && return 0",
    '    [ "${waited}" -lt "$1" ] || return 1',
    "    sleep 5",
    "  done",
    "}",
    "# NeoX counts its GPUs from the hostfile: exactly the nodes this launch trains on. The first (in Slurm's",
    "# order) runs rank 0, which serves torch.distributed's rendezvous; a new port per restart, so a",
    "# restarted step never meets a socket the failed one left behind",
    "neoxctl_use() {",
    `  tr ',' '\\n' <<< "$1" | awk '{print $1 " slots=${slots}"}' > "\${HOSTFILE}"`,
    '  export MASTER_ADDR="${1%%,*}"',
    "  export MASTER_PORT=$((NEOXCTL_PORT + neoxctl_restarts))",
    "}",
    "# nodes of list $1 that are not usable any more, comma-separated; status 1 (unknown) when Slurm did not answer",
    "neoxctl_lost() {",
    "  local usable",
    '  usable="$(neoxctl_usable)" || return 1',
    `  tr ',' '\\n' <<< "$1" | grep -vxF -f <(printf '%s\\n' "\${usable}") | paste -sd, - || true`,
    "}",
    "# DIR TAG TP DP ZERO_PREFIX: neoxctl_checkpoint's file set, each file non-empty (a save cut short leaves",
    "# empty files; the monitor's checkpoint inspection reads them as incomplete too), and configs/ not empty",
    "neoxctl_saved_complete() {",
    '  local d="$1/$2" tp="$3" dp="$4" zp="$5" r i',
    "  for ((r = 0; r < tp; r++)); do",
    `    [ -s "$(printf '%s/mp_rank_%02d_model_states.pt' "\${d}" "\${r}")" ] || return 1`,
    "  done",
    "  for ((i = 0; i < dp; i++)); do",
    "    for ((r = 0; r < tp; r++)); do",
    `      [ -s "$(printf '%s/%szero_pp_rank_%d_mp_rank_%02d_optim_states.pt' "\${d}" "\${zp}" "\${i}" "\${r}")" ] || return 1`,
    "    done",
    "  done",
    '  [ -n "$(find "${d}/configs" -mindepth 1 -maxdepth 1 -type f -print -quit 2>/dev/null)" ]',
    "}",
    "# the newest complete checkpoint this job saved, else nothing. NeoX writes configs/ last: a step whose",
    "# configs/ files are newer than the job's start was saved by this job, even in a directory an earlier",
    "# job left (after a rollback), whose own time does not change when the files in it are rewritten",
    "neoxctl_newest_saved() {",
    "  local step",
    '  for step in $(find "${NEOXCTL_SAVE}" -mindepth 3 -maxdepth 3 -type f -newer "${NEOXCTL_STARTED}" -printf \'%P\\n\' 2>/dev/null |',
    "    sed -n 's|^global_step\\([0-9][0-9]*\\)/configs/[^/]*$|\\1|p' | sort -rnu); do",
    `    if neoxctl_saved_complete "\${NEOXCTL_SAVE}" "global_step\${step}" ${savedCheckpointShape(plan)}; then`,
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
 * with RESTART_MARKER so the supervisor sees the restart in the log; a restart that cannot happen
 * prints the "node failure …; ending the job" line, never the pre-flight's failure line.
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
  const refused = (why: string, made = "${neoxctl_restarts}"): string =>
    `echo "${m} node failure on \${lost}, ${why} (${made}/${max} in-job restarts); ending the job"`;
  return [
    `# ---- ${spares} spare node${spares === 1 ? "" : "s"}: train on ${n} of the job's ${n + spares} nodes; a node lost mid-run is`,
    "# replaced inside this job (no new submission, no queue wait). The hostfile, MASTER_ADDR and MASTER_PORT",
    "# above are rewritten for the nodes each launch uses.",
    `NEOXCTL_SAVE=${shellQuote(plan.spec.checkpointing.save)}`,
    // the marker's mtime is the job's start: only checkpoints saved after it are this job's own
    'NEOXCTL_STARTED="${RUN_DIR}/launch/started.${SLURM_JOB_ID}"',
    ': > "${NEOXCTL_STARTED}"',
    'NEOXCTL_PORT="${MASTER_PORT}"',
    "neoxctl_restarts=0",
    "# a node whose slurmd stops answering leaves the job only after SlurmdTimeout: wait that long, and a margin",
    `NEOXCTL_GRACE_S="$(scontrol show config 2>/dev/null | awk '$1 == "SlurmdTimeout" {print $3 + 0; exit}')" || true`,
    `[[ "\${NEOXCTL_GRACE_S}" =~ ^[0-9]+$ ]] && [ "\${NEOXCTL_GRACE_S}" -gt 0 ] || NEOXCTL_GRACE_S=${SLURMD_TIMEOUT_DEFAULT_S}`,
    `NEOXCTL_GRACE_S=$((NEOXCTL_GRACE_S + ${NODE_GRACE_S}))`,
    ...helpers(plan),
    ...(l.exitAt !== undefined
      ? exitHelper(l.from, l.exitAt, plan.spec.checkpointing.checkpoint_factor)
      : []),
    `if ! NEOXCTL_NODES="$(neoxctl_pick_within ${NODE_GRACE_S})"; then`,
    "  # no answer from Slurm is no missing input: a failure like any other, not the pre-flight's stop",
    `  echo "${m} squeue did not list the nodes of job \${SLURM_JOB_ID}; ending the job"`,
    `  exit ${SLURM_QUERY_EXIT_CODE}`,
    "fi",
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
    "while :; do",
    `  if ${srun}; then`,
    "    exit 0",
    "  else",
    "    rc=$?",
    "  fi",
    "  # a node Slurm took out of the job, or one it reports DOWN/DRAIN; else the failure is the application's.",
    "  # No answer from Slurm is unknown: wait on, as for a node not yet removed",
    '  lost="$(neoxctl_lost "${NEOXCTL_NODES}")" || lost=\'\'',
    "  for ((waited = 0; waited < NEOXCTL_GRACE_S && ${#lost} == 0; waited += 5)); do",
    "    sleep 5",
    '    lost="$(neoxctl_lost "${NEOXCTL_NODES}")" || lost=\'\'',
    "  done",
    '  [ -n "${lost}" ] || exit "${rc}"',
    `  if [ "\${neoxctl_restarts}" -ge ${max} ]; then`,
    `    ${refused("in-job restart cap reached")}`,
    '    exit "${rc}"',
    "  fi",
    `  if ! NEOXCTL_NODES="$(neoxctl_pick_within "\${NEOXCTL_GRACE_S}")"; then`,
    `    ${refused("squeue did not list the job's nodes")}`,
    '    exit "${rc}"',
    "  fi",
    '  if [ -z "${NEOXCTL_NODES}" ]; then',
    `    ${refused("no spare node left")}`,
    '    exit "${rc}"',
    "  fi",
    "  neoxctl_restarts=$((neoxctl_restarts + 1))",
    // before the arguments: NeoX counts its GPUs from the hostfile
    '  neoxctl_use "${NEOXCTL_NODES}"',
    '  step="$(neoxctl_newest_saved)"',
    '  if [ -n "${step}" ]; then',
    "    # resume from this job's newest complete checkpoint: the attempt's config with load=save at that iteration",
    '    NEOXCTL_ARGV="${RUN_DIR}/launch/train-argv.${SLURM_JOB_ID}.restart-${neoxctl_restarts}"',
    '    ITERATION_CONFIG="${RUN_DIR}/launch/iteration.${SLURM_JOB_ID}.yml"',
    '    printf \'iteration: %s\\n\' "${step}" > "${ITERATION_CONFIG}"',
    ...(l.exitAt !== undefined
      ? [
          // a failed reading keeps the exit in force (an assignment that fails would end the script: set -e)
          '    if exit_at="$(neoxctl_exit_after "${step}")" && [ -n "${exit_at}" ]; then NEOXCTL_EXIT_AT="${exit_at}"; fi',
          '    printf \'exit_interval: %s\\n\' "${NEOXCTL_EXIT_AT}" >> "${ITERATION_CONFIG}"'
        ]
      : []),
    `    if ! ${l.buildArgv} "\${NEOXCTL_ARGV}" ${l.restartConfigs} "\${ITERATION_CONFIG}"; then`,
    "      # the attempt's own configs passed at start: the restart's failed, so the job ends as a node failure",
    "      # (the supervisor resubmits without the node), not as a missing input that stops for a person",
    `      ${refused("restart arguments not built: ${NEOXCTL_ARGV}", "$((neoxctl_restarts - 1))")}`,
    '      exit "${rc}"',
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
