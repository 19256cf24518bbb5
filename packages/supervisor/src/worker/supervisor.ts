import { hostname } from "node:os";
import { NeoxctlError, SlurmError, StateError, toNeoxctlError } from "@neoxctl/core";
import type { EventType } from "@neoxctl/core";
import type { Attempt, Run } from "../model.ts";
import type { JobView } from "../ports.ts";
import type { RunStore } from "../store/run-store.ts";
import { SeriesStore } from "../store/series-store.ts";
import type { Lease, LeaseManager } from "../store/lease.ts";
import { ChainManager } from "../chain/continuation.ts";
import type { ChainPriors } from "../chain/measure.ts";
import type { ClusterHandle, ClusterResolver } from "./cluster.ts";
import { LogReader } from "./log-reader.ts";
import { EventCommitter } from "./commit.ts";
import type { LoopDeps } from "./loop-deps.ts";
import { advance } from "./advance.ts";
import { fencedSlurm } from "./fenced-slurm.ts";
import { CorruptReporter } from "./corrupt-reporter.ts";
import { planStepEstimateMs } from "../adapters/plan-figures.ts";
import type { CorruptReport } from "./corrupt-reporter.ts";
import { HeartbeatWriter } from "../heartbeat/writer.ts";

export interface SupervisorOptions {
  /** logs one human line per notable action */
  log?: (line: string) => void;
  now?: () => number;
  /** called after every committed event (the notify queue hooks in here) */
  onEvent?: (runId: string, type: EventType, cause: string, actor?: string) => void;
  /** estimates for planned exits before a run has measured its own step time */
  chainPriors?: ChainPriors;
  /**
   * the step time (ms) the throughput guard holds a run to besides its own baseline; default: the
   * slow end of the estimate in the run's plan (its record's plan input), none without `estimates:`
   */
  stepEstimateMs?: (run: Run) => number | undefined;
  /** the poll interval this process runs at: its heartbeat says it, and wedged detection scales with it */
  pollIntervalMs?: number;
  /** test hook: awaited at the start of every cycle (a test blocks it to make a wedged supervisor) */
  beforeCycle?: () => Promise<void>;
}

export interface CycleReport {
  runs: number;
  leased: number;
  polled: number;
  slurmUnavailable: boolean;
  errors: string[];
  /** records met this cycle that are not JSON or not of their schema (each run skipped, the rest went on) */
  corrupt: CorruptReport[];
}

/**
 * One supervisor instance. `cycle()` is the poll job: it takes the leases it can, asks each
 * cluster's Slurm ONCE for all tracked jobs, then advances every leased run by one step
 * (`advance`: controls, then submit, or watch → decide → act, each decision committed then reported).
 * Everything it does is idempotent and driven by what is in Redis, so a kill -9 at any point is
 * followed by a restart that simply carries on.
 */
export class Supervisor {
  private readonly leases = new Map<string, Lease>();
  private readonly logs = new LogReader();
  private readonly deps: LoopDeps;
  private readonly now: () => number;
  private readonly corrupt: CorruptReporter;
  /** run → cluster of the runs leased at the last cycle, for the heartbeat's per-cluster list */
  private readonly runClusters = new Map<string, string>();
  readonly heartbeatWriter: HeartbeatWriter;

  constructor(
    private readonly store: RunStore,
    private readonly leaseManager: LeaseManager,
    private readonly clusters: ClusterResolver,
    private readonly options: SupervisorOptions = {}
  ) {
    this.now = options.now ?? Date.now;
    this.corrupt = new CorruptReporter(store, { log: options.log ?? (() => {}), now: this.now });
    const owner = leaseManager.owner;
    const colon = owner.lastIndexOf(":");
    const pid = Number(owner.slice(colon + 1));
    this.heartbeatWriter = new HeartbeatWriter(
      store.redis,
      store.keys,
      {
        owner,
        pid: colon > 0 && Number.isSafeInteger(pid) ? pid : process.pid,
        host: colon > 0 ? owner.slice(0, colon) : hostname(),
        pollIntervalMs: options.pollIntervalMs ?? 5000
      },
      this.now
    );
    const committer = new EventCommitter(store, {
      log: options.log ?? (() => {}),
      onEvent: options.onEvent ?? (() => {})
    });
    this.deps = {
      store,
      commit: (c, ops) => committer.commit(c, ops),
      logs: this.logs,
      runningSince: new Map(),
      series: new SeriesStore(store.redis, store.keys, store.corrupt),
      chain: new ChainManager(committer, options.chainPriors),
      guards: new Map(),
      stepEstimateMs: options.stepEstimateMs ?? planStepEstimateMs
    };
  }

  private serial: Promise<unknown> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | undefined;

