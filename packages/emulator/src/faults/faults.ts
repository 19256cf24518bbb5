import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Fault knobs, all from the environment: NeoX rejects unknown config keys, so none can live there. */
export type FaultKind =
  | "crash"
  | "hang"
  | "nan"
  | "spike"
  | "die_in_save"
  | "slow"
  | "rccl_error"
  | "gpu_fault"
  | "oom"
  | "collective_timeout"
  | "py_error"
  | "step_node_fail"
  | "hip_error"
  | "rank_death";

export interface FaultPlan {
  crash: { step: number; code: number } | null;
  hang: { step: number } | null;
  nan: { step: number } | null;
  spike: { step: number } | null;
  die_in_save: { step: number; code: number } | null;
  slow: { step: number; factor: number } | null;
  rccl_error: { step: number } | null;
  gpu_fault: { step: number } | null;
  oom: { step: number } | null;
  collective_timeout: { step: number } | null;
  py_error: { step: number } | null;
  step_node_fail: { step: number } | null;
  hip_error: { step: number } | null;
  /** a non-zero rank dies `afterMs` after it started (the "step" of the ledger is the rank) */
  rank_death: { rank: number; afterMs: number } | null;
}

const ENV_NAMES: Record<FaultKind, string> = {
  crash: "NEOX_EMU_CRASH_AT",
  hang: "NEOX_EMU_HANG_AT",
  nan: "NEOX_EMU_NAN_AT",
  spike: "NEOX_EMU_SPIKE_AT",
  die_in_save: "NEOX_EMU_DIE_IN_SAVE_AT",
  slow: "NEOX_EMU_SLOW_FROM",
  rccl_error: "NEOX_EMU_RCCL_ERROR_AT",
  gpu_fault: "NEOX_EMU_GPU_FAULT_AT",
  oom: "NEOX_EMU_OOM_AT",
  collective_timeout: "NEOX_EMU_COLLECTIVE_TIMEOUT_AT",
  py_error: "NEOX_EMU_PY_ERROR_AT",
  step_node_fail: "NEOX_EMU_STEP_NODE_FAIL_AT",
  hip_error: "NEOX_EMU_HIP_ERROR_AT",
  rank_death: "NEOX_EMU_RANK_DEATH"
};

function pair(v: string | undefined, name: string): [number, number | null] | null {
  if (v === undefined || v.trim() === "") return null;
  const m = /^(\d+)(?::([\d.]+))?$/.exec(v.trim());
  if (!m) throw new Error(`${name}=${v}: expected <step>[:<number>]`);
  return [Number(m[1]), m[2] === undefined ? null : Number(m[2])];
}

export function parseFaultPlan(env: NodeJS.ProcessEnv): FaultPlan {
  const at = (k: FaultKind): { step: number } | null => {
    const p = pair(env[ENV_NAMES[k]], ENV_NAMES[k]);
    return p ? { step: p[0] } : null;
  };
  const withCode = (k: FaultKind): { step: number; code: number } | null => {
    const p = pair(env[ENV_NAMES[k]], ENV_NAMES[k]);
    return p ? { step: p[0], code: p[1] ?? 1 } : null;
  };
  const slow = pair(env[ENV_NAMES.slow], ENV_NAMES.slow);
  const death = pair(env[ENV_NAMES.rank_death], ENV_NAMES.rank_death);
  return {
    crash: withCode("crash"),
    hang: at("hang"),
    nan: at("nan"),
    spike: at("spike"),
    die_in_save: withCode("die_in_save"),
    slow: slow ? { step: slow[0], factor: slow[1] ?? 10 } : null,
    rccl_error: at("rccl_error"),
    gpu_fault: at("gpu_fault"),
    oom: at("oom"),
    collective_timeout: at("collective_timeout"),
    py_error: at("py_error"),
    step_node_fail: at("step_node_fail"),
    hip_error: at("hip_error"),
    rank_death: death ? { rank: death[0], afterMs: death[1] ?? 0 } : null
  };
}

/** Where fired faults are remembered: outside the checkpoint dir, so a rollback cannot erase it. */
export function defaultStateFile(
  env: NodeJS.ProcessEnv,
  save: string | null,
  load: string | null,
  cwd: string
): string {
  const explicit = env["NEOX_EMU_STATE_FILE"];
  if (explicit) return explicit;
  const anchor = save ?? load;
  return anchor
    ? join(dirname(resolve(cwd, anchor)), ".neox-emulator-state.json")
    : join(cwd, ".neox-emulator-state.json");
}

/**
 * A fault fires once per run (across retries/resumes) unless NEOX_EMU_<KIND>_REPEAT=1 or
 * NEOX_EMU_REPEAT=1, so that a resumed attempt gets past the step that killed the previous one.
 */
export class FaultLedger {
  private fired: Record<string, boolean>;

  constructor(
    private readonly path: string,
    private readonly env: NodeJS.ProcessEnv
  ) {
    this.fired = existsSync(path)
      ? ((JSON.parse(readFileSync(path, "utf8")) as { fired?: Record<string, boolean> }).fired ?? {})
      : {};
  }

  private repeats(kind: FaultKind): boolean {
    const base = ENV_NAMES[kind].replace(/_(AT|FROM)$/, "");
    return this.env[`${base}_REPEAT`] === "1" || this.env["NEOX_EMU_REPEAT"] === "1";
  }

  /** True if the fault should fire now; records it before the caller acts (the act may kill us). */
  claim(kind: FaultKind, step: number): boolean {
    const key = `${kind}@${step}`;
    if (!this.repeats(kind) && this.fired[key]) return false;
    this.fired[key] = true;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, JSON.stringify({ fired: this.fired }, null, 1));
    return true;
  }
}
