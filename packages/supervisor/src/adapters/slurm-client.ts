import { StatusPoller } from "@neoxctl/slurm";
import type { SlurmClient } from "@neoxctl/slurm";
import type { JobStatus, JobState as SlurmJobState } from "@neoxctl/slurm";
import type {
  JobViewState,
  JobView,
  SlurmPort,
  StepSubmitInput,
  StepTaskView,
  SubmitInput,
  SubmittedJob
} from "../ports.ts";
import { STEP_JOB_ATTEMPT } from "../ports.ts";
import { parseStepTasks, stepSacctArgv } from "./step-tasks.ts";
import { NodeStateCache } from "./node-states.ts";

export interface SlurmAdapterOptions {
  /**
   * How old the cluster's DOWN/DRAIN list may be (default 30 s). Every `sinfo` costs slurmctld two
   * RPCs; a poll that sees a NODE_FAIL or a requeue refreshes the list in that same cycle.
   */
  nodeStateMaxAgeMs?: number;
  now?: () => number;
}

export const DEFAULT_NODE_STATE_MAX_AGE_MS = 30_000;

/**
 * The supervisor's view of @neoxctl/slurm: one StatusPoller per cluster, so one squeue per cycle,
 * and node states at most once per `nodeStateMaxAgeMs`.
 */
export class SlurmAdapter implements SlurmPort {
  private readonly poller: StatusPoller;
  private readonly nodeStates: NodeStateCache;
  /** nodes the last poll saw running tracked jobs */
  private running = new Set<string>();

  constructor(
    readonly client: SlurmClient,
    options: SlurmAdapterOptions = {}
  ) {
    this.poller = new StatusPoller(client);
    const fetch = async (): Promise<string[]> =>
      (await client.nodes())
        .filter((n) => n.availability === "down" || n.availability === "drain")
        .map((n) => n.name);
    this.nodeStates = new NodeStateCache(
      fetch,
      options.nodeStateMaxAgeMs ?? DEFAULT_NODE_STATE_MAX_AGE_MS,
      options.now
    );
  }

  submit(req: SubmitInput): Promise<string> {
    // --no-requeue is in the rendered script too; on the command line it also wins over an
    // `extra_directives` entry that asks for --requeue: the supervisor's recovery relies on it
    const extraArgs = [...(req.hold ? ["--hold"] : []), "--no-requeue"];
    return this.client.submit({
      scriptPath: req.scriptPath,
      cwd: req.cwd,
      runId: req.runId,
      attempt: req.attempt,
      nonce: req.nonce,
      extraArgs
    });
  }

  submitStep(req: StepSubmitInput): Promise<string> {
    const extraArgs = ["--no-requeue", `--partition=${req.partition}`, `--output=${req.output}`];
    if (req.tasks)
      extraArgs.push(
        `--array=${req.tasks.join(",")}${req.maxConcurrent !== undefined ? `%${req.maxConcurrent}` : ""}`
      );
    return this.client.submit({
      scriptPath: req.scriptPath,
      cwd: req.cwd,
      runId: req.runId,
      // never adopted as a training attempt; after a crash, found again by its nonce
      attempt: STEP_JOB_ATTEMPT,
      nonce: req.nonce,
      ...(req.afterOk.length ? { dependency: `afterok:${req.afterOk.join(":")}` } : {}),
      ...(req.exclude.length ? { exclude: req.exclude } : {}),
      extraArgs
    });
  }

  async stepTasks(jobIds: readonly string[]): Promise<Map<string, StepTaskView>> {
    if (jobIds.length === 0) return new Map();
    return parseStepTasks((await this.client.run(stepSacctArgv(jobIds))).stdout);
  }

  release(jobId: string): Promise<void> {
    return this.client.release([jobId]);
  }

  cancel(jobId: string): Promise<void> {
    return this.client.cancel([jobId]);
  }

  async poll(jobIds: readonly string[]): Promise<Map<string, JobView>> {
    const r = await this.poller.poll(jobIds);
    if (r.requeues.length > 0 || r.nodeFailures.length > 0) this.nodeStates.invalidate();
    const failed = new Map([...r.requeues, ...r.nodeFailures].map((q) => [q.jobId, q.failedNodes]));
    const out = new Map<string, JobView>();
    for (const [id, s] of r.statuses) out.set(id, toView(s, failed.get(id)));
    this.running = new Set(
      [...r.statuses.values()].filter((s) => s.state === "RUNNING").flatMap((s) => s.nodes)
    );
    return out;
  }

  async findSubmissions(runId: string): Promise<SubmittedJob[]> {
    const found = await this.client.findSubmissions(runId);
    // Slurm lists an array's tasks as jobs of their own: the submission is the array (the id
    // sbatch printed, which the graph records and waits on), counted once
    const out = new Map<string, SubmittedJob>();
    for (const { jobId, arrayJobId, tag } of found)
      if (tag?.runId === runId) {
        const id = arrayJobId ?? jobId;
        if (!out.has(id)) out.set(id, { jobId: id, attempt: tag.attempt, nonce: tag.nonce });
      }
    return [...out.values()];
  }

  async downNodes(nodes: readonly string[]): Promise<string[]> {
    const bad = await this.nodeStates.bad(this.running);
    return (nodes.length ? bad.filter((n) => nodes.includes(n)) : [...bad]).sort();
  }
}

function toView(s: JobStatus, failedNodes: string[] | undefined): JobView {
  return {
    jobId: s.jobId,
    state: fold(s.state),
    exitCode: s.exitCode,
    nodes: s.nodes,
    ...(failedNodes?.length ? { failedNodes } : {}),
    restarts: s.restarts,
    ...(s.reason ? { reason: s.reason } : {})
  };
}

/** Slurm's full state list folded onto the states the policy distinguishes. */
export function fold(state: SlurmJobState): JobViewState {
  switch (state) {
    case "PENDING":
    case "CONFIGURING":
      return "PENDING";
    case "RUNNING":
      return "RUNNING";
    case "COMPLETING":
      return "COMPLETING";
    case "REQUEUED":
    case "REQUEUE_HOLD":
    case "REQUEUE_FED":
    case "SPECIAL_EXIT":
    case "RESV_DEL_HOLD":
      return "REQUEUED";
    case "COMPLETED":
      return "COMPLETED";
    case "FAILED":
      return "FAILED";
    case "TIMEOUT":
    case "DEADLINE":
      return "TIMEOUT";
    case "NODE_FAIL":
    case "BOOT_FAIL":
      return "NODE_FAIL";
    case "PREEMPTED":
      return "PREEMPTED";
    case "CANCELLED":
    case "REVOKED":
      return "CANCELLED";
    case "OUT_OF_MEMORY":
      return "OUT_OF_MEMORY";
    case "SUSPENDED":
    case "RESIZING":
    case "SIGNALING":
    case "STAGE_OUT":
    case "STOPPED":
    case "UNKNOWN":
      return "UNKNOWN";
  }
}
