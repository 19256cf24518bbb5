import type { Attempt, AttemptParams, Run } from "../model.ts";
import type { JobView, SlurmPort } from "../ports.ts";
import type { RunStore } from "../store/run-store.ts";
import { SeriesStore } from "../store/series-store.ts";
import type { Decision } from "../policy/decision.ts";
import type { Committer, RunCycle } from "../worker/cycle.ts";
import { renderFor } from "../adapters/render-attempt.ts";
import type { RenderExtras } from "../adapters/render-attempt.ts";
import { noteOps } from "../worker/transition.ts";
import { newSubmissionNonce, ownSubmission } from "../worker/own-submission.ts";
import type { SubmissionIntent } from "../worker/own-submission.ts";
import type { ChainRecord, ExitRecord, QueuedContinuation } from "./chain-record.ts";
import { putChain, readChain, withExit } from "./chain-record.ts";
import type { ChainPriors } from "./measure.ts";
import { MIN_SAMPLES, exitRecordFor, samplesOf } from "./measure.ts";

/** What `takeOver` tells the submit step: a job to record for the attempt, or how to render a fresh one. */
export interface TakeOver {
  jobId?: string;
  how?: "adopted" | "replaced";
  /** chain-cancelled jobs: never adopt them by tag */
  discarded: string[];
  extras: RenderExtras;
}

/**
 * Keeps attempt N+1 waiting in Slurm's queue behind attempt N, so that a planned ending (exit at
 * exit_interval, status 0) is followed at once by the next job. The continuation depends on
 * `afterok:<N>` (and `singleton` on the run's job name): it starts only if N ended with status 0,
 * which is exactly the planned exit, and then `load: latest` is N's fresh checkpoint. After any
 * other ending it stays pending (DependencyNeverSatisfied) and is swapped for the attempt the
 * supervisor decided (held submit → cancel old → release), never two runnable jobs, never none.
 */
export class ChainManager {
  private readonly series: SeriesStore;
  private readonly store: RunStore;

  constructor(
    private readonly deps: Committer,
    private readonly priors: ChainPriors = {}
  ) {
    this.store = deps.store;
    this.series = new SeriesStore(deps.store.redis, deps.store.keys, deps.store.corrupt);
  }

  private enabled(run: Run): boolean {
    return run.resilience.chain_continuations;
  }

  /** While attempt N runs: queue N+1 behind it once N's step time is measured. */
  async ensureQueued(c: RunCycle, attempt: Attempt, job: JobView | undefined, d: Decision): Promise<void> {
    const { run } = c;
    if (
      !this.enabled(run) ||
      !attempt.jobId ||
      job?.state !== "RUNNING" ||
      d.kind !== "wait" ||
      run.state !== "running"
    )
      return;
    const rec = await readChain(this.store, run.id);
    if (rec.replacing) return;
    if (rec.queued) {
      if (rec.queued.phase === "submitting" && rec.queued.predecessor.attempt === attempt.index)
        await this.finishQueue(c, rec, rec.queued);
      return;
    }
    const mine = rec.exits.find((e) => e.attempt === attempt.index);
    if (!mine || mine.exitAt === null) return;
    const points = await this.series.read(run.id);
    if (samplesOf(points, attempt.index).length < MIN_SAMPLES) return;
    const index = attempt.index + 1;
    const exit = exitRecordFor(run, points, index, mine.exitAt, this.priors);
    const params: AttemptParams = { ...run.params, load: { kind: "resume" } };
    const q: QueuedContinuation = {
      attempt: index,
      predecessor: { attempt: attempt.index, jobId: attempt.jobId, exitAt: mine.exitAt },
      phase: "submitting",
      nonce: newSubmissionNonce(),
      params,
      dependency: `afterok:${attempt.jobId},singleton`,
      exit,
      createdAt: new Date(c.now).toISOString()
    };
    const next: ChainRecord = { ...rec, queued: q };
    await this.store.commit(c.lease, [putChain(this.store, run.id, next)]);
    await this.finishQueue(c, next, q);
  }

  private async finishQueue(c: RunCycle, rec: ChainRecord, q: QueuedContinuation): Promise<void> {
    const { run } = c;
    let jobId = await this.findTagged(c.cluster.slurm, run.id, intentOf(q), rec.discarded);
    if (!jobId) {
      jobId = await this.submitSnapshot(
        c,
        intentOf(q),
        q.params,
        { ...extrasOf(q.attempt, q.exit), dependency: q.dependency },
        false
      );
    }
    const done: QueuedContinuation = { ...q, phase: "queued", jobId };
    const cause = `attempt ${q.attempt} queued as job ${jobId} behind job ${q.predecessor.jobId} (${q.dependency}); it resumes from \`latest\` = iteration ${q.predecessor.exitAt} and ${describeExit(q.exit)}`;
    await this.deps.commit(c, [
      putChain(this.store, run.id, { ...rec, queued: done }),
      ...noteOps(this.store, run, {
        type: "continuation_queued",
        cause,
        evidence: { jobId, detail: { continuation: done } },
        at: c.now,
        attempt: q.predecessor.attempt
      })
    ]);
  }

