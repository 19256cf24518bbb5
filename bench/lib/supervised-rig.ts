import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { LocalExecutor } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import type { ClusterProfile, Resilience } from "@neoxctl/core";
import {
  Keys,
  LeaseManager,
  RunStore,
  SeriesStore,
  SlurmAdapter,
  Supervisor,
  cachingResolver,
  createRun,
  defaultRedisUrl
} from "@neoxctl/supervisor";
import type {
  ClusterHandle,
  JobView,
  Run,
  SlurmPort,
  StepSubmitInput,
  StepTaskView,
  SubmitInput,
  SubmittedJob
} from "@neoxctl/supervisor";
import { REPO_ROOT } from "../../test/supervisor/scenario.ts";
import type { ScenarioInputs } from "../../test/supervisor/scenario.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The supervisor's SlurmPort with the moment each sbatch returned its job id recorded. */
class TimedSlurm implements SlurmPort {
  constructor(
    private readonly inner: SlurmPort,
    private readonly onSubmitted: (req: SubmitInput, at: number) => void
  ) {}

  async submit(req: SubmitInput): Promise<string> {
    const id = await this.inner.submit(req);
    this.onSubmitted(req, performance.now());
    return id;
  }
  submitStep(req: StepSubmitInput): Promise<string> {
    return this.inner.submitStep(req);
  }
  stepTasks(jobIds: readonly string[]): Promise<Map<string, StepTaskView>> {
    return this.inner.stepTasks(jobIds);
  }
  cancel(jobId: string): Promise<void> {
    return this.inner.cancel(jobId);
  }
  release(jobId: string): Promise<void> {
    return this.inner.release(jobId);
  }
  poll(jobIds: readonly string[]): Promise<Map<string, JobView>> {
    return this.inner.poll(jobIds);
  }
  findSubmissions(runId: string): Promise<SubmittedJob[]> {
    return this.inner.findSubmissions(runId);
  }
  downNodes(nodes: readonly string[]): Promise<string[]> {
    return this.inner.downNodes(nodes);
  }
}

/**
 * A real supervisor for the decision figures: its own Redis key prefix on the default Redis,
 * the cluster reached through the run's profile access (local or SSH), and `Supervisor.cycle()`
 * called at a fixed rate, as BullMQ's repeatable poll job of `neoxctl supervise` does. It records
 * when each event's commit returned (the supervisor's onEvent hook runs right after the commit) and
 * when each sbatch returned.
 */
export class SupervisedRig {
  readonly store: RunStore;
  readonly series: SeriesStore;
  private readonly sup: Supervisor;
  private readonly resolver = cachingResolver();
  private readonly events = new Map<string, number[]>();
  private readonly submits = new Map<string, number>();
  private readonly runs: Run[] = [];
  /** every cycle so far: how long it took and which runs it was restricted to */
  readonly cycles: { ms: number; focus: readonly string[] | undefined }[] = [];
  /** the runs each cycle advances (`Supervisor.cycle(only)`, as the worker's submit/recover jobs do); undefined: all active runs */
  focus: readonly string[] | undefined;
  /** this machine is the cluster: setup and cleanup go through a local Slurm client whatever the run's access */
  private readonly local = new SlurmAdapter(new SlurmClient(new LocalExecutor()));
  private loop: Promise<void> | undefined;
  private stopping = false;

