import { NeoxctlError, SlurmError } from "@neoxctl/core";
import type { Attempt, Evidence, Run } from "../model.ts";
import type { JobView } from "../ports.ts";
import type { Op, RunStore } from "../store/run-store.ts";
import { SeriesStore } from "../store/series-store.ts";
import type { Lease } from "../store/lease.ts";
import { decide } from "../policy/decide.ts";
import type { Decision, Recovery } from "../policy/decision.ts";
import { timelineCheckpoints } from "../adapters/checkpoints.ts";
import { writeAttemptFiles, renderFor } from "../adapters/render-attempt.ts";
import type { ClusterHandle } from "./cluster.ts";
import type { LogReader } from "./log-reader.ts";
import { jobAlive } from "./job-liveness.ts";
import { ranUnseen } from "./ran-unseen.ts";
import { nextAttempt } from "./next-attempt.ts";
import { noteOps, transitionOps } from "./transition.ts";
import { applyControl } from "./controls.ts";
import { ChainManager } from "../chain/continuation.ts";
import type { ChainPriors } from "../chain/measure.ts";

export interface StepperIo {
  log: (line: string) => void;
  now: () => number;
  onEvent: (runId: string, type: string, cause: string) => void;
  /** step/save/startup estimates for attempts nothing was measured for yet (planned exits) */
  chainPriors?: ChainPriors;
}

/** Advances one run by one step from what Redis and Slurm say now. */
export class Stepper {
  private readonly series: SeriesStore;
  /** pre-queued continuations and planned exits (chain/) */
  readonly chain: ChainManager;

  constructor(
    readonly store: RunStore,
    private readonly logs: LogReader,
    private readonly runningSince: Map<string, number>,
    readonly io: StepperIo
  ) {
    this.series = new SeriesStore(store.redis, store.keys, store.corrupt);
    this.chain = new ChainManager(
      store,
      { now: () => this.io.now(), commit: (run, lease, ops) => this.commit(run, lease, ops) },
      io.chainPriors
    );
  }

  async advance(
    run: Run,
    lease: Lease,
    cluster: ClusterHandle,
    jobs: Map<string, JobView>,
    down: readonly string[]
  ): Promise<void> {
    if (await applyControl(this, run, lease, cluster, jobs)) return;
    const attempt = await this.store.getAttempt(run.id, run.attempts);
    switch (run.state) {
      case "planned":
      case "recovering":
        if (attempt) await this.submitPending(run, lease, cluster, attempt, jobs);
        return;
      case "queued":
      case "running":
        if (attempt?.jobId) await this.watch(run, lease, cluster, attempt, jobs, down);
        return;
      case "needs_attention":
      case "completed":
      case "failed":
      case "cancelled":
        if (attempt) await this.ensureStopped(run, lease, cluster, attempt, jobs);
        return;
    }
  }

  async commit(run: Run, lease: Lease, ops: Op[]): Promise<void> {
    await this.store.commit(lease, ops);
    for (const o of ops) {
      if (o.op === "xadd") {
        const e = JSON.parse(o.value) as { type: string; cause: string };
        this.io.log(`${run.id}: ${e.type}: ${e.cause}`);
        this.io.onEvent(run.id, e.type, e.cause);
      }
    }
  }

