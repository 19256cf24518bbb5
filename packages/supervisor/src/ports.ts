import type { OomSource, RcclTransportReading, StorageFault } from "@neoxctl/monitor";

/**
 * What the supervisor needs from Slurm, the planner and the log monitor, in the supervisor's own
 * terms. Adapters (adapters/*.ts) map the sibling packages onto these shapes, so the policy and
 * the worker stay testable and independent of how those packages spell things.
 */

/**
 * The job states the supervisor decides on: Slurm's own states (`JobState` in @neoxctl/slurm, 25 of
 * them) folded by the adapter (`fold` in adapters/slurm-client.ts) into the ones that change a decision.
 */
export const JOB_VIEW_STATES = [
  "PENDING",
  "RUNNING",
  "REQUEUED",
  "COMPLETING",
  "COMPLETED",
  "FAILED",
  "NODE_FAIL",
  "TIMEOUT",
  "PREEMPTED",
  "CANCELLED",
  "OUT_OF_MEMORY",
  "UNKNOWN"
] as const;
export type JobViewState = (typeof JOB_VIEW_STATES)[number];

export interface JobView {
  jobId: string;
  state: JobViewState;
  exitCode?: number | null;
  /** nodes the job ran on (or was allocated) */
  nodes: string[];
  /** nodes Slurm blames (NODE_FAIL), when known */
  failedNodes?: string[];
  /** Slurm's own requeue count for this job id */
  restarts: number;
  reason?: string;
}

/** One task of a graph step's job, as accounting reports it. */
export interface StepTaskView {
  key: string;
  state: JobViewState;
  exitCode?: number | null;
  nodes: string[];
  reason?: string;
}

export interface SubmittedJob {
  jobId: string;
  /** the training attempt, or STEP_JOB_ATTEMPT for a graph step's job */
  attempt: number;
  /** the nonce of the attempt record that submitted it; absent on jobs submitted before nonces */
  nonce?: string;
}

export interface SubmitInput {
  scriptPath: string;
  cwd: string;
  runId: string;
  attempt: number;
  /** the submitting record's nonce, carried in the job's tag (see worker/own-submission.ts) */
  nonce?: string;
  /** submit held (`sbatch --hold`): it waits until released, e.g. while it replaces a queued continuation */
  hold?: boolean;
}

/** One submission of a graph step: the whole step, or the tasks of an array to run (again). */
export interface StepSubmitInput {
  scriptPath: string;
  cwd: string;
  runId: string;
  /** array task indices (`--array=<list>%<maxConcurrent>`); undefined for a non-array step */
  tasks?: readonly number[];
  maxConcurrent?: number;
  /** `--dependency=afterok:<ids>` */
  afterOk: readonly string[];
  exclude: readonly string[];
  /** the graph step's partition (`--partition`, over whatever the script says) */
  partition: string;
  /** `--output`, with Slurm's `%A`/`%a`/`%j` patterns */
  output: string;
  /** the recorded submission's nonce, carried in the job's tag (see worker/own-submission.ts) */
  nonce: string;
}

/** The attempt number in a graph step job's tag: 0, never mistaken for a training attempt (1, 2, …). */
export const STEP_JOB_ATTEMPT = 0;

export interface SlurmPort {
  /** sbatch one graph step (tagged with the run, STEP_JOB_ATTEMPT and the submission's nonce) */
  submitStep(req: StepSubmitInput): Promise<string>;
  /**
   * ONE accounting query for the given step jobs: every task of each (array tasks as
   * `<jobId>_<task>`, still-pending ranges expanded), keyed as graph-view's taskKey
   */
  stepTasks(jobIds: readonly string[]): Promise<Map<string, StepTaskView>>;
  /** sbatch the script; the job carries the run/attempt tag in its comment */
  submit(req: SubmitInput): Promise<string>;
  cancel(jobId: string): Promise<void>;
  /** releases a held job; releasing one that is not held is not an error */
  release(jobId: string): Promise<void>;
  /** ONE call for all jobs; jobs Slurm no longer knows are absent from the map */
  poll(jobIds: readonly string[]): Promise<Map<string, JobView>>;
  /**
   * jobs carrying this run's tag, to reconcile after a crash; oldest attempt first. A job of an
   * earlier run under the same id carries the tag too: adopt only by nonce (`ownSubmission`)
   */
  findSubmissions(runId: string): Promise<SubmittedJob[]>;
  /** nodes currently DOWN/DRAINED/FAILED among `nodes` (all of the cluster's when empty) */
  downNodes(nodes: readonly string[]): Promise<string[]>;
}