  private constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    readonly intervalMs: number,
    private readonly log: (line: string) => void
  ) {
    const keys = new Keys(prefix);
    this.store = new RunStore(redis, keys);
    this.series = new SeriesStore(redis, keys);
    const clusters = async (cluster: string, access: unknown): Promise<ClusterHandle> => {
      const h = await this.resolver(cluster, access);
      return {
        exec: h.exec,
        slurm: new TimedSlurm(h.slurm, (req, at) => this.submits.set(`${req.runId}:${req.attempt}`, at))
      };
    };
    this.sup = new Supervisor(
      this.store,
      new LeaseManager(redis, keys, `bench-${process.pid}`, Math.max(5000, intervalMs * 10)),
      clusters,
      {
        onEvent: (runId, type) => {
          const at = performance.now();
          const key = `${runId}:${type}`;
          this.events.set(key, [...(this.events.get(key) ?? []), at]);
        }
      }
    );
  }

  static open(figure: string, intervalMs: number, log: (line: string) => void): SupervisedRig {
    const redis = new Redis(defaultRedisUrl(), { maxRetriesPerRequest: 2 });
    return new SupervisedRig(redis, `neoxctl-bench:${figure}:${process.pid}:${Date.now()}:`, intervalMs, log);
  }

  /** The executor and Slurm client the supervisor uses for this profile (one per cluster name). */
  cluster(profile: ClusterProfile): Promise<ClusterHandle> {
    return Promise.resolve(this.resolver(profile.name, profile.access));
  }

  /**
   * A fresh run (own run and checkpoint directories under the scenario root) that the next cycle
   * submits. Its files are written locally (the scenario root is on this machine); the supervisor
   * writes them again through the run's access when it submits.
   */
  async createRun(
    base: ScenarioInputs,
    profile: ClusterProfile,
    tag: string,
    resilience: Resilience,
    nodes: number
  ): Promise<Run> {
    const dir = join(base.root, tag);
    mkdirSync(dir, { recursive: true });
    const spec = structuredClone(base.spec);
    spec.checkpointing.save = join(dir, "checkpoints");
    spec.resilience = resilience;
    spec.cluster.size = { nodes };
    const run = await createRun(this.store, new LocalExecutor(), {
      spec,
      profile,
      manifest: base.manifest,
      repoRoot: REPO_ROOT,
      runDir: join(dir, "run")
    });
    this.runs.push(run);
    return run;
  }

  /** Starts cycling every `intervalMs` on a fixed schedule (a slow cycle delays the next, never skips one). */
  start(): void {
    if (this.loop) return;
    this.loop = (async () => {
      let next = performance.now();
      while (!this.stopping) {
        try {
          const began = performance.now();
          const focus = this.focus;
          const r = await this.sup.cycle(focus);
          this.cycles.push({ ms: performance.now() - began, focus });
          for (const e of r.errors) this.log(`supervisor: ${e}`);
        } catch (e) {
          this.log(`supervisor cycle failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        next += this.intervalMs;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        else next = performance.now();
      }
    })();
  }

  /** performance.now() right after the commit of the run's nth (0-based) event of this type returned */
  eventAt(runId: string, type: string, nth = 0): number | undefined {
    return this.events.get(`${runId}:${type}`)?.[nth];
  }

  /** performance.now() right after sbatch of this attempt returned its job id */
  submittedAt(runId: string, attempt: number): number | undefined {
    return this.submits.get(`${runId}:${attempt}`);
  }

  /** Polls `probe` until it yields a value; `what` names the wait in the error. */
  async until<T>(
    probe: () => Promise<T | undefined> | T | undefined,
    what: string,
    timeoutMs: number,
    everyMs = 20
  ): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (performance.now() > deadline)
        throw new Error(`bench: ${what} did not happen within ${timeoutMs} ms`);
      await sleep(everyMs);
    }
  }

  /** Takes a finished trial's run out of supervision (no further attempt is submitted) and scancels its jobs. */
  async retire(run: Run): Promise<void> {
    await this.store.redis.srem(this.store.keys.active(), run.id);
    await this.cancelJobs(run);
  }

  private async cancelJobs(run: Run): Promise<void> {
    try {
      for (const j of await this.local.findSubmissions(run.id)) await this.local.cancel(j.jobId);
    } catch (e) {
      this.log(`cancelling the jobs of ${run.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Stops cycling, scancels whatever job of its runs Slurm still has, and deletes the prefix. */
  async close(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.sup.release();
    for (const run of this.runs) await this.cancelJobs(run);
    await this.resolver.closeAll();
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length) await this.redis.del(...keys);
    this.redis.disconnect();
  }
}
