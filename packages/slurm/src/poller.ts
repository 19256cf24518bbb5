import type { SlurmClient, AccountingMode } from "./client.ts";
import type { JobStatus } from "./job-status.ts";
import { lookupJobs } from "./lookup.ts";
import { statePhase, type JobState } from "./job-state.ts";

/** Slurm put a job back in the queue by itself (JobRequeue=1 after a node failure, or a requeue). */
export interface RequeueEvent {
  jobId: string;
  restarts: number;
  /** where the job ran before it was requeued */
  previousNodes: string[];
  /** those of previousNodes that are now DOWN/DRAIN (the likely culprits) */
  failedNodes: string[];
}

/** A tracked job ended as NODE_FAIL (first seen this cycle). */
interface NodeFailureEvent {
  jobId: string;
  nodes: string[];
  /** those of nodes that are now DOWN/DRAIN */
  failedNodes: string[];
}

export interface PollResult {
  statuses: Map<string, JobStatus>;
  /** tracked ids no source knows any more (purged, or a typo) */
  missing: string[];
  requeues: RequeueEvent[];
  nodeFailures: NodeFailureEvent[];
  accounting: AccountingMode | "unknown";
  /** Slurm commands this cycle ran, in order (for the RPC budget) */
  commands: string[];
}

/**
 * Polls many jobs at a fixed cost: one `squeue --json` per cycle, then at most one `sacct` for
 * tracked jobs that left the controller's table, or — on clusters without accounting — one
 * `scontrol -o show job`. `sinfo` runs only in a cycle that first sees a requeue or a NODE_FAIL.
 */
export class StatusPoller {
  private accounting: AccountingMode | "unknown" = "unknown";
  private readonly lastSeen = new Map<string, { nodes: string[]; restarts: number; state: JobState }>();

  constructor(private readonly client: SlurmClient) {}

  async poll(jobIds: readonly string[]): Promise<PollResult> {
    const { statuses, missing, accounting, commands } = await lookupJobs(
      this.client,
      jobIds,
      this.accounting
    );
    this.accounting = accounting;

    const nodeFailures: NodeFailureEvent[] = [...statuses.values()]
      .filter((s) => s.state === "NODE_FAIL" && this.lastSeen.get(s.jobId)?.state !== "NODE_FAIL")
      .map((s) => ({ jobId: s.jobId, nodes: s.nodes, failedNodes: [] }));
    const requeues = this.remember(statuses);
    if (requeues.length > 0 || nodeFailures.length > 0) {
      commands.push("sinfo --json");
      const bad = new Set(
        (await this.client.nodes())
          .filter((n) => n.availability === "down" || n.availability === "drain")
          .map((n) => n.name)
      );
      for (const r of requeues) r.failedNodes = r.previousNodes.filter((n) => bad.has(n));
      for (const f of nodeFailures) f.failedNodes = f.nodes.filter((n) => bad.has(n));
    }
    return { statuses, missing, requeues, nodeFailures, accounting: this.accounting, commands };
  }

  private remember(statuses: Map<string, JobStatus>): RequeueEvent[] {
    const events: RequeueEvent[] = [];
    for (const s of statuses.values()) {
      const prev = this.lastSeen.get(s.jobId);
      const prior = s.priorAttempts ?? [];
      if (prev && s.restarts > prev.restarts) {
        const fromSacct = prior[prior.length - 1]?.nodes ?? [];
        events.push({
          jobId: s.jobId,
          restarts: s.restarts,
          previousNodes: prev.nodes.length > 0 ? prev.nodes : fromSacct,
          failedNodes: []
        });
      }
      // remember the last allocation; a requeued pending job shows none
      const keep = s.nodes.length > 0 && statePhase(s.state) !== "requeue" ? s.nodes : (prev?.nodes ?? []);
      this.lastSeen.set(s.jobId, { nodes: keep, restarts: s.restarts, state: s.state });
    }
    return events;
  }

  /** Stops remembering jobs the caller no longer tracks. */
  forget(jobIds: readonly string[]): void {
    for (const id of jobIds) this.lastSeen.delete(id);
  }
}
