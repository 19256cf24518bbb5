import { hangPolicyFromSpec, judgeHang, RcclTransportReader, RobustSpikeDetector } from "@neoxctl/monitor";
import type { DetectorEvent, HangPolicy, IterationSeen, LocatedEvent } from "@neoxctl/monitor";
import type { Resilience } from "@neoxctl/core";
import type { InJobRestart, LossAlarm, Observations } from "../ports.ts";
import { emptyObservations } from "../ports.ts";
import type { StepPoint } from "../store/series-store.ts";

/**
 * Folds one attempt's parsed log (the monitor's located events) into Observations. It is rebuilt
 * after a supervisor restart by reading the log again from byte 0, so it needs no persisted
 * detector state; notes already recorded are de-duplicated by the run's `noted` keys, not here.
 */
export class AttemptObserver {
  readonly obs: Observations = emptyObservations();
  /** byte offset up to which every whole line has been parsed (set by whoever reads the log) */
  parsedOffset = 0;
  /** each new highest iteration and when it was seen, for the monitor's hang judgement */
  private readonly iterations: IterationSeen[] = [];
  private readonly hangPolicy: HangPolicy;
  private readonly detector: RobustSpikeDetector;
  /** DeepSpeed's swallowed "Failed saving model checkpoint" lines: evidence for the exception that follows */
  private readonly saveErrors: { line: string; step: number | null; path: string }[] = [];
  /** the innermost NeoX/DeepSpeed frame of the traceback being printed, for the exception that ends it */
  private lastFrame: string | null = null;
  /** RCCL's network lines, folded as they come (obs.rccl is its reading) */
  private readonly rccl = new RcclTransportReader();
  /** when the newest in-job restart was read (the hang watch's new start) */
  private restartedAt: number | undefined;
  /** training points not yet stored in the run's series (points before `emitFrom` already are) */
  readonly pending: StepPoint[] = [];

  constructor(
    private readonly resilience: Resilience,
    private readonly attempt: number,
    private readonly emitFrom = 0
  ) {
    this.detector = new RobustSpikeDetector({ recoverWindowSteps: resilience.spike.recover_window_steps });
    this.hangPolicy = hangPolicyFromSpec(resilience.hang);
  }

  /** Folds events in log order; `now` is when they were read (the hang check's clock). */
  apply(events: readonly LocatedEvent[], now: number): void {
    for (const e of events) this.event(e, now);
  }

  private event(located: LocatedEvent, now: number): void {
    const ev = located.event;
    const o = this.obs;
    switch (ev.kind) {
      case "train":
        if (o.firstIteration === undefined) o.firstIteration = ev.step;
        if (o.lastIteration === undefined || ev.step > o.lastIteration)
          this.progress({ step: ev.step, atMs: now, ...(ev.iterMs !== null ? { stepMs: ev.iterMs } : {}) });
        o.lastIteration = ev.step;
        if (ev.lr !== null) o.lastLr = ev.lr;
        if (located.end > this.emitFrom) {
          this.pending.push({
            step: ev.step,
            attempt: this.attempt,
            ...(ev.loss !== null && Number.isFinite(ev.loss) ? { loss: ev.loss } : {}),
            ...(ev.lr !== null ? { lr: ev.lr } : {}),
            ...(ev.iterMs !== null ? { stepTimeMs: ev.iterMs } : {}),
            ...(ev.mfuPct !== null ? { mfuPct: ev.mfuPct } : {}),
            ...(ev.hfuPct !== null ? { hfuPct: ev.hfuPct } : {}),
            time: new Date(now).toISOString()
          });
        }
        if (ev.loss !== null)
          for (const d of this.detector.push({ step: ev.step, loss: ev.loss })) this.alarm(d, located.text());
        return;
      case "checkpoint_missing":
        o.unableToLoad = true;
        (o.loadLines ??= []).push(located.text());
        return;
      case "checkpoint_load_start":
        o.resumedFrom = ev.step;
        (o.loadLines ??= []).push(located.text());
        return;
      case "exit_interval":
        o.exitedAt = ev.step;
        return;
      case "node_error":
        o.errorLines.push(located.text());
        if (ev.node && !o.errorNodes.includes(ev.node)) o.errorNodes.push(ev.node);
        if (ev.source === "srun_node_failure" && ev.node && !(o.slurmLostNodes ??= []).includes(ev.node))
          o.slurmLostNodes.push(ev.node);
        return;
      case "out_of_memory":
        if (!o.outOfMemory) o.outOfMemory = { source: ev.source, node: ev.node, lines: [] };
        else if (o.outOfMemory.node === null && ev.node !== null) o.outOfMemory.node = ev.node;
        if (o.outOfMemory.lines.length < 5) o.outOfMemory.lines.push(located.text());
        return;
      case "collective_timeout":
        // every rank's watchdog reports the same collective; the first one is the evidence
        if (!o.collectiveTimeout)
          o.collectiveTimeout = { rank: ev.rank, op: ev.op, seq: ev.seq, ms: ev.ms, lines: [located.text()] };
        else if (o.collectiveTimeout.lines.length < 5) o.collectiveTimeout.lines.push(located.text());
        return;
      case "traceback_frame":
        this.lastFrame = `${ev.file}:${ev.line} in ${ev.func}`;
        return;
      case "python_exception":
        if (!o.exception)
          o.exception = {
            type: ev.type,
            message: ev.message,
            frame: this.lastFrame,
            lines: [...(this.lastFrame ? [`  ${this.lastFrame}`] : []), located.text()]
          };
        this.lastFrame = null;
        return;
      case "checkpoint_save_error":
        // not fatal by itself (a rank that lost a makedirs race logs it too); kept for the exception
        if (this.saveErrors.length < 3)
          this.saveErrors.push({ line: located.text(), step: ev.step, path: ev.path });
        return;
      case "storage_error": {
        if (o.storageError) return;
        const before = this.saveErrors.at(-1);
        o.storageError = {
          fault: ev.fault,
          path: ev.path ?? before?.path ?? null,
          step: ev.step ?? before?.step ?? null,
          lines: [...this.saveErrors.map((s) => s.line), located.text()]
        };
        return;
      }
      case "preflight_failed":
        o.preflight ??= { what: ev.what, path: ev.path, line: located.text() };
        return;
      case "in_job_restart":
        this.restarted(
          {
            restart: ev.restart,
            max: ev.max,
            nodes: ev.nodes,
            lost: ev.lost,
            from: ev.from,
            line: located.text()
          },
          now
        );
        return;
      case "in_job_restart_refused":
        // the job ends. The script judged these nodes lost (srun named them, or Slurm's node state
        // did) even where srun printed no line naming them: blame them, or decide() would see an
        // application crash with no node and count it toward the crash loop
        for (const n of ev.lost) if (!o.errorNodes.includes(n)) o.errorNodes.push(n);
        return;
      case "timers":
      case "eval":
      case "training_start":
      case "checkpoint_loaded":
      case "checkpoint_saving":
      case "checkpoint_saved":
      case "data_start":
      case "lr_override":
      case "deepspeed_step":
      case "overflow":
      case "task_exit":
        return;
      case "rccl_net":
        this.rccl.push(ev);
        o.rccl = this.rccl.reading();
        return;
    }
  }

