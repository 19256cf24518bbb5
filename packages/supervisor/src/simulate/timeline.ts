import type { SimRun } from "./sim-config.ts";

const EPS = 1e-9;

/**
 * Training arithmetic of one attempt resuming at a checkpoint step R: steps take `step_s`, and a
 * blocking save follows every multiple of `checkpoint_factor` (and the final step). Times are
 * seconds of training, i.e. after the attempt's startup.
 */
export class Training {
  private readonly cycleS: number;

  constructor(
    private readonly run: SimRun,
    readonly from: number
  ) {
    this.cycleS = run.checkpoint_factor * run.step_s + run.save_s;
  }

  /** saves completed by the time `step` is trained and saved */
  savesUpTo(step: number): number {
    const f = this.run.checkpoint_factor;
    let n = Math.floor(step / f) - Math.floor(this.from / f);
    if (step === this.run.train_iters && step % f !== 0) n += 1;
    return n;
  }

  /** training seconds until `step` is trained and, if it is a save step, saved */
  timeTo(step: number): number {
    return (step - this.from) * this.run.step_s + this.savesUpTo(step) * this.run.save_s;
  }

  /** training seconds until `step` has been logged (before its save) */
  timeToLogged(step: number): number {
    return (step - this.from) * this.run.step_s + this.savesUpTo(step - 1) * this.run.save_s;
  }

  /** the state after `tau` training seconds: steps trained, checkpoints completed, the newest of them */
  at(tau: number, cap: number): { step: number; saves: number; newest: number } {
    const f = this.run.checkpoint_factor;
    // resumes start at checkpoints (multiples of f) or at 0, so whole cycles line up with saves
    // times are sums of step and save seconds: a save of 13.4 s leaves rounding dust that must not
    // turn a whole number of steps into one step fewer
    const cycles = Math.max(0, Math.floor(tau / this.cycleS + EPS));
    const rem = Math.max(0, tau - cycles * this.cycleS);
    let step = this.from + cycles * f + Math.min(f, Math.floor(rem / this.run.step_s + EPS));
    let saves = cycles;
    if (step >= cap) {
      step = cap;
      saves = this.savesUpTo(cap);
      if (tau < this.timeTo(cap)) saves -= 1;
    }
    const newest = saves > 0 ? Math.min(cap, (Math.floor(this.from / f) + saves) * f) : this.from;
    return { step, saves, newest };
  }
}