  /** Submits the pending attempt once its predecessor's job is gone, adopting a job a crash left behind. */
  private async submitPending(
    run: Run,
    lease: Lease,
    cluster: ClusterHandle,
    attempt: Attempt,
    jobs: Map<string, JobView>
  ): Promise<void> {
    if (attempt.phase !== "submitting") return;
    const now = this.io.now();
    const ops: Op[] = [];
    const prev = attempt.index > 1 ? await this.store.getAttempt(run.id, attempt.index - 1) : undefined;
    if (prev?.jobId && prev.phase !== "ended") {
      const st = jobs.get(prev.jobId);
      if (st && jobAlive(st.state)) {
        // two jobs of one run must never write the same checkpoint directory at once
        await cluster.slurm.cancel(prev.jobId);
        return;
      }
      prev.phase = "ended";
      prev.endedAt = new Date(now).toISOString();
      prev.endState = st?.state ?? "GONE";
      ops.push(this.store.putAttempt(run.id, prev));
    }
    // a continuation already queued behind the predecessor is adopted (planned ending) or replaced
    const chained = await this.chain.takeOver(run, lease, cluster, attempt);
    const found = chained.jobId
      ? []
      : (await cluster.slurm.findSubmissions(run.id)).filter(
          (s) => s.attempt === attempt.index && !chained.discarded.includes(s.jobId)
        );
    let jobId = chained.jobId ?? found[0]?.jobId;
    let adopted = false;
    if (found[0]) adopted = true;
    else if (!jobId) {
      const r = renderFor(run, attempt.index, attempt.params, chained.extras);
      await writeAttemptFiles(cluster.exec, run, r);
      try {
        jobId = await cluster.slurm.submit({
          scriptPath: r.scriptPath,
          cwd: run.runDir,
          runId: run.id,
          attempt: attempt.index,
          noRequeue: attempt.params.load.kind === "init"
        });
      } catch (e) {
        if (e instanceof SlurmError && e.code === "SLURM_REJECTED") {
          ops.push(
            ...transitionOps(
              this.store,
              run,
              run.state === "planned" ? "failed" : "needs_attention",
              "submit_rejected",
              `sbatch refused attempt ${attempt.index}: ${e.message}`,
              { detail: e.details as Record<string, unknown> },
              now,
              attempt.index
            )
          );
          run.attention = e.message;
          await this.commit(run, lease, ops);
          return;
        }
        throw e;
      }
    }
    attempt.phase = "submitted";
    attempt.jobId = jobId;
    ops.push(this.store.putAttempt(run.id, attempt));
    const evidence: Evidence = {
      jobId,
      configDiff: attempt.diff,
      detail: {
        params: attempt.params,
        configDir: attempt.configDir,
        reason: attempt.reason,
        ...(adopted ? { adoptedAfterRestart: true } : {}),
        ...(chained.how ? { continuation: chained.how } : {}),
        ...(chained.extras.exitInterval !== undefined ? { exitInterval: chained.extras.exitInterval } : {})
      }
    };
    ops.push(
      ...transitionOps(
        this.store,
        run,
        "queued",
        "attempt_submitted",
        `attempt ${attempt.index} (${attempt.reason}) submitted as job ${jobId}${describeDiff(attempt)}`,
        evidence,
        now,
        attempt.index
      )
    );
    await this.commit(run, lease, ops);
  }

  private async watch(
    run: Run,
    lease: Lease,
    cluster: ClusterHandle,
    attempt: Attempt,
    jobs: Map<string, JobView>,
    down: readonly string[]
  ): Promise<void> {
    const now = this.io.now();
    const job = jobs.get(attempt.jobId!);
    const key = `${run.id}:${attempt.index}:${job?.restarts ?? attempt.restartsSeen}`;
    const o = await this.logs.observe(
      cluster.exec,
      key,
      attempt.logPath,
      run.resilience,
      now,
      attempt.index,
      attempt.logOffset
    );
    if (o.pending.length) {
      // points and the offset that covers them land together: a restart neither loses nor repeats them
      const points = o.pending.splice(0);
      attempt.logOffset = o.parsedOffset;
      await this.store.commit(lease, [
        ...this.series.appendOps(run.id, points),
        this.store.putAttempt(run.id, attempt)
      ]);
    }
    if (job?.state === "RUNNING") {
      if (!this.runningSince.has(key)) this.runningSince.set(key, now);
      if (run.state === "queued" && job.restarts === attempt.restartsSeen) {
        attempt.nodes = job.nodes;
        await this.commit(
          run,
          lease,
          transitionOps(
            this.store,
            run,
            "running",
            "job_started",
            `job ${job.jobId} running on ${job.nodes.join(",")}`,
            { jobId: job.jobId, nodes: job.nodes, slurmState: job.state },
            now,
            attempt.index
          ).concat(this.store.putAttempt(run.id, attempt))
        );
      }
      o.checkHang(now, this.runningSince.get(key));
    } else {
      o.obs.hang = false;
      if (
        run.state === "queued" &&
        (job?.restarts ?? attempt.restartsSeen) === attempt.restartsSeen &&
        ranUnseen(job, o.obs)
      ) {
        const nodes = job?.nodes.length ? job.nodes : (attempt.nodes ?? []);
        attempt.nodes = nodes;
        const cause = `job ${attempt.jobId} ran on ${nodes.join(",") || "unknown nodes"} between two polls (first seen ${job?.state ?? "gone from Slurm"})`;
        await this.commit(
          run,
          lease,
          transitionOps(
            this.store,
            run,
            "running",
            "job_started",
            cause,
            {
              jobId: attempt.jobId!,
              nodes,
              slurmState: job?.state ?? "GONE",
              detail: { seenAfterStart: true }
            },
            now,
            attempt.index
          ).concat(this.store.putAttempt(run.id, attempt))
        );
      }
    }

    const checkpoints = await timelineCheckpoints(cluster.exec, run);
    const d = decide({
      run,
      attempt,
      job,
      // a requeued job shows no nodes while pending: judge it by where it last ran
      downNodes: down.filter((n) => (job?.nodes.length ? job.nodes : (attempt.nodes ?? [])).includes(n)),
      obs: o.obs,
      checkpoints,
      badNodes: (await this.store.badNodes(run.id, now)).map((b) => b.node),
      expectsCheckpoint: attempt.params.load.kind === "resume" || run.initFromCheckpoint
    });
    await this.act(run, lease, cluster, attempt, job, jobs, d, () => {
      o.obs.alarm = undefined;
    });
    await this.chain.ensureQueued(run, lease, cluster, attempt, job, d);
    await this.chain.afterDecision(run, lease, cluster, d);
  }

