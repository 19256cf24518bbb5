import type { Alarm, DetectorEvent, LossDetector, LossPoint } from "../src/spike/types.ts";
import { NO_EVENTS } from "../src/spike/types.ts";

/*
 * The neoxctl rule as it was before slow-onset, notice and log-interval judgement were added
 * (packages/monitor/src/spike/robust-detector.ts at commit 6655c05), frozen here so
 * compare-detectors.ts can show what the change did to every curve. Not used by anything else.
 */
type PlainAlarm = Omit<Alarm, "segment">;
type PlainEvent = Exclude<DetectorEvent, Alarm> | PlainAlarm;

/**
 * The neoxctl rule. In log space (a spike is a ratio, whatever the loss level):
 * - baseline b: an EWMA whose per-point move is clipped to a few scales (one outlier cannot drag it);
 * - scale s: an EWMA of |x − b| with a floor, i.e. a robust mean absolute deviation;
 * - a point is high when x − b > max(minJump, k·s). A very high point (twice that) alarms at once,
 *   a merely high one only when the next point is high too (persistence);
 * - while a spike is open the baseline is frozen at its pre-spike value, so recovery means "back to
 *   where it was", and the recovery window is counted in steps;
 * - a spike that does not recover re-seeds the baseline at the new level; a baseline that has risen
 *   by more than `divergeJump` above its minimum is a divergence;
 * - a step that goes backwards restores the newest snapshot taken before that step (O(1) per point,
 *   bounded memory), so a restart is never itself an alarm.
 * The minimum relative jump is what makes it robust on real curves: their point-to-point noise is
 * below 13 % (Pythia-410M, llm.c GPT-2), while the labelled BigScience spikes are 60–160 %.
 */
interface RobustDetectorOptions {
  /** EWMA span of the baseline, in points */
  baselineSpan: number;
  /** EWMA span of the scale, in points */
  scaleSpan: number;
  /** minimum jump above baseline in ln units (0.2 ≈ +22 %) */
  minJump: number;
  /** jump in robust scales */
  k: number;
  /** lower bound on the scale, ln units */
  scaleFloor: number;
  /** no spike/divergence alarms before this many finite points since the last reset */
  warmupPoints: number;
  /** no spike/divergence alarms at steps below this (the LR warm-up, where the loss is steep and noisy) */
  warmupSteps: number;
  /** a spike counts as recovered if the loss is back near the pre-spike baseline within this many steps */
  recoverWindowSteps: number;
  /** "back near the baseline": within this ln distance */
  recoverJump: number;
  /** baseline rise above its minimum (ln units) that counts as divergence */
  divergeJump: number;
}

const ROBUST_DEFAULTS: RobustDetectorOptions = {
  baselineSpan: 32,
  scaleSpan: 64,
  minJump: 0.2,
  k: 6,
  scaleFloor: 0.005,
  warmupPoints: 2,
  warmupSteps: 0,
  recoverWindowSteps: 50,
  recoverJump: 0.06,
  divergeJump: 0.3
};

interface Level {
  step: number;
  n: number;
  b: number;
  s: number;
  minB: number;
}

interface OpenSpike {
  onsetStep: number;
  baseline: number;
  peakStep: number;
  peakLoss: number;
}

const SNAPSHOT_EVERY = 64;
const SNAPSHOT_SLOTS = 32;

class PlainPreviousDetector {
  private readonly o: RobustDetectorOptions;
  private level: Level = { step: Number.NEGATIVE_INFINITY, n: 0, b: 0, s: 0, minB: Number.POSITIVE_INFINITY };
  private lastStep = Number.NEGATIVE_INFINITY;
  private pendingOnset: number | null = null;
  private spike: OpenSpike | null = null;
  private inNan = false;
  private diverged = false;
  private readonly snapshots: (Level | undefined)[] = new Array<Level | undefined>(SNAPSHOT_SLOTS);
  private snapshotCount = 0;

  constructor(options: Partial<RobustDetectorOptions> = {}) {
    this.o = { ...ROBUST_DEFAULTS, ...options };
  }

