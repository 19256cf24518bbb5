import { parseLine, RobustSpikeDetector } from "@neoxctl/monitor";
import type { DetectorEvent } from "@neoxctl/monitor";
import type { Resilience } from "@neoxctl/core";
import type { LossAlarm, Observations } from "../ports.ts";
import { emptyObservations } from "../ports.ts";
import type { StepPoint } from "../store/series-store.ts";

const TAIL = 8;

/**
 * Folds one attempt's log into Observations. It is rebuilt after a supervisor restart by reading
 * the log again from byte 0, so it needs no persisted detector state; notes already recorded are
 * de-duplicated by the run's `noted` keys, not here.
 */
export class AttemptObserver {
  readonly obs: Observations = emptyObservations();
  offset = 0;
  /** wall time (ms) of the last new iteration, for the hang check */
  lastProgressAt: number | undefined;
  private readonly stepMs: number[] = [];
  private readonly detector: RobustSpikeDetector;
  private partial = "";
  /** byte offset where the current unparsed partial line starts */
  private lineStart = 0;
  /** training points not yet stored in the run's series (points before `emitFrom` already are) */
  readonly pending: StepPoint[] = [];

  constructor(
    private readonly resilience: Resilience,
    private readonly attempt: number,
    private readonly emitFrom = 0
  ) {
    this.detector = new RobustSpikeDetector({ recoverWindowSteps: resilience.spike.recover_window_steps });
  }

  /** Feeds bytes read from `offset`. Only whole lines are parsed; a trailing partial line waits. */
  feed(data: Buffer, now: number): void {
    this.offset += data.length;
    const text = this.partial + data.toString("utf8");
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      this.lineStart += Buffer.byteLength(line) + 1;
      this.line(line, now);
    }
  }

  private line(line: string, now: number): void {
    const ev = parseLine(line);
    if (line.trim()) {
      this.obs.tail.push(line);
      if (this.obs.tail.length > TAIL) this.obs.tail.shift();
    }
    if (!ev) return;
    const o = this.obs;
    switch (ev.kind) {
      case "train":
        if (o.firstIteration === undefined) o.firstIteration = ev.step;
        if (o.lastIteration === undefined || ev.step > o.lastIteration) this.lastProgressAt = now;
        o.lastIteration = ev.step;
        if (ev.lr !== null) o.lastLr = ev.lr;
        if (ev.iterMs !== null) this.stepMs.push(ev.iterMs);
        if (this.lineStart > this.emitFrom) {
          this.pending.push({
            step: ev.step,
            attempt: this.attempt,
            ...(ev.loss !== null && Number.isFinite(ev.loss) ? { loss: ev.loss } : {}),
            ...(ev.lr !== null ? { lr: ev.lr } : {}),
            ...(ev.iterMs !== null ? { stepTimeMs: ev.iterMs } : {}),
            time: new Date(now).toISOString()
          });
        }
        if (ev.loss !== null) for (const d of this.detector.push({ step: ev.step, loss: ev.loss })) this.alarm(d, line);
        return;
      case "checkpoint_missing":
        o.unableToLoad = true;
        (o.loadLines ??= []).push(line);
        return;
      case "checkpoint_load_start":
        o.resumedFrom = ev.step;
        (o.loadLines ??= []).push(line);
        return;
      case "exit_interval":
        o.exitedAt = ev.step;
        return;
      case "node_error":
        o.errorLines.push(line);
        if (ev.node && !o.errorNodes.includes(ev.node)) o.errorNodes.push(ev.node);
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
    }
  }

  private alarm(d: DetectorEvent, line: string): void {
    const cur = this.obs.alarm;
    switch (d.type) {
      case "alarm":
        // keep the first unrecovered episode: it is the one a rollback must go back before
        if (!cur || cur.recovered) this.obs.alarm = { kind: d.kind, onsetStep: d.onsetStep, step: d.step, recovered: false, lines: [line] } satisfies LossAlarm;
        else if (cur.lines.length < 5) cur.lines.push(line);
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

  /** Byte offset up to which every whole line has been parsed. */
  get parsedOffset(): number {
    return this.lineStart;
  }

  /** No new iteration for max(k × median step time, floor), or no first iteration within the startup grace. */
  checkHang(now: number, runningSince: number | undefined): boolean {
    const h = this.resilience.hang;
    if (this.lastProgressAt === undefined) {
      this.obs.hang = runningSince !== undefined && now - runningSince > h.startup_grace_s * 1000;
      return this.obs.hang;
    }
    const sorted = [...this.stepMs].sort((a, b) => a - b);
    const median = sorted.length ? (sorted[Math.floor(sorted.length / 2)] ?? 0) : 0;
    const limit = Math.max(h.k * median, h.floor_s * 1000);
    this.obs.hang = now - this.lastProgressAt > limit;
    return this.obs.hang;
  }
}
