import { checkpointOverhead, youngDalyIntervalS } from "@neoxctl/core";

/** Inputs of the checkpoint-interval advice; durations in seconds. */
export interface IntervalAdviceInput {
  /** measured checkpoint save time */
  saveS: number;
  /** measured seconds per iteration */
  stepS: number;
  /** wall time the run has spent training (all attempts) */
  observedS: number;
  /** interruptions that lost work since the last save (node failures, crashes, hangs, unplanned timeouts) */
  failures: number;
  configuredFactor: number;
}

export interface IntervalAdvice {
  /** mean time between failures; with no failure yet, the observed time (a lower bound) */
  mtbfS: number;
  mtbfIsLowerBound: boolean;
  /** Young/Daly optimum √(2 × save × MTBF), in seconds and in iterations */
  optimalS: number;
  optimalIters: number;
  configuredIters: number;
  configuredS: number;
  /** expected fraction of wall time lost to saves plus recomputation, at each interval (first order) */
  overheadAtOptimal: number;
  overheadAtConfigured: number;
}

/** The Young/Daly advice from measured save and step times; the formulas live in core, shared with the plan. */
export function adviseInterval(i: IntervalAdviceInput): IntervalAdvice | undefined {
  if (!(i.saveS > 0) || !(i.stepS > 0) || !(i.observedS > 0)) return undefined;
  const mtbfIsLowerBound = i.failures === 0;
  const mtbfS = i.observedS / Math.max(i.failures, 1);
  const optimalS = youngDalyIntervalS({ saveS: i.saveS, mtbfS });
  const overhead = (intervalS: number): number => checkpointOverhead({ saveS: i.saveS, mtbfS, intervalS });
  const configuredS = i.configuredFactor * i.stepS;
  return {
    mtbfS,
    mtbfIsLowerBound,
    optimalS,
    optimalIters: Math.max(1, Math.round(optimalS / i.stepS)),
    configuredIters: i.configuredFactor,
    configuredS,
    overheadAtOptimal: overhead(optimalS),
    overheadAtConfigured: overhead(configuredS)
  };
}

/** One human line for `neoxctl status`. */
export function describeAdvice(a: IntervalAdvice): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const mtbf = `${a.mtbfIsLowerBound ? "≥" : ""}${(a.mtbfS / 3600).toFixed(2)} h`;
  return `checkpoint every ${a.configuredIters} it (${a.configuredS.toFixed(0)} s, overhead ${pct(a.overheadAtConfigured)}); Young/Daly suggests ${a.optimalIters} it (${a.optimalS.toFixed(0)} s, overhead ${pct(a.overheadAtOptimal)}) for MTBF ${mtbf}`;
}
