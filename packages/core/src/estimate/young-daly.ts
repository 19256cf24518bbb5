/**
 * Young's first-order optimum for the checkpoint interval, τ = √(2·C·M), for save time C and mean
 * time between failures M (J. W. Young, CACM 17(9), 1974). Daly's higher-order form (FGCS 22(3),
 * 2006) subtracts about C, which matters only when C is a sizeable part of M. Both in seconds.
 */
export function youngDalyIntervalS(p: { saveS: number; mtbfS: number }): number {
  return Math.sqrt(2 * p.saveS * p.mtbfS);
}

/**
 * First-order fraction of wall time lost at checkpoint interval τ: the saves, C/τ, plus on average half
 * an interval recomputed after each failure, τ/(2M). Minimal at Young's τ.
 */
export function checkpointOverhead(p: { saveS: number; mtbfS: number; intervalS: number }): number {
  return p.saveS / p.intervalS + p.intervalS / (2 * p.mtbfS);
}
