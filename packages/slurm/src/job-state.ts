/**
 * Job states as the supervisor must tell them apart. Slurm reports a base state plus flags
 * (`job_state` is a string in 22.05 JSON, an array like ["PENDING","REQUEUED"] in 23.02+, and
 * `CANCELLED by 0` in sacct text); `normalizeJobState` folds all of those into one member here.
 */
export const JOB_STATES = [
  // waiting / active
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "SUSPENDED",
  "COMPLETING",
  "RESIZING",
  "SIGNALING",
  "STAGE_OUT",
  "STOPPED",
  // requeue family: the same job id will run again (or waits for release)
  "REQUEUED",
  "REQUEUE_HOLD",
  "REQUEUE_FED",
  "SPECIAL_EXIT",
  "RESV_DEL_HOLD",
  // final
  "COMPLETED",
  "FAILED",
  "TIMEOUT",
  "NODE_FAIL",
  "PREEMPTED",
  "CANCELLED",
  "OUT_OF_MEMORY",
  "BOOT_FAIL",
  "DEADLINE",
  "REVOKED",
  // Slurm said something this client does not know (kept in JobStatus.rawState)
  "UNKNOWN"
] as const;

export type JobState = (typeof JOB_STATES)[number];

const BASE_ALIASES: Readonly<Record<string, JobState>> = {
  PENDING: "PENDING",
  PD: "PENDING",
  RUNNING: "RUNNING",
  R: "RUNNING",
  SUSPENDED: "SUSPENDED",
  S: "SUSPENDED",
  COMPLETE: "COMPLETED",
  COMPLETED: "COMPLETED",
  CD: "COMPLETED",
  CANCELLED: "CANCELLED",
  CA: "CANCELLED",
  FAILED: "FAILED",
  F: "FAILED",
  TIMEOUT: "TIMEOUT",
  TO: "TIMEOUT",
  NODE_FAIL: "NODE_FAIL",
  NF: "NODE_FAIL",
  PREEMPTED: "PREEMPTED",
  PR: "PREEMPTED",
  BOOT_FAIL: "BOOT_FAIL",
  BF: "BOOT_FAIL",
  DEADLINE: "DEADLINE",
  DL: "DEADLINE",
  OUT_OF_MEMORY: "OUT_OF_MEMORY",
  OOM: "OUT_OF_MEMORY"
};

/**
 * Flags that say more than the base state does, in precedence order: when Slurm reports
 * ["PENDING","REQUEUE_HOLD"] the supervisor must see REQUEUE_HOLD, not PENDING.
 */
const FLAG_PRECEDENCE: readonly [string, JobState][] = [
  ["REQUEUE_HOLD", "REQUEUE_HOLD"],
  ["RQ_HOLD", "REQUEUE_HOLD"],
  ["SPECIAL_EXIT", "SPECIAL_EXIT"],
  ["SE", "SPECIAL_EXIT"],
  ["REQUEUE_FED", "REQUEUE_FED"],
  ["REQUEUED", "REQUEUED"],
  ["REQUEUE", "REQUEUED"],
  ["RQ", "REQUEUED"],
  ["RESV_DEL_HOLD", "RESV_DEL_HOLD"],
  ["REVOKED", "REVOKED"],
  ["RV", "REVOKED"],
  ["STOPPED", "STOPPED"],
  ["ST", "STOPPED"],
  ["SIGNALING", "SIGNALING"],
  ["SI", "SIGNALING"],
  ["STAGE_OUT", "STAGE_OUT"],
  ["SO", "STAGE_OUT"],
  ["RESIZING", "RESIZING"],
  ["RS", "RESIZING"],
  ["CONFIGURING", "CONFIGURING"],
  ["CF", "CONFIGURING"],
  ["COMPLETING", "COMPLETING"],
  ["CG", "COMPLETING"]
];

export interface NormalizedState {
  state: JobState;
  /** every token Slurm reported, upper-cased (base first) */
  tokens: string[];
  /** `CANCELLED by 1234` → "1234" (a uid in sacct text) */
  cancelledBy: string | null;
}

/** Accepts `"RUNNING"`, `["PENDING","REQUEUED"]`, `"CANCELLED by 0"`, `"PD"`. */
export function normalizeJobState(raw: unknown): NormalizedState {
  let tokens: string[] = [];
  let cancelledBy: string | null = null;
  if (Array.isArray(raw)) {
    tokens = raw.filter((t): t is string => typeof t === "string").map((t) => t.toUpperCase());
  } else if (typeof raw === "string") {
    const by = /^CANCELLED\s+by\s+(\S+)/i.exec(raw.trim());
    if (by?.[1]) cancelledBy = by[1];
    tokens = raw
      .trim()
      .replace(/\s+by\s+\S+$/i, "")
      .split(/[\s,+]+/)
      .filter((t) => t.length > 0)
      .map((t) => t.toUpperCase());
  }
  for (const [flag, state] of FLAG_PRECEDENCE) {
    if (tokens.includes(flag)) return { state, tokens, cancelledBy };
  }
  for (const t of tokens) {
    const base = BASE_ALIASES[t];
    if (base) return { state: base, tokens, cancelledBy };
  }
  return { state: "UNKNOWN", tokens, cancelledBy };
}

export type StatePhase = "waiting" | "active" | "requeue" | "final" | "unknown";

/** Where a state sits in a job's life; exhaustive so a new state must be classified on purpose. */
export function statePhase(state: JobState): StatePhase {
  switch (state) {
    case "PENDING":
    case "CONFIGURING":
      return "waiting";
    case "RUNNING":
    case "SUSPENDED":
    case "COMPLETING":
    case "RESIZING":
    case "SIGNALING":
    case "STAGE_OUT":
    case "STOPPED":
      return "active";
    case "REQUEUED":
    case "REQUEUE_HOLD":
    case "REQUEUE_FED":
    case "SPECIAL_EXIT":
    case "RESV_DEL_HOLD":
      return "requeue";
    case "COMPLETED":
    case "FAILED":
    case "TIMEOUT":
    case "NODE_FAIL":
    case "PREEMPTED":
    case "CANCELLED":
    case "OUT_OF_MEMORY":
    case "BOOT_FAIL":
    case "DEADLINE":
    case "REVOKED":
      return "final";
    case "UNKNOWN":
      return "unknown";
  }
}

export function isFinal(state: JobState): boolean {
  return statePhase(state) === "final";
}