  /**
   * The submit step of attempt `attempt` (phase submitting, predecessor ended): adopt the queued
   * continuation when it is exactly what was decided (a planned ending), else replace it. Also
   * returns the exit plan to render when the supervisor submits the attempt itself.
   */
  async takeOver(c: RunCycle, attempt: Attempt): Promise<TakeOver> {
    const { run, lease } = c;
    let rec = await readChain(this.store, run.id);
    if (rec.replacing?.attempt === attempt.index) {
      const exit = rec.exits.find((e) => e.attempt === attempt.index);
      const jobId = await this.replace(
        c,
        attempt,
        rec,
        exit ? extrasOf(attempt.index, exit) : { configRoot: configRootOf(attempt.index) }
      );
      return {
        jobId,
        how: "replaced",
        discarded: (await readChain(this.store, run.id)).discarded,
        extras: {}
      };
    }
    const start = attempt.params.load.kind === "resume" ? (attempt.params.load.iteration ?? 0) : 0;
    const exit = exitRecordFor(run, await this.series.read(run.id), attempt.index, start, this.priors);
    const extras = extrasOf(attempt.index, exit);
    const q = rec.queued;
    if (!q || q.attempt !== attempt.index) {
      await this.store.commit(lease, [putChain(this.store, run.id, withExit(rec, exit))]);
      return { discarded: rec.discarded, extras };
    }
    const jobId = q.jobId ?? (await this.findTagged(c.cluster.slurm, run.id, intentOf(q), rec.discarded));
    rec = { ...rec, queued: undefined };
    if (!jobId) {
      await this.store.commit(lease, [putChain(this.store, run.id, withExit(rec, exit))]);
      return { discarded: rec.discarded, extras };
    }
    if (adoptable(q, attempt, run.resilience.exit_margin_min * 60, c.down)) {
      rec = {
        ...withExit(rec, q.exit),
        handovers: [...rec.handovers, { attempt: attempt.index, jobId, how: "adopted" }]
      };
      await this.store.commit(lease, [putChain(this.store, run.id, rec)]);
      return { jobId, how: "adopted", discarded: rec.discarded, extras };
    }
    rec = {
      ...withExit(rec, exit),
      replacing: {
        attempt: attempt.index,
        oldJobId: jobId,
        phase: "submitting",
        createdAt: new Date(c.now).toISOString()
      }
    };
    await this.store.commit(lease, [putChain(this.store, run.id, rec)]);
    const id = await this.replace(c, attempt, rec, extras);
    return { jobId: id, how: "replaced", discarded: [...rec.discarded, jobId], extras };
  }

  /** Held submit of the decided attempt → cancel the stale continuation → release; resumable after a crash at any step. */
  private async replace(
    c: RunCycle,
    attempt: Attempt,
    rec: ChainRecord,
    extras: RenderExtras
  ): Promise<string> {
    const { run, lease, cluster } = c;
    let r = rec.replacing!;
    for (;;) {
      switch (r.phase) {
        case "submitting": {
          const found = await this.findTagged(cluster.slurm, run.id, intentOf(attempt), [
            ...rec.discarded,
            r.oldJobId
          ]);
          const newJobId =
            found ??
            (await this.submitSnapshot(
              c,
              intentOf(attempt),
              attempt.params,
              { ...extras, dependency: "singleton" },
              true
            ));
          r = { ...r, phase: "held", newJobId };
          rec = { ...rec, replacing: r };
          await this.store.commit(lease, [putChain(this.store, run.id, rec)]);
          continue;
        }
        case "held":
          await cluster.slurm.cancel(r.oldJobId);
          r = { ...r, phase: "old_cancelled" };
          rec = { ...rec, replacing: r, discarded: [...new Set([...rec.discarded, r.oldJobId])] };
          await this.store.commit(lease, [putChain(this.store, run.id, rec)]);
          continue;
        case "old_cancelled": {
          const newJobId = r.newJobId!;
          await cluster.slurm.release(newJobId);
          rec = {
            ...rec,
            replacing: undefined,
            handovers: [...rec.handovers, { attempt: attempt.index, jobId: newJobId, how: "replaced" }]
          };
          const cause = `queued continuation job ${r.oldJobId} replaced by job ${newJobId} for attempt ${attempt.index} (${attempt.reason}): submitted held, old one cancelled, new one released`;
          await this.deps.commit(c, [
            putChain(this.store, run.id, rec),
            ...noteOps(this.store, run, {
              type: "continuation_replaced",
              cause,
              evidence: { jobId: newJobId, configDiff: attempt.diff, detail: { oldJobId: r.oldJobId } },
              at: c.now,
              attempt: attempt.index
            })
          ]);
          return newJobId;
        }
      }
    }
  }

