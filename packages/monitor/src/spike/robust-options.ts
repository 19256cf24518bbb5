/** The knobs of RobustSpikeDetector (robust-detector.ts) and their defaults. */
export interface RobustDetectorOptions {
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
  /** baseline rise above its minimum (ln units) that counts as a slow-onset climb */
  climbJump: number;
  /** a logged point standing for at least this many steps is evidence enough on its own */
  singlePointSteps: number;
  /** the run's log_interval when known (the plan's training.log_interval); learned from step gaps otherwise */
  logInterval?: number;
}

export const ROBUST_DEFAULTS: RobustDetectorOptions = {
  baselineSpan: 32,
  scaleSpan: 64,
  minJump: 0.2,
  k: 6,
  scaleFloor: 0.005,
  warmupPoints: 2,
  warmupSteps: 0,
  recoverWindowSteps: 50,
  recoverJump: 0.06,
  divergeJump: 0.3,
  climbJump: 0.12,
  singlePointSteps: 10
};
