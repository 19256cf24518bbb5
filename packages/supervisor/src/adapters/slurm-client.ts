import { StatusPoller } from "@neoxctl/slurm";
import type { SlurmClient } from "@neoxctl/slurm";
import type { JobStatus, JobState as SlurmJobState } from "@neoxctl/slurm";
import type { JobState, JobView, SlurmPort, SubmitInput, SubmittedJob } from "../ports.ts";

/** The supervisor's view of @neoxctl/slurm: one StatusPoller per cluster, so one squeue per cycle. */
export class SlurmAdapter implements SlurmPort {
  private readonly poller: StatusPoller;

  constructor(readonly client: SlurmClient) {
    this.poller = new StatusPoller(client);
  }

  submit(req: SubmitInput): Promise<string> {
    const extraArgs = [...(req.hold ? ["--hold"] : []), ...(req.noRequeue ? ["--no-requeue"] : [])];
    return this.client.submit({ scriptPath: req.scriptPath, cwd: req.cwd, runId: req.runId, attempt: req.attempt, ...(extraArgs.length ? { extraArgs } : {}) });
  }

  release(jobId: string): Promise<void> {
    return this.client.release([jobId]);
  }

  cancel(jobId: string): Promise<void> {
    return this.client.cancel([jobId]);
  }

  async poll(jobIds: readonly string[]): Promise<Map<string, JobView>> {
    const r = await this.poller.poll(jobIds);
    const failed = new Map(r.requeues.map((q) => [q.jobId, q.failedNodes]));
    const out = new Map<string, JobView>();
    for (const [id, s] of r.statuses) out.set(id, toView(s, failed.get(id)));
    return out;
  }

  async findSubmissions(runId: string): Promise<SubmittedJob[]> {
    const found = await this.client.findSubmissions(runId);
    return found.filter((j) => j.tag?.runId === runId).map((j) => ({ jobId: j.jobId, attempt: j.tag!.attempt }));
  }

  async downNodes(nodes: readonly string[]): Promise<string[]> {
    const bad = (await this.client.nodes()).filter((n) => n.availability === "down" || n.availability === "drain").map((n) => n.name);
    return (nodes.length ? bad.filter((n) => nodes.includes(n)) : bad).sort();
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
export function fold(state: SlurmJobState): JobState {
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