  /**
   * Leases are renewed in the background, not only once per cycle: a cycle that waits on a slow
   * squeue or sbatch must not lose its run halfway (its commits would then be refused).
   */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeatWriter.start();
    this.heartbeat = setInterval(
      () => {
        for (const [id, lease] of this.leases) {
          this.leaseManager.renew(lease).then(
            (ok) => {
              if (!ok && this.leases.get(id) === lease) this.drop(id);
            },
            () => {}
          );
        }
      },
      Math.max(50, Math.floor(this.leaseManager.ttlMs / 3))
    );
    this.heartbeat.unref();
  }

  /** Runs cycles one at a time in this process (the poll, submit and recover jobs share one run). */
  cycle(only?: readonly string[]): Promise<CycleReport> {
    this.startHeartbeat();
    const next = this.serial.then(() => this.cycleNow(only));
    this.serial = next.catch(() => {});
    return next;
  }

  private async cycleNow(only?: readonly string[]): Promise<CycleReport> {
    await this.options.beforeCycle?.();
    const report: CycleReport = {
      runs: 0,
      leased: 0,
      polled: 0,
      slurmUnavailable: false,
      errors: [],
      corrupt: []
    };
    // one run's failure (a corrupt record, an unreachable cluster) costs that run its turn, never the cycle
    const failed = (id: string, e: unknown): void => {
      const err = toNeoxctlError(e);
      if (err instanceof StateError && err.code === "LOCK_HELD") this.drop(id);
      report.errors.push(`${id}: ${err.code}: ${err.message}`);
      if (!(err instanceof NeoxctlError) || err.code === "INTERNAL")
        this.options.log?.(`run ${id}: ${err.message}`);
    };
    const active = await this.store.runIds(true);
    const ids = only ? active.filter((id) => only.includes(id)) : active;
    report.runs = ids.length;
    const mine: { run: Run; lease: Lease; cluster: ClusterHandle; attempt: Attempt | undefined }[] = [];
    for (const id of ids) {
      const lease = await this.leaseManager.acquire(id, this.leases.get(id));
      if (!lease) {
        this.drop(id);
        continue;
      }
      this.leases.set(id, lease);
      report.leased++;
      try {
        const run = await this.store.getRun(id);
        if (!run) continue;
        this.runClusters.set(id, run.cluster);
        const cluster = await this.clusters(
          run.cluster,
          (run.planInput as { profile?: { access?: unknown } }).profile?.access
        );
        mine.push({ run, lease, cluster, attempt: await this.store.getAttempt(id, run.attempts) });
      } catch (e) {
        failed(id, e);
      }
    }

    // one squeue per cluster per cycle, for every tracked job
    const statuses = new Map<string, Map<string, JobView> | null>();
    const byCluster = new Map<string, { handle: ClusterHandle; jobs: string[] }>();
    const skip = new Set<string>();
    for (const m of mine) {
      const g = byCluster.get(m.run.cluster) ?? { handle: m.cluster, jobs: [] };
      if (m.attempt?.jobId) g.jobs.push(m.attempt.jobId);
      try {
        const prev =
          m.run.attempts > 1 ? await this.store.getAttempt(m.run.id, m.run.attempts - 1) : undefined;
        if (prev?.jobId && prev.phase !== "ended") g.jobs.push(prev.jobId);
      } catch (e) {
        failed(m.run.id, e);
        skip.add(m.run.id);
      }
      byCluster.set(m.run.cluster, g);
    }
    for (const [name, g] of byCluster) {
      try {
        const started = performance.now();
        statuses.set(name, await g.handle.slurm.poll(g.jobs));
        report.polled += g.jobs.length;
        // one field per cluster, overwritten each cycle: the dashboard's poll-latency gauge reads it
        const seconds = (performance.now() - started) / 1000;
        // not awaited: a failed write must not pass for an unreachable Slurm
        this.store.redis
          .multi()
          .hset(
            this.store.keys.slurmPoll(),
            name,
            JSON.stringify({ seconds, at: new Date(this.now()).toISOString() })
          )
          .hdel(this.store.keys.slurmPollStreak(), name, `${name}:error`)
          .exec()
          .catch(() => undefined);
      } catch (e) {
        statuses.set(name, null);
        this.store.redis
          .multi()
          .hincrby(this.store.keys.slurmPollFailures(), name, 1)
          .hincrby(this.store.keys.slurmPollStreak(), name, 1)
          .hset(this.store.keys.slurmPollStreak(), `${name}:error`, toNeoxctlError(e).message.slice(0, 500))
          .exec()
          .catch(() => undefined);
        if (e instanceof SlurmError && e.code === "SLURM_UNAVAILABLE") report.slurmUnavailable = true;
        report.errors.push(`${name}: ${toNeoxctlError(e).message}`);
      }
    }
    const down = new Map<string, string[]>();
    for (const m of mine) {
      const st = statuses.get(m.run.cluster);
      // Slurm unreachable: wait, never decide on missing information
      if (!st || skip.has(m.run.id)) continue;
      try {
        if (!down.has(m.run.cluster)) down.set(m.run.cluster, await m.cluster.slurm.downNodes([]));
        // the run's turn changes Slurm only while its lease still holds (worker/fenced-slurm.ts)
        const lease = m.lease;
        const slurm = fencedSlurm(m.cluster.slurm, m.run.id, () => this.leaseManager.renew(lease));
        await advance(this.deps, {
          run: m.run,
          lease,
          cluster: { exec: m.cluster.exec, slurm },
          jobs: st,
          down: down.get(m.run.cluster) ?? [],
          now: this.now()
        });
      } catch (e) {
        failed(m.run.id, e);
      }
    }
    report.corrupt = await this.corrupt.flush(this.leases);
    this.heartbeatWriter.cycleFinished(this.heldByCluster());
    return report;
  }

  /** cluster → run ids of the leases held now (runs whose record was not read yet count as "?") */
  private heldByCluster(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const id of [...this.leases.keys()].sort()) (out[this.runClusters.get(id) ?? "?"] ??= []).push(id);
    return out;
  }

  /**
   * Stops renewing leases and writing the heartbeat without giving anything back: to other
   * supervisors and to `neoxctl doctor` this looks like a crash.
   */
  halt(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    void this.heartbeatWriter.stop(false);
  }

  /** Gives every lease back (clean shutdown), so another supervisor can take over at once. */
  async release(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const l of this.leases.values()) await this.leaseManager.release(l).catch(() => {});
    this.leases.clear();
    await this.heartbeatWriter.stop(true);
  }

  private drop(id: string): void {
    this.leases.delete(id);
    this.runClusters.delete(id);
    this.heartbeatWriter.setClusters(this.heldByCluster());
    this.logs.forget(`${id}:`);
  }
}
