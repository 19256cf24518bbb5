import { hostname } from "node:os";
import { Queue, Worker } from "bullmq";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import type { EventType } from "@neoxctl/core";
import { Keys } from "../store/keys.ts";
import { RunStore } from "../store/run-store.ts";
import { LeaseManager } from "../store/lease.ts";
import { Supervisor } from "./supervisor.ts";
import type { CycleReport } from "./supervisor.ts";
import type { ClusterResolver } from "./cluster.ts";
import { eventRoute } from "./event-routes.ts";

const QUEUE_NAMES = ["poll", "submit", "recover", "notify"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const JOB_OPTS = {
  attempts: 8,
  backoff: { type: "exponential", delay: 500 },
  removeOnComplete: true,
  removeOnFail: 200
} as const;

function bullPrefix(prefix: string): string {
  return `${prefix}bull`;
}

/** Queues `submit` for a new run so a running worker submits it without waiting for the next poll. */
export async function enqueueSubmit(connection: Redis, prefix: string, runId: string): Promise<void> {
  const q = new Queue("submit", { connection, prefix: bullPrefix(prefix) });
  await q.add("submit", { runId }, { ...JOB_OPTS, jobId: `submit-${runId}` });
  await q.close();
}

/** One event a human may need to hear about, as queued on `notify`. */
export interface NotifyRequest {
  runId: string;
  type: EventType;
  cause: string;
  /** who asked, when the event carries out a human's command */
  actor?: string;
}

export interface WorkerOptions {
  prefix: string;
  /**
   * Delivers a notify job (the one alert path: `neoxctl supervise` passes the dashboard package's
   * webhook notifier). It must not wait on the network; a throw makes BullMQ retry the job.
   */
  notify?: (n: NotifyRequest) => Promise<void>;
  pollIntervalMs: number;
  owner?: string;
  leaseTtlMs?: number;
  log: (line: string) => void;
}

/**
 * `neoxctl supervise`: BullMQ queues over Redis. `poll` is ONE repeatable job for all runs; `submit`
 * and `recover` advance a single run at once when there is work; `notify` reports events that need a
 * human. Jobs retry with exponential backoff, so a Redis restart or a Slurm outage only delays work.
 */
export class SupervisorWorker {
  readonly supervisor: Supervisor;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  lastReport: CycleReport | undefined;

  constructor(
    private readonly connection: Redis,
    clusters: ClusterResolver,
    private readonly o: WorkerOptions
  ) {
    const keys = new Keys(o.prefix);
    const store = new RunStore(connection, keys);
    const owner = o.owner ?? `${hostname()}:${process.pid}`;
    const leases = new LeaseManager(
      connection,
      keys,
      owner,
      o.leaseTtlMs ?? Math.max(5000, o.pollIntervalMs * 10)
    );
    this.supervisor = new Supervisor(store, leases, clusters, {
      log: o.log,
      pollIntervalMs: o.pollIntervalMs,
      onEvent: (runId, type, cause, actor) => void this.followUp(runId, type, cause, actor)
    });
  }

  async start(): Promise<void> {
    const prefix = bullPrefix(this.o.prefix);
    for (const name of QUEUE_NAMES)
      this.queues.set(name, new Queue(name, { connection: this.connection, prefix }));
    const opts = {
      connection: this.connection,
      prefix,
      concurrency: 1,
      lockDuration: 30_000,
      stalledInterval: 15_000
    };
    this.workers.push(
      new Worker(
        "poll",
        async () => {
          this.lastReport = await this.supervisor.cycle();
          for (const e of this.lastReport.errors) this.o.log(`poll: ${e}`);
        },
        opts
      ),
      new Worker(
        "submit",
        async (job: Job<{ runId: string }>) => void (await this.supervisor.cycle([job.data.runId])),
        opts
      ),
      new Worker(
        "recover",
        async (job: Job<{ runId: string }>) => void (await this.supervisor.cycle([job.data.runId])),
        opts
      ),
      new Worker("notify", async (job: Job<NotifyRequest>) => this.notify(job.data), opts)
    );
    for (const w of this.workers) w.on("error", (e) => this.o.log(`worker: ${e.message}`));
    await this.queues
      .get("poll")!
      .upsertJobScheduler(
        "poll-all-runs",
        { every: this.o.pollIntervalMs },
        { name: "poll", opts: { removeOnComplete: true, removeOnFail: 50 } }
      );
  }

  async stop(): Promise<void> {
    for (const w of this.workers) await w.close();
    await this.supervisor.release();
    for (const q of this.queues.values()) await q.close();
  }

  private async followUp(runId: string, type: EventType, cause: string, actor?: string): Promise<void> {
    const route = eventRoute(type);
    try {
      if (route.followUp)
        await this.queues
          .get("recover")
          ?.add("recover", { runId }, { ...JOB_OPTS, jobId: `recover-${runId}-${Date.now()}` });
      if (route.notify)
        await this.queues
          .get("notify")
          ?.add("notify", { runId, type, cause, ...(actor !== undefined ? { actor } : {}) }, JOB_OPTS);
    } catch (e) {
      // the poll job re-derives everything from Redis; a lost follow-up only costs one interval
      this.o.log(`follow-up for ${runId} not queued: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async notify(n: NotifyRequest): Promise<void> {
    this.o.log(`NOTIFY ${n.runId}: ${n.type}: ${n.cause}`);
    await this.o.notify?.(n);
  }
}
