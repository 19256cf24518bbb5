import type { Level } from "./level-snapshots.ts";
import { EMPTY_LEVEL, LevelSnapshots } from "./level-snapshots.ts";
import { LogIntervalLearner } from "./log-interval.ts";
import type { RobustDetectorOptions } from "./robust-options.ts";
import { ROBUST_DEFAULTS } from "./robust-options.ts";
import type { Alarm, DetectorEvent, LossDetector, LossPoint, Notice } from "./types.ts";
import { NO_EVENTS } from "./types.ts";

interface Pending {
  step: number;
  loss: number;
  b: number;
}

interface OpenSpike {
  onsetStep: number;
  baseline: number;
  peakStep: number;
  peakLoss: number;
}

/**
 * The neoxctl rule. In log space (a spike is a ratio, whatever the loss level):
 * - baseline b: an EWMA whose per-point move is clipped to a few scales (one outlier cannot drag it);
 * - scale s: an EWMA of |x − b| with a floor, i.e. a robust mean absolute deviation;
 * - a point is high when x − b > max(minJump, k·s). Whether one high point is enough depends on how
 *   many steps it stands for: NeoX logs the mean over `log_interval` steps, so a point at an interval
 *   of ≥ `singlePointSteps` is many bad steps and alarms at once; at a smaller interval (a per-step
 *   log) the next point must be high too, and a point that came straight back is a notice, not an
 *   alarm. The interval is learned from the step gaps (or told);
 * - a baseline that keeps rising from its minimum by more than `climbJump` is a slow-onset
 *   instability (`climb`), reported with the step the rise started from as its onset;
 * - while a spike is open the baseline is frozen at its pre-spike value, so recovery means "back to
 *   where it was", and the recovery window is counted in steps;
 * - a spike that does not recover re-seeds the baseline at the new level; a baseline that has risen
 *   by more than `divergeJump` above its minimum is a divergence;
 * - a step that goes backwards restores the newest snapshot taken before that step (O(1) per point,
 *   bounded memory), so a restart is never itself an alarm; every event then carries the segment
 *   index (rewinds so far), so a collapse that repeats on the same steps says which pass it is.
 * The minimum relative jump is what makes it robust on real curves: their point-to-point noise is
 * below 13 % (Pythia-410M, llm.c GPT-2), while the labelled BigScience spikes are 60–160 %.
 */
export class RobustSpikeDetector implements LossDetector {
  readonly name = "neoxctl-robust";
  private readonly o: RobustDetectorOptions;
  private level: Level = EMPTY_LEVEL;
  private lastStep = Number.NEGATIVE_INFINITY;
  private pending: Pending | null = null;
  private spike: OpenSpike | null = null;
  private inNan = false;
  private diverged = false;
  private climbing = false;
  private segment = 0;
  private readonly interval: LogIntervalLearner;
  private readonly snapshots = new LevelSnapshots();

  constructor(options: Partial<RobustDetectorOptions> = {}) {
    this.o = { ...ROBUST_DEFAULTS, ...options };
    this.interval = new LogIntervalLearner(this.o.logInterval);
  }

  /**
   * The input ended on a high point that was waiting for the next one: a log that stops there (the
   * job crashed or was killed on it) cannot call it an isolated outlier, so it is a spike.
   */
  end(): readonly DetectorEvent[] {
    const p = this.pending;
    if (!p) return NO_EVENTS;
    this.pending = null;
    this.spike = { onsetStep: p.step, baseline: p.b, peakStep: p.step, peakLoss: p.loss };
    return [this.alarm("spike", p.step, p.step, p.loss, p.b)];
  }

  push({ step, loss }: LossPoint): readonly DetectorEvent[] {
    const out: DetectorEvent[] = [];
    if (step <= this.lastStep) {
      out.push({ type: "rewind", fromStep: this.lastStep, toStep: step });
      this.rewindTo(step);
    }
    this.lastStep = step;
    this.interval.observe(step);

    if (!Number.isFinite(loss)) {
      if (!this.inNan) {
        this.inNan = true;
        out.push({
          type: "alarm",
          kind: "nan",
          step,
          onsetStep: step,
          loss,
          baseline: this.baselineLoss(),
          severity: Number.POSITIVE_INFINITY,
          segment: this.segment
        });
      }
      return out;
    }
    this.inNan = false;
    if (loss <= 0) return out.length === 0 ? NO_EVENTS : out;
    const x = Math.log(loss);
    const lv = this.level;

    if (lv.n === 0) {
      this.level = { step, n: 1, b: x, s: this.o.scaleFloor * 4, minB: x, floorStep: step };
      return out.length === 0 ? NO_EVENTS : out;
    }

    const armed = lv.n >= this.o.warmupPoints && step >= this.o.warmupSteps;
    const d = x - lv.b;
    const threshold = Math.max(this.o.minJump, this.o.k * lv.s);

    if (this.spike) {
      this.trackOpenSpike(step, loss, x, out);
      return out;
    }

    const pending = this.pending;
    // after a high point, "came straight back" means back in the lower half of the band: a point
    // still well above the baseline is the same excursion going on
    if (armed && (d > threshold || (pending !== null && d > threshold / 2))) {
      if (pending !== null || this.interval.steps() >= this.o.singlePointSteps) {
        const onset = pending?.step ?? step;
        const peak = pending && pending.loss > loss ? pending : { step, loss };
        this.pending = null;
        this.spike = { onsetStep: onset, baseline: lv.b, peakStep: peak.step, peakLoss: peak.loss };
        out.push(this.alarm("spike", step, onset, loss, lv.b));
      } else {
        this.pending = { step, loss, b: lv.b };
      }
      return out;
    }
    if (pending !== null) {
      this.pending = null;
      out.push(this.notice(pending));
    }
    this.update(step, x);
    this.checkRise(step, loss, armed, out);
    return out.length === 0 ? NO_EVENTS : out;
  }

