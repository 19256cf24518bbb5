import type { DecayStyle } from "../config/emu-config.ts";
import { PythonError } from "../config/python-error.ts";
import { pyFloatRepr } from "../format/pyformat.ts";

/** NeoX's AnnealingLR.state_dict(), stored in the checkpoint's model-states file. */
export interface LrSchedulerState {
  start_lr: number;
  warmup_iter: number;
  num_iters: number;
  decay_style: DecayStyle;
  end_iter: number;
  min_lr: number;
}

export interface LrSchedulerInit {
  startLr: number;
  minLr: number;
  /** warmup fraction × total iterations; a float in NeoX */
  warmupIter: number;
  totalIters: number;
  decayStyle: DecayStyle;
  overrideLrScheduler: boolean;
  useCheckpointLrScheduler: boolean;
}

/** The schedule NeoX builds in training.py and steps once per non-skipped optimizer step. */
export class AnnealingLr {
  startLr: number;
  minLr: number;
  warmupIter: number;
  endIter: number;
  decayStyle: DecayStyle;
  numIters = 0;

  constructor(
    init: LrSchedulerInit,
    private readonly print: (line: string) => void
  ) {
    this.startLr = init.startLr;
    this.minLr = init.minLr;
    this.warmupIter = init.warmupIter;
    this.endIter = init.totalIters;
    this.decayStyle = init.decayStyle;
    this.override = init.overrideLrScheduler;
    this.useCheckpoint = init.useCheckpointLrScheduler;
    if (!(this.endIter > 0)) throw new PythonError("AssertionError", "");
    if (this.override && this.useCheckpoint) {
      throw new PythonError("AssertionError", "both override and use-checkpoint are set.");
    }
  }

  private readonly override: boolean;
  private readonly useCheckpoint: boolean;

  lr(): number {
    const n = this.numIters;
    if (this.warmupIter > 0 && n <= this.warmupIter) return (this.startLr * n) / this.warmupIter;
    const done = n - this.warmupIter;
    const span = this.endIter - this.warmupIter;
    let lr: number;
    switch (this.decayStyle) {
      case "linear":
        lr = (this.startLr * (span - done)) / span;
        break;
      case "cosine":
        lr = this.minLr + ((this.startLr - this.minLr) / 2.0) * (Math.cos((Math.PI * done) / span) + 1);
        break;
      case "exponential":
        // exp(-0.693) ≈ 1/2: the LR halves over the decay span
        lr = this.startLr * Math.exp((-0.693 * done) / span);
        break;
      case "constant":
        lr = this.startLr;
        break;
    }
    return Math.max(lr, this.minLr);
  }

  step(): void {
    this.numIters += 1;
  }

  stateDict(): LrSchedulerState {
    return {
      start_lr: this.startLr,
      warmup_iter: this.warmupIter,
      num_iters: this.numIters,
      decay_style: this.decayStyle,
      end_iter: this.endIter,
      min_lr: this.minLr
    };
  }

  /** load_state_dict: override → config wins; use_checkpoint → checkpoint wins; else they must be equal. */
  loadStateDict(sd: LrSchedulerState): void {
    const f = (v: number): string => pyFloatRepr(v);
    this.startLr = this.checkAndSet(this.startLr, sd.start_lr, "learning rate", f);
    this.minLr = this.checkAndSet(this.minLr, sd.min_lr, "minimum learning rate", f);
    this.warmupIter = this.checkAndSet(this.warmupIter, sd.warmup_iter, "warmup iterations", f);
    this.endIter = this.checkAndSet(this.endIter, sd.end_iter, "total number of iterations", String);
    this.decayStyle = this.checkAndSet(this.decayStyle, sd.decay_style, "decay style", String);
    this.numIters = sd.num_iters;
  }

  private checkAndSet<T extends number | string>(
    cls: T,
    fromCkpt: T,
    name: string,
    show: (v: T) => string
  ): T {
    if (this.override) {
      this.print(` > overriding ${name} value to ${show(cls)}`);
      return cls;
    }
    if (!this.useCheckpoint && cls !== fromCkpt) {
      // NeoX's message lacks a space between "value" and "and": kept so log matchers written against NeoX still hit.
      throw new PythonError(
        "AssertionError",
        `AnnealingLR: class input valueand checkpoint values for ${name} do not match`
      );
    }
    this.print(` > using checkpoint value ${show(fromCkpt)} for ${name}`);
    return fromCkpt;
  }
}
