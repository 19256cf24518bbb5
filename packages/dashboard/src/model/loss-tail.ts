/** One logged loss, with the attempt that logged it. */
export interface LossPoint {
  step: number;
  attempt: number;
  loss?: number;
}

/**
 * The run's loss curve as it stands (points a later attempt re-ran are dropped, as on the chart),
 * reduced to at most `max` values by averaging consecutive buckets: enough for a sparkline.
 */
export function lossTail(points: readonly LossPoint[], max: number): number[] {
  const firstOf = new Map<number, number>();
  for (const p of points) {
    const f = firstOf.get(p.attempt);
    if (f === undefined || p.step < f) firstOf.set(p.attempt, p.step);
  }
  const attempts = [...firstOf.keys()].sort((a, b) => b - a);
  // for each attempt, the smallest first step of any later attempt
  const cut = new Map<number, number>();
  let min = Number.POSITIVE_INFINITY;
  for (const a of attempts) {
    cut.set(a, min);
    min = Math.min(min, firstOf.get(a) as number);
  }
  const kept = new Map<number, number>();
  for (const p of points) {
    if (p.loss === undefined || !Number.isFinite(p.loss)) continue;
    if (p.step >= (cut.get(p.attempt) ?? Number.POSITIVE_INFINITY)) continue;
    kept.set(p.step, p.loss);
  }
  const values = [...kept.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  if (values.length <= max) return values;
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const from = Math.floor((i * values.length) / max);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / max));
    const slice = values.slice(from, to);
    out.push(slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  return out;
}