  /** The run stops (needs_attention, completed): a continuation must not start on its own. */
  async afterDecision(c: RunCycle, d: Decision): Promise<void> {
    if (d.kind !== "attention" && d.kind !== "complete") return;
    const { run, cluster } = c;
    const rec = await readChain(this.store, run.id);
    const q = rec.queued;
    if (!q) return;
    const jobId = q.jobId ?? (await this.findTagged(cluster.slurm, run.id, intentOf(q), rec.discarded));
    if (jobId) await cluster.slurm.cancel(jobId);
    const next: ChainRecord = {
      ...rec,
      queued: undefined,
      discarded: jobId ? [...rec.discarded, jobId] : rec.discarded
    };
    await this.deps.commit(c, [
      putChain(this.store, run.id, next),
      ...noteOps(this.store, run, {
        type: "continuation_cancelled",
        cause: `queued continuation ${jobId ?? "(never submitted)"} cancelled: the run ${d.kind === "complete" ? "completed" : "needs attention"}`,
        evidence: { ...(jobId ? { jobId } : {}) },
        at: c.now
      })
    ]);
  }

  /** the job the sbatch of `intent` submitted, if a crash lost its answer: by nonce, never by tag alone */
  private async findTagged(
    slurm: SlurmPort,
    runId: string,
    intent: SubmissionIntent,
    exclude: readonly string[]
  ): Promise<string | undefined> {
    return ownSubmission(await slurm.findSubmissions(runId), intent, exclude)?.jobId;
  }

  /** Renders into attempts/<n>/ only: files a running predecessor (or its Slurm requeue) reads stay untouched. */
  private async submitSnapshot(
    c: RunCycle,
    intent: SubmissionIntent,
    params: AttemptParams,
    extras: RenderExtras,
    hold: boolean
  ): Promise<string> {
    const { run, cluster } = c;
    const r = renderFor(run, intent.attempt, params, extras);
    for (const [rel, content] of Object.entries(r.files))
      await cluster.exec.writeFile(`${r.configDir}/${rel}`, content);
    await cluster.exec.writeFile(`${run.runDir}/logs/.keep`, "");
    return cluster.slurm.submit({
      scriptPath: `${r.configDir}/job.sbatch`,
      cwd: run.runDir,
      runId: run.id,
      attempt: intent.attempt,
      nonce: intent.nonce,
      ...(hold ? { hold: true } : {})
    });
  }
}

function intentOf(x: QueuedContinuation | Attempt): SubmissionIntent {
  const attempt = "index" in x ? x.index : x.attempt;
  return { attempt, nonce: x.nonce };
}

function configRootOf(index: number): string {
  return `attempts/${index}`;
}

function extrasOf(index: number, exit: ExitRecord): RenderExtras {
  return { configRoot: configRootOf(index), ...(exit.exitAt !== null ? { exitInterval: exit.exitAt } : {}) };
}

/** The queued job is what the supervisor decided: a plain continuation from the planned exit, same LR, seed and nodes. */
function adoptable(q: QueuedContinuation, a: Attempt, marginS: number, down: readonly string[]): boolean {
  const p = a.params;
  const it = p.load.kind === "resume" ? p.load.iteration : undefined;
  const fromExit =
    p.load.kind === "resume" &&
    (it === undefined || it === q.predecessor.exitAt || earlyExitFits(q, it, marginS));
  // a node blamed since the continuation was queued (an in-job restart replaced it on a spare) that
  // Slurm reports DOWN/DRAIN is kept out by Slurm itself: no reason to give up the queued job
  const added = p.excludeNodes.filter((n) => !q.params.excludeNodes.includes(n));
  const sameNodes =
    q.params.excludeNodes.every((n) => p.excludeNodes.includes(n)) && added.every((n) => down.includes(n));
  return a.reason === "planned" && fromExit && p.lr === q.params.lr && p.seed === q.params.seed && sameNodes;
}

/**
 * A predecessor that restarted inside its job on a spare node ends by itself earlier than planned (its
 * batch script moves the exit by what the restart cost: packages/plan spare-launch.ts). The queued
 * continuation loads `latest`, that earlier checkpoint, and exits where it was planned to for a start
 * at the old exit, so it trains that many steps longer. Within half the exit margin that is cheaper
 * than a fresh submission's queue wait; past it the job could reach its time limit, so it is replaced.
 */
function earlyExitFits(q: QueuedContinuation, from: number, marginS: number): boolean {
  const stepMs = q.exit.stepMs;
  if (stepMs === null || from > q.predecessor.exitAt) return false;
  return ((q.predecessor.exitAt - from) * stepMs) / 1000 <= marginS / 2;
}

function describeExit(e: ExitRecord): string {
  if (e.exitAt === null)
    return e.stepMs === null ? "has no planned exit (no step time measured yet)" : "runs to train_iters";
  return `exits at iteration ${e.exitAt} (${e.basis}; ${e.stepMs?.toFixed(0)} ms/it ${e.stepSource}, save ${e.saveS?.toFixed(1)} s, limit ${(e.limitS / 60).toFixed(1)} min)`;
}