  push({ step, loss }: LossPoint): readonly PlainEvent[] {
    const out: PlainEvent[] = [];
    if (step <= this.lastStep) {
      out.push({ type: "rewind", fromStep: this.lastStep, toStep: step });
      this.rewindTo(step);
    }
    this.lastStep = step;

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
          severity: Number.POSITIVE_INFINITY
        });
      }
      return out;
    }
    this.inNan = false;
    if (loss <= 0) return out.length === 0 ? NO_EVENTS : out;
    const x = Math.log(loss);
    const lv = this.level;

    if (lv.n === 0) {
      this.level = { step, n: 1, b: x, s: this.o.scaleFloor * 4, minB: x };
      return out.length === 0 ? NO_EVENTS : out;
    }

    const armed = lv.n >= this.o.warmupPoints && step >= this.o.warmupSteps;
    const d = x - lv.b;
    const threshold = Math.max(this.o.minJump, this.o.k * lv.s);

    if (this.spike) {
      this.trackOpenSpike(step, loss, x, out);
      return out;
    }

    if (armed && d > threshold) {
      const onset = this.pendingOnset ?? step;
      if (d > 2 * threshold || this.pendingOnset !== null) {
        this.pendingOnset = null;
        this.spike = { onsetStep: onset, baseline: lv.b, peakStep: step, peakLoss: loss };
        out.push(this.alarm("spike", step, onset, loss, lv.b));
      } else {
        this.pendingOnset = step;
      }
      return out;
    }
    this.pendingOnset = null;
    this.update(step, x);
    this.checkDivergence(step, loss, armed, out);
    return out.length === 0 ? NO_EVENTS : out;
  }

  private trackOpenSpike(step: number, loss: number, x: number, out: PlainEvent[]): void {
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
      this.checkDivergence(step, loss, true, out);
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
    this.level = { step, n, b, s, minB: Math.min(lv.minB, b) };
    if (n % SNAPSHOT_EVERY === 0) {
      this.snapshots[this.snapshotCount % SNAPSHOT_SLOTS] = this.level;
      this.snapshotCount++;
    }
  }

  private checkDivergence(step: number, loss: number, armed: boolean, out: PlainEvent[]): void {
    const lv = this.level;
    const rise = lv.b - lv.minB;
    if (!this.diverged && armed && rise > this.o.divergeJump) {
      this.diverged = true;
      out.push(this.alarm("divergence", step, step, loss, lv.minB));
    } else if (this.diverged && rise < this.o.divergeJump / 2) {
      this.diverged = false;
    }
  }

  private rewindTo(step: number): void {
    this.spike = null;
    this.pendingOnset = null;
    this.inNan = false;
    this.diverged = false;
    let best: Level | null = null;
    for (const snap of this.snapshots) {
      if (snap && snap.step < step && (best === null || snap.step > best.step)) best = snap;
    }
    // snapshots newer than the rewind target describe a future that no longer happened
    for (let i = 0; i < SNAPSHOT_SLOTS; i++) {
      const snap = this.snapshots[i];
      if (snap && snap.step >= step) this.snapshots[i] = undefined;
    }
    this.level = best
      ? { ...best }
      : { step: Number.NEGATIVE_INFINITY, n: 0, b: 0, s: 0, minB: Number.POSITIVE_INFINITY };
  }

  private baselineLoss(): number {
    return this.level.n === 0 ? Number.NaN : Math.exp(this.level.b);
  }

  private alarm(kind: Alarm["kind"], step: number, onsetStep: number, loss: number, b: number): PlainAlarm {
    return {
      type: "alarm",
      kind,
      step,
      onsetStep,
      loss,
      baseline: Math.exp(b),
      severity: loss / Math.exp(b)
    };
  }
}

/** the previous rule, with the segment index every alarm now carries (rewinds seen so far) */
export class PreviousRobustDetector implements LossDetector {
  readonly name = "neoxctl-robust-previous";
  private readonly inner = new PlainPreviousDetector();
  private segment = 0;
  push(point: LossPoint): readonly DetectorEvent[] {
    return this.inner.push(point).map((e): DetectorEvent => {
      if (e.type === "rewind") this.segment++;
      return e.type === "alarm" ? { ...e, segment: this.segment } : e;
    });
  }
}