  private trackOpenSpike(step: number, loss: number, x: number, out: DetectorEvent[]): void {
    const sp = this.spike;
    if (!sp) return;
    if (loss > sp.peakLoss) {
      sp.peakLoss = loss;
      sp.peakStep = step;
    }
    if (step - sp.onsetStep > this.o.recoverWindowSteps) {
      out.push({
        type: "not_recovered",
        step,
        onsetStep: sp.onsetStep,
        peakStep: sp.peakStep,
        peakLoss: sp.peakLoss
      });
      this.spike = null;
      // the loss lives at a new level now: follow it, and let the divergence rule judge the rise
      this.level = { ...this.level, step, b: x };
      // the spike was reported already: its new level is no slow onset (divergence still judges it)
      this.climbing = true;
      this.checkRise(step, loss, true, out);
      return;
    }
    if (x - sp.baseline <= this.o.recoverJump) {
      out.push({
        type: "recovered",
        step,
        onsetStep: sp.onsetStep,
        peakStep: sp.peakStep,
        peakLoss: sp.peakLoss,
        stepsToRecover: step - sp.onsetStep
      });
      this.spike = null;
      this.update(step, x);
    }
  }

  private update(step: number, x: number): void {
    const lv = this.level;
    const n = lv.n + 1;
    // the first points form a plain mean, later ones an EWMA
    const a = Math.max(2 / (this.o.baselineSpan + 1), 1 / n);
    const as = Math.max(2 / (this.o.scaleSpan + 1), 1 / n);
    const cap = 3 * Math.max(lv.s, this.o.scaleFloor);
    const d = x - lv.b;
    const b = lv.b + a * Math.max(-cap, Math.min(cap, d));
    const s = Math.max(this.o.scaleFloor, lv.s + as * (Math.min(Math.abs(d), cap) - lv.s));
    const minB = Math.min(lv.minB, b);
    // "near": a quarter of a climb; on a flat noisy stretch that is the latest step, not the lowest
    const floorStep = b - minB <= this.o.climbJump / 4 ? step : lv.floorStep;
    this.level = { step, n, b, s, minB, floorStep };
    this.snapshots.offer(this.level);
  }

  /** The baseline's rise above its minimum: a climb first, a divergence when it goes on rising. */
  private checkRise(step: number, loss: number, armed: boolean, out: DetectorEvent[]): void {
    const lv = this.level;
    const rise = lv.b - lv.minB;
    // a spike that did not come back is reported already: its new level is no slow onset
    if (!this.climbing && !this.diverged && armed && rise > this.o.climbJump) {
      this.climbing = true;
      out.push(this.alarm("climb", step, lv.floorStep, loss, lv.minB));
    } else if (this.climbing && rise < this.o.climbJump / 2) {
      this.climbing = false;
    }
    if (!this.diverged && armed && rise > this.o.divergeJump) {
      this.diverged = true;
      out.push(this.alarm("divergence", step, step, loss, lv.minB));
    } else if (this.diverged && rise < this.o.divergeJump / 2) {
      this.diverged = false;
    }
  }

  private rewindTo(step: number): void {
    this.spike = null;
    this.pending = null;
    this.inNan = false;
    this.diverged = false;
    this.climbing = false;
    this.segment++;
    this.level = this.snapshots.restoreBefore(step);
  }

  private baselineLoss(): number {
    return this.level.n === 0 ? Number.NaN : Math.exp(this.level.b);
  }

  private alarm(kind: Alarm["kind"], step: number, onsetStep: number, loss: number, b: number): Alarm {
    return {
      type: "alarm",
      kind,
      step,
      onsetStep,
      loss,
      baseline: Math.exp(b),
      severity: loss / Math.exp(b),
      segment: this.segment
    };
  }

  private notice(p: Pending): Notice {
    const baseline = Math.exp(p.b);
    return {
      type: "notice",
      kind: "outlier",
      step: p.step,
      loss: p.loss,
      baseline,
      severity: p.loss / baseline,
      segment: this.segment
    };
  }
}