  private async act(
    run: Run,
    lease: Lease,
    cluster: ClusterHandle,
    attempt: Attempt,
    job: JobView | undefined,
    jobs: Map<string, JobView>,
    d: Decision,
    clearAlarm: () => void
  ): Promise<void> {
    const now = this.io.now();
    const ended = job ? !jobAlive(job.state) : true;
    const endAttempt = (): void => {
      if (!ended) return;
      attempt.phase = "ended";
      attempt.endedAt = new Date(now).toISOString();
      attempt.endState = job?.state ?? "GONE";
    };
    switch (d.kind) {
      case "wait":
        return;
      case "note": {
        const noteKey = `${d.note}:${attempt.index}:${job?.restarts ?? 0}:${String(d.evidence.detail?.["onsetStep"] ?? "")}`;
        if (run.noted.includes(noteKey)) {
          if (d.note === "spike_recovered") clearAlarm();
          return;
        }
        run.noted.push(noteKey);
        const ops: Op[] = await this.store.blameOps(
          run.id,
          d.blame,
          d.cause,
          run.resilience.bad_node_expiry_h,
          now
        );
        if (d.note === "slurm_requeued" && job) {
          attempt.restartsSeen = job.restarts;
          attempt.logOffset = 0;
          ops.push(this.store.putAttempt(run.id, attempt));
          if (run.state === "running")
            ops.push(
              ...transitionOps(
                this.store,
                run,
                "queued",
                "slurm_requeued",
                d.cause,
                d.evidence,
                now,
                attempt.index
              )
            );
          else
            ops.push(...noteOps(this.store, run, "slurm_requeued", d.cause, d.evidence, now, attempt.index));
        } else ops.push(...noteOps(this.store, run, d.note, d.cause, d.evidence, now, attempt.index));
        await this.commit(run, lease, ops);
        if (d.note === "spike_recovered") clearAlarm();
        return;
      }
      case "complete": {
        endAttempt();
        run.params = attempt.params;
        await this.commit(run, lease, [
          this.store.putAttempt(run.id, attempt),
          ...transitionOps(
            this.store,
            run,
            "completed",
            "run_completed",
            d.cause,
            d.evidence,
            now,
            attempt.index
          )
        ]);
        return;
      }
      case "attention":
        return this.attention(run, lease, cluster, attempt, job, d.cause, d.evidence, d.cancel, endAttempt);
      case "recover":
        return this.recover(run, lease, cluster, attempt, job, jobs, d, ended, endAttempt);
    }
  }

