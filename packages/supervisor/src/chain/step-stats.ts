/** One logged training window: the step it ended at and NeoX's `elapsed time per iteration (ms)`. */
export interface StepSample {
  step: number;
  ms: number;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Median ms per iteration over the newest `recent` samples: saves and stragglers do not move it. */
export function recentStepMs(samples: readonly StepSample[], recent = 50): number | undefined {
  return median(samples.slice(-recent).map((s) => s.ms));
}

/**
 * Checkpoint save time measured from the training lines alone. NeoX saves after logging, so the
 * save lands in the timer window of the NEXT log line: that window's per-iteration time exceeds
 * the median by save/log_interval. Returns seconds, undefined when no window after a save was seen.
 */
export function saveSecondsFromWindows(
  samples: readonly StepSample[],
  logInterval: number,
  checkpointFactor: number
): number | undefined {
  const base = median(samples.map((s) => s.ms));
  if (base === undefined) return undefined;
  const excess: number[] = [];
  for (const s of samples) {
    const windowStart = s.step - logInterval;
    if (windowStart > 0 && windowStart % checkpointFactor === 0)
      excess.push(Math.max(0, (s.ms - base) * logInterval));
  }
  const m = median(excess);
  return m === undefined ? undefined : m / 1000;
}
