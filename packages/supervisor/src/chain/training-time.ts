import type { StepPoint } from "../store/series-store.ts";

/**
 * Wall time spent training: per attempt, from its first to its last logged point. Start-up, loads and
 * queue time are not in it, so it is a lower bound of what the allocation was billed.
 */
export function trainingSeconds(points: readonly StepPoint[]): number {
  const span = new Map<number, [number, number]>();
  for (const p of points) {
    if (!p.time) continue;
    const t = Date.parse(p.time) / 1000;
    const s = span.get(p.attempt);
    span.set(p.attempt, s ? [Math.min(s[0], t), Math.max(s[1], t)] : [t, t]);
  }
  let total = 0;
  for (const [a, b] of span.values()) total += b - a;
  return total;
}