  /**
   * The job has ended: no next point will come to tell a last high point from a one-step outlier,
   * so the detector settles it (a log that stops on a high point is a spike).
   */
  settle(): void {
    for (const d of this.detector.end()) this.alarm(d, this.obs.tail.at(-1) ?? "");
  }

  private alarm(d: DetectorEvent, line: string): void {
    const cur = this.obs.alarm;
    switch (d.type) {
      case "alarm":
        // keep the first unrecovered episode: it is the one a rollback must go back before
        if (!cur || cur.recovered || !cur.actionable)
          this.obs.alarm = {
            kind: d.kind,
            actionable: true,
            segment: d.segment,
            onsetStep: d.onsetStep,
            step: d.step,
            recovered: false,
            lines: [line]
          } satisfies LossAlarm;
        else if (cur.lines.length < 5) cur.lines.push(line);
        return;
      case "notice":
        // shown as a note, never in the way of an alarm
        if (!cur || cur.recovered)
          this.obs.alarm = {
            kind: d.kind,
            actionable: false,
            segment: d.segment,
            onsetStep: d.step,
            step: d.step,
            recovered: false,
            lines: [line]
          } satisfies LossAlarm;
        return;
      case "recovered":
        if (cur && !cur.recovered && cur.kind === "spike") {
          cur.recovered = true;
          cur.recoveredAt = d.step;
        }
        return;
      case "not_recovered":
        return;
      case "rewind":
        return;
    }
  }

  /**
   * The step starts again on a spare: what the failed step printed is history, not the state of the
   * job (decide() would otherwise cancel it for the lost node's errors), and the hang watch starts
   * over with the startup grace, since the new step loads a checkpoint first.
   */
  private restarted(r: InJobRestart, now: number): void {
    const o = this.obs;
    (o.inJobRestarts ??= []).push(r);
    o.unnotedRestart = r;
    o.errorNodes = [];
    o.errorLines = [];
    o.slurmLostNodes = [];
    delete o.outOfMemory;
    delete o.collectiveTimeout;
    delete o.exception;
    delete o.storageError;
    this.lastFrame = null;
    this.saveErrors.length = 0;
    this.iterations.length = 0;
    // the new step repeats the steps after its checkpoint: each counts as progress again
    delete o.lastIteration;
    this.restartedAt = now;
  }

  private progress(seen: IterationSeen): void {
    this.iterations.push(seen);
    // the median looks at the recent steps only; older ones are dead weight
    if (this.iterations.length > 2 * this.hangPolicy.recentSteps)
      this.iterations.splice(0, this.iterations.length - this.hangPolicy.recentSteps - 1);
  }

  /** The monitor's hang verdict for a job RUNNING since `runningSince` (undefined: not running as far as we know). */
  checkHang(now: number, runningSince: number | undefined): boolean {
    const since = runningSince === undefined ? undefined : Math.max(runningSince, this.restartedAt ?? 0);
    this.obs.hang =
      since !== undefined &&
      judgeHang("RUNNING", since, this.iterations, now, this.hangPolicy).state === "hung";
    return this.obs.hang;
  }
}
