/**
 * The run's logging interval, learned from the step gaps between logged points in O(1): a
 * majority vote (Boyer–Moore) over the gaps. NeoX and Megatron log every `log_interval` steps, so one
 * gap wins outright; an irregularly sampled export (a dashboard's thinned history) keeps no winner
 * confident, and then every point is taken for what it most likely is: one step's loss, not a mean.
 */
export class LogIntervalLearner {
  private candidate = 0;
  private votes = 0;
  private lastStep = Number.NaN;

  /** `told`: the interval the plan configured (training.log_interval); it wins over the gaps. */
  constructor(private readonly told?: number) {}

  observe(step: number): void {
    const gap = step - this.lastStep;
    this.lastStep = step;
    // a rewind (restart from a checkpoint) is not a gap
    if (!(gap > 0)) return;
    if (this.votes === 0) {
      this.candidate = gap;
      this.votes = 1;
    } else if (gap === this.candidate) {
      this.votes = Math.min(this.votes + 1, CONFIDENT * 4);
    } else {
      this.votes--;
    }
  }

  /** steps each logged loss stands for (NeoX logs the mean over the interval) */
  steps(): number {
    if (this.told !== undefined && this.told > 0) return this.told;
    return this.votes >= CONFIDENT ? this.candidate : 1;
  }
}

/** gaps that must agree before the interval is trusted */
const CONFIDENT = 3;