/** What the log stream of one attempt has shown so far. */
export interface Observations {
  lastIteration?: number;
  /** first training iteration printed by this attempt */
  firstIteration?: number;
  /** from `Loading checkpoint and starting from iteration N` */
  resumedFrom?: number;
  unableToLoad: boolean;
  /** the checkpoint-loading lines seen (evidence for the silent-restart guard) */
  loadLines?: string[];
  /** from `exiting the program at iteration N` (exit_interval) */
  exitedAt?: number;
  /** an unrecovered or recovered spike, NaN or divergence episode */
  alarm?: LossAlarm;
  /** RCCL/HIP errors naming nodes */
  errorNodes: string[];
  errorLines: string[];
  hang: boolean;
  /** the first out-of-memory the job's output reports (allocator, srun, slurmstepd, kernel) */
  outOfMemory?: OutOfMemory;
  /** the first collective the PyTorch watchdog gave up on: a hang, with the rank that reported it */
  collectiveTimeout?: CollectiveTimeout;
  /** the first Python exception that ended a traceback, with the innermost NeoX/DeepSpeed frame above it */
  exception?: PythonException;
  /** the first write the trainer raised on because storage refused it (see StorageFailure) */
  storageError?: StorageFailure;
  /** the batch script's pre-flight found an input missing (`neoxctl-preflight: FAIL <what>: <path>`) */
  preflight?: { what: string; path: string; line: string };
  lastLr?: number;
  /** RCCL's network choice, once any rank logged it (needs NCCL_DEBUG=INFO; see monitor's readRcclTransport) */
  rccl?: RcclTransportReading;
  /** the last few log lines, for evidence */
  tail: string[];
  /** nodes srun reported lost (`srun: error: Node failure on …`) since the step last started */
  slurmLostNodes?: string[];
  /** in-job restarts the batch script made on spare nodes (`neoxctl-restart:` lines), oldest first */
  inJobRestarts?: InJobRestart[];
  /** the newest in-job restart, until its event is recorded */
  unnotedRestart?: InJobRestart;
}

/** The batch script started the training step again on a spare (packages/plan spare-launch.ts). */
export interface InJobRestart {
  /** 1-based count within the job */
  restart: number;
  max: number;
  /** the nodes the step runs on now */
  nodes: string[];
  /** the nodes that left the job */
  lost: string[];
  /** `checkpoint N` or `the attempt's start` */
  from: string;
  line: string;
}

export interface LossAlarm {
  /** the detector's alarm kinds, and `outlier` for its notices */
  kind: "spike" | "nan" | "divergence" | "climb" | "outlier";
  /** false for a notice (a one-point outlier that came straight back): never a reason to act */
  actionable: boolean;
  /** rewinds the detector had seen: which pass over these steps this is */
  segment: number;
  onsetStep: number;
  /** step where it was detected */
  step: number;
  recovered: boolean;
  recoveredAt?: number;
  lines: string[];
}

/**
 * Storage refused a write and the trainer raised: no write permission, a read-only or full file
 * system. Retrying the same job cannot change any of these.
 */
export interface StorageFailure {
  fault: StorageFault;
  path: string | null;
  /** the checkpoint being saved, when the lines name a `global_stepN` */
  step: number | null;
  /** DeepSpeed's "Failed saving model checkpoint" line, if any, then the exception line */
  lines: string[];
}

/** An out-of-memory: a configuration problem (batch, parallelism, activation checkpointing) a retry does not fix. */
export interface OutOfMemory {
  source: OomSource;
  /** the node srun names, if it does */
  node: string | null;
  /** the lines that say so (a few) */
  lines: string[];
}

export interface CollectiveTimeout {
  rank: number | null;
  op: string | null;
  seq: number | null;
  ms: number | null;
  lines: string[];
}

export interface PythonException {
  type: string;
  message: string;
  /** `file:line in func` of the innermost trainer frame before it, if any */
  frame: string | null;
  lines: string[];
}

export function emptyObservations(): Observations {
  return { unableToLoad: false, errorNodes: [], errorLines: [], hang: false, tail: [] };
}
