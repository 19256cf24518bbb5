/** Summary of repeated trials: the median and a spread whose kind is always stated. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  /** "p5/p95" when there are enough trials for percentiles to mean something, else "min/max" */
  spread: { kind: "p5/p95" | "min/max"; lo: number; hi: number };
  min: number;
  max: number;
}

/** Nearest-rank percentile on sorted data (no interpolation: every figure is a real trial). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const min = s[0] ?? Number.NaN;
  const max = s[s.length - 1] ?? Number.NaN;
  // below 20 trials p5/p95 would just be min/max under another name
  const spread =
    s.length >= 20
      ? { kind: "p5/p95" as const, lo: percentile(s, 5), hi: percentile(s, 95) }
      : { kind: "min/max" as const, lo: min, hi: max };
  return { n: s.length, p50: median(s), p95: percentile(s, 95), spread, min, max };
}

export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
