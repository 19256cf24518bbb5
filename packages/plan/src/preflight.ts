import type { Attempt, Plan } from "./types.ts";
import { DEEPY_ARGV, RANK_LAUNCHER } from "./rank-launcher.ts";
import { shellQuote } from "./shell-quote.ts";

/** Exit status of a batch script whose pre-flight check failed (sysexits' EX_CONFIG). */
export const PREFLIGHT_EXIT_CODE = 78;

/**
 * Shell helpers. A failed check prints exactly one `neoxctl-preflight: FAIL <what>: <path>` line
 * (the monitor's evidence) and exits with PREFLIGHT_EXIT_CODE before a single rank starts.
 * Checkpoint completeness follows DeepSpeed's file names (DeeperSpeed engine.py `_get_ckpt_name`,
 * `_get_zero_ckpt_name`): one model-states file per tensor-parallel rank, one optimizer shard per
 * (data-parallel, tensor-parallel) rank, and NeoX's `configs/`, written last.
 */
const HELPERS = [
  "neoxctl_fail() {",
  `  printf 'neoxctl-preflight: FAIL %s: %s\\n' "$1" "$2"`,
  `  exit ${PREFLIGHT_EXIT_CODE}`,
  "}",
  'neoxctl_need() { [ -e "$2" ] || neoxctl_fail "$1" "$2"; }',
  "# DIR TAG(empty: read DIR/latest) TP DP ZERO_PREFIX: the step directory DeepSpeed would load is complete",
  "neoxctl_checkpoint() {",
  '  local dir="$1" tag="$2" tp="$3" dp="$4" zp="$5" r d',
  '  if [ -z "${tag}" ]; then',
  '    [ -f "${dir}/latest" ] || neoxctl_fail checkpoint "${dir}/latest"',
  '    tag="$(cat -- "${dir}/latest")"',
  "  fi",
  '  [[ "${tag}" =~ ^[A-Za-z0-9_.-]+$ ]] || neoxctl_fail checkpoint "${dir}/latest"',
  '  [ -d "${dir}/${tag}" ] || neoxctl_fail checkpoint "${dir}/${tag}"',
  "  for ((r = 0; r < tp; r++)); do",
  `    neoxctl_need checkpoint "$(printf '%s/%s/mp_rank_%02d_model_states.pt' "\${dir}" "\${tag}" "\${r}")"`,
  "  done",
  "  for ((d = 0; d < dp; d++)); do",
  "    for ((r = 0; r < tp; r++)); do",
  `      neoxctl_need checkpoint "$(printf '%s/%s/%szero_pp_rank_%d_mp_rank_%02d_optim_states.pt' "\${dir}" "\${tag}" "\${zp}" "\${d}" "\${r}")"`,
  "    done",
  "  done",
  '  if [ "${dp}" -gt 0 ] && [ -z "$(ls -A -- "${dir}/${tag}/configs" 2>/dev/null)" ]; then',
  '    neoxctl_fail checkpoint "${dir}/${tag}/configs"',
  "  fi",
  "}"
];

/** `TP DP ZERO_PREFIX` of neoxctl_checkpoint for a checkpoint the run itself saved (model states and optimizer shards). */
export function savedCheckpointShape(plan: Plan): string {
  const zp = plan.spec.precision === "bf16" ? "bf16_" : "''";
  return `${Math.max(plan.layout.tp, 1)} ${plan.layout.dp} ${zp}`;
}

function checkpointCheck(plan: Plan, attempt: Attempt): string {
  const tp = Math.max(plan.layout.tp, 1);
  switch (attempt.load.kind) {
    case "init":
      // the converted checkpoint: model states only (convert_hf_llama_to_neox.py writes no optimizer)
      return `neoxctl_checkpoint ${shellQuote(plan.spec.init.checkpoint)} '' ${tp} 0 ''`;
    case "resume": {
      const tag = attempt.load.iteration !== undefined ? `global_step${attempt.load.iteration}` : "''";
      return `neoxctl_checkpoint ${shellQuote(plan.spec.checkpointing.save)} ${tag} ${savedCheckpointShape(plan)}`;
    }
  }
}

/** Every data prefix the configs name (train, valid, test), once each; NeoX reads PREFIX.bin and PREFIX.idx. */
export function dataPrefixes(plan: Plan): string[] {
  const all = [...plan.data.entries.map((e) => e.path), ...plan.data.valid, ...plan.data.test];
  return [...new Set(all)];
}

function launcherChecks(plan: Plan): string[] {
  const need = (path: string): string => `neoxctl_need launcher ${path}`;
  const l = plan.profile.launcher;
  const dir = l.kind === "deepy" ? l.neox_dir.replace(/\/+$/, "") : "";
  const neox = l.kind === "deepy" ? [need(shellQuote(`${dir}/train.py`))] : [];
  const mode = plan.profile.launch.mode;
  switch (mode) {
    case "per_rank":
      return [
        need(`"\${RUN_DIR}"/${RANK_LAUNCHER}`),
        ...(l.kind === "deepy" ? [need(`"\${RUN_DIR}"/${DEEPY_ARGV}`)] : []),
        ...neox
      ];
    case "deepy_host":
      return [...(l.kind === "deepy" ? [need(shellQuote(`${dir}/deepy.py`))] : []), ...neox];
  }
}

/** The pre-flight block of the batch script: every input exists before srun starts any rank. */
export function renderPreflight(plan: Plan, attempt: Attempt): string[] {
  const p = plan.profile;
  const c = p.container;
  const e = p.environment;
  const need = (what: string, path: string): string => `neoxctl_need ${what} ${path}`;
  return [
    "# ---- pre-flight: nothing below starts a rank until every input exists",
    ...HELPERS,
    ...(c.kind === "singularity" && c.image.startsWith("/") ? [need("image", shellQuote(c.image))] : []),
    ...e.overlays.map((o) => need("overlay", shellQuote(o))),
    ...(e.venv !== undefined ? [need("venv", shellQuote(`${e.venv}/bin/activate`))] : []),
    ...launcherChecks(plan),
    checkpointCheck(plan, attempt),
    "for prefix in \\",
    ...dataPrefixes(plan).map((d) => `  ${shellQuote(d)} \\`),
    "  ; do",
    '  neoxctl_need data "${prefix}.bin"',
    '  neoxctl_need data "${prefix}.idx"',
    "done",
    "echo 'neoxctl-preflight: OK'",
    ""
  ];
}