  async attention(
    run: Run,
    lease: Lease,
    cluster: ClusterHandle,
    attempt: Attempt,
    job: JobView | undefined,
    cause: string,
    evidence: Evidence,
    cancel: boolean,
    endAttempt: () => void
  ): Promise<void> {
    const now = this.io.now();
    if (cancel && job && jobAlive(job.state)) attempt.cancelRequested = true;
    endAttempt();
    run.attention = cause;
    await this.commit(run, lease, [
      this.store.putAttempt(run.id, attempt),
      ...transitionOps(
        this.store,
        run,
        "needs_attention",
        "needs_attention",
        cause,
        evidence,
        now,
        attempt.index
      )
    ]);
    if (attempt.cancelRequested && job) await cluster.slurm.cancel(job.jobId);
  }

  private async recover(
    run: Run,
    lease: Lease,
    cluster: ClusterHandle,
    attempt: Attempt,
    job: JobView | undefined,
    jobs: Map<string, JobView>,
    d: Recovery,
    ended: boolean,
    endAttempt: () => void
  ): Promise<void> {
    const now = this.io.now();
    let next: Attempt;
    try {
      next = nextAttempt(run, attempt, d.next, d.class, now);
    } catch (e) {
      const msg = e instanceof NeoxctlError ? e.message : String(e);
      return this.attention(
        run,
        lease,
        cluster,
        attempt,
        job,
        `${d.cause}; but the planner refused the new attempt: ${msg}`,
        { ...d.evidence, detail: { error: e instanceof NeoxctlError ? e.toJSON() : msg } },
        d.cancel,
        endAttempt
      );
    }
    if (d.cancel && job && jobAlive(job.state)) attempt.cancelRequested = true;
    endAttempt();
    run.params = d.next;
    run.attempts = next.index;
    if (d.class !== "planned") run.budgetsUsed[d.class] += 1;
    run.crashLoop = d.crashLoop;
    if (d.rollback) {
      run.rollbacks.push({ attempt: attempt.index, ...d.rollback });
      run.abandoned.push({ step: d.rollback.toStep, since: now });
    }
    const ops: Op[] = [
      ...(await this.store.blameOps(run.id, d.blame, d.cause, run.resilience.bad_node_expiry_h, now)),
      this.store.putAttempt(run.id, attempt),
      this.store.putAttempt(run.id, next)
    ];
    const type = d.rollback
      ? "rollback"
      : d.class === "planned"
        ? "planned_continuation"
        : `recover_${d.class}`;
    const evidence: Evidence = {
      ...d.evidence,
      configDiff: next.diff,
      detail: {
        ...d.evidence.detail,
        class: d.class,
        nextAttempt: next.index,
        budgetsUsed: { ...run.budgetsUsed },
        tradeoffs: d.tradeoffs
      }
    };
    ops.push(...transitionOps(this.store, run, "recovering", type, d.cause, evidence, now, attempt.index));
    await this.commit(run, lease, ops);
    // The old job has already ended (NODE_FAIL, TIMEOUT, FAILED, gone…), so nothing can overlap with
    // its successor: submit now rather than one poll interval later. The decision is committed
    // first, and submitPending adopts a job a crash leaves behind after sbatch, as on a later cycle.
    if (ended) return this.submitPending(run, lease, cluster, next, jobs);
    // a job still alive is cancelled; its successor waits for a poll that shows it gone
    if (attempt.cancelRequested && job) await cluster.slurm.cancel(job.jobId);
  }

  /** A run that must not run (needs_attention, terminal): re-send a cancel that a crash may have lost. */
  private async ensureStopped(
    run: Run,
    lease: Lease,
    cluster: ClusterHandle,
    attempt: Attempt,
    jobs: Map<string, JobView>
  ): Promise<void> {
    if (!attempt.jobId || attempt.phase === "ended" || !attempt.cancelRequested) return;
    const st = jobs.get(attempt.jobId);
    if (st && jobAlive(st.state)) {
      await cluster.slurm.cancel(attempt.jobId);
      return;
    }
    attempt.phase = "ended";
    attempt.endedAt = new Date(this.io.now()).toISOString();
    attempt.endState = st?.state ?? "GONE";
    await this.store.commit(lease, [this.store.putAttempt(run.id, attempt)]);
  }
}

function describeDiff(a: Attempt): string {
  if (!a.diff.length) return "";
  return (
    ": " + a.diff.map((c) => `${c.field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join(", ")
  );
}
