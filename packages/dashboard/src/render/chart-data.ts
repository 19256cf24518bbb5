import type { AttemptView, RunSeries, SeriesPoint } from "../model/read-model.ts";

/** Marker series drawn on the loss chart, in legend order. */
const MARKER_KINDS = ["spike", "rollback", "lr_change", "restart"] as const;
type MarkerKind = (typeof MARKER_KINDS)[number];

type Column = (number | null)[];

/** Column-aligned data for uPlot: one shared x (step) array, one array per series. */
export interface ChartData {
  steps: number[];
  loss: { kept: Column; discarded: Column; markers: Record<MarkerKind, Column> };
  lr: { kept: Column; discarded: Column };
  stepTime: { kept: Column };
  markerSteps: Record<MarkerKind, number[]>;
  counts: { points: number; discardedPoints: number };
}

/**
 * A point is discarded when a later attempt started at or before its step: that later attempt
 * re-ran those steps (rollback, or resume from an older checkpoint), so the earlier values are no
 * longer the run's history.
 */
function isDiscarded(point: SeriesPoint, laterFirstStep: ReadonlyMap<number, number>): boolean {
  const first = laterFirstStep.get(point.attempt);
  return first !== undefined && point.step >= first;
}

/** For each attempt, the smallest first step among the attempts after it. */
function laterFirstSteps(points: readonly SeriesPoint[]): Map<number, number> {
  const first = new Map<number, number>();
  for (const p of points) {
    const f = first.get(p.attempt);
    if (f === undefined || p.step < f) first.set(p.attempt, p.step);
  }
  const attempts = [...first.keys()].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let min = Number.POSITIVE_INFINITY;
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i] as number;
    if (min !== Number.POSITIVE_INFINITY) out.set(a, min);
    min = Math.min(min, first.get(a) as number);
  }
  return out;
}

export function buildChartData(series: RunSeries, attempts: readonly AttemptView[]): ChartData {
  const later = laterFirstSteps(series.points);
  const sorted = [...series.points].sort((a, b) => a.attempt - b.attempt || a.step - b.step);
  const kept = new Map<number, SeriesPoint>();
  const discarded = new Map<number, SeriesPoint>();
  const firstOfAttempt = new Map<number, number>();
  for (const p of sorted) {
    if (!firstOfAttempt.has(p.attempt)) firstOfAttempt.set(p.attempt, p.step);
    (isDiscarded(p, later) ? discarded : kept).set(p.step, p);
  }
  const steps = [...new Set([...kept.keys(), ...discarded.keys()])].sort((a, b) => a - b);
  const col = (m: Map<number, SeriesPoint>, f: (p: SeriesPoint) => number | undefined): Column =>
    steps.map((s) => {
      const p = m.get(s);
      const v = p ? f(p) : undefined;
      return v === undefined || !Number.isFinite(v) ? null : v;
    });
  const markerSteps = markerStepsOf(series, attempts, firstOfAttempt);
  const lossAt = (s: number): number | null => kept.get(s)?.loss ?? discarded.get(s)?.loss ?? null;
  const markers = {} as Record<MarkerKind, Column>;
  for (const kind of MARKER_KINDS) {
    const at = new Set(markerSteps[kind]);
    markers[kind] = steps.map((s) => (at.has(s) ? lossAt(s) : null));
  }
  return {
    steps,
    loss: { kept: col(kept, (p) => p.loss), discarded: col(discarded, (p) => p.loss), markers },
    lr: { kept: col(kept, (p) => p.lr), discarded: col(discarded, (p) => p.lr) },
    stepTime: { kept: col(kept, (p) => p.stepTimeSeconds) },
    markerSteps,
    counts: { points: series.points.length, discardedPoints: [...discarded.keys()].length }
  };
}

function markerStepsOf(
  series: RunSeries,
  attempts: readonly AttemptView[],
  firstOfAttempt: ReadonlyMap<number, number>
): Record<MarkerKind, number[]> {
  const byIndex = new Map(attempts.map((a) => [a.index, a]));
  const restart: number[] = [];
  const lrChange: number[] = [];
  const ordered = [...firstOfAttempt.entries()].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ordered.length; i++) {
    const [attempt, step] = ordered[i] as [number, number];
    const prev = byIndex.get((ordered[i - 1] as [number, number])[0]);
    const cur = byIndex.get(attempt);
    restart.push(step);
    if (prev && cur && prev.lr !== cur.lr) lrChange.push(step);
  }
  const rollback = series.rollbacks.map((r) => firstOfAttempt.get(r.attempt) ?? r.toStep + 1);
  const spike = series.spikes.map((s) => s.step);
  const uniq = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
  return { spike: uniq(spike), rollback: uniq(rollback), lr_change: uniq(lrChange), restart: uniq(restart) };
}
