import type { Estimates, Span } from "@neoxctl/plan";
import type { Run } from "../model.ts";
import type { StepPoint } from "../store/series-store.ts";
import { planFiguresOf } from "../adapters/plan-figures.ts";
import { recentStepMs } from "./step-stats.ts";
import { trainingSeconds } from "./training-time.ts";

/** The plan's estimate a run is measured against (docs/estimates.md). */
export interface SpeedEstimate {
  stepS: Span;
  trainingS: Span;
  deviceHours: Span;
  billing: { unit: string; units: Span } | null;
  mfuPct: { low: number; high: number };
}

/** How fast a run trains and what it has used, next to the plan's estimate. */
export interface RunSpeed {
  /** median of the current attempt's recent logged step times */
  stepTimeS: number | null;
  tokensPerS: number | null;
  /** NeoX's logged MFU/HFU (percent) of the newest point that carried them */
  mfuPct: number | null;
  hfuPct: number | null;
  /** remaining steps × step time: compute only, queue waits are not predictable */
  etaS: number | null;
  spent: { trainingS: number; deviceHours: number | null; billed: { unit: string; units: number } | null };
  estimate: SpeedEstimate | null;
}

function estimatesOf(run: Pick<Run, "id" | "planInput" | "runDir" | "createdAt">): Estimates | null {
  return planFiguresOf(run)?.estimates ?? null;
}

function lastDefined(
  points: readonly StepPoint[],
  pick: (p: StepPoint) => number | undefined
): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = pick(points[i]!);
    if (v !== undefined) return v;
  }
  return null;
}

export function runSpeed(p: {
  run: Pick<Run, "id" | "planInput" | "runDir" | "createdAt" | "trainIters">;
  points: readonly StepPoint[];
}): RunSpeed {
  const e = estimatesOf(p.run);
  const last = p.points.at(-1);
  const current = p.points.filter((x) => x.attempt === last?.attempt && x.stepTimeMs !== undefined);
  const ms = recentStepMs(current.map((x) => ({ step: x.step, ms: x.stepTimeMs! })));
  const stepTimeS = ms === undefined ? null : ms / 1000;
  const t = e?.timing ?? null;
  const trainingS = trainingSeconds(p.points);
  const hours = trainingS / 3600;
  return {
    stepTimeS,
    tokensPerS: stepTimeS !== null && e !== null ? e.tokensPerStep / stepTimeS : null,
    mfuPct: lastDefined(p.points, (x) => x.mfuPct),
    hfuPct: lastDefined(p.points, (x) => x.hfuPct),
    etaS:
      stepTimeS !== null && last !== undefined ? Math.max(0, p.run.trainIters - last.step) * stepTimeS : null,
    spent: {
      trainingS,
      deviceHours: e === null ? null : hours * e.devices,
      billed:
        t?.billing && e !== null
          ? { unit: t.billing.unit, units: hours * e.nodes * t.billing.perNodeHour }
          : null
    },
    estimate:
      t === null
        ? null
        : {
            stepS: t.stepS,
            trainingS: t.trainingS,
            deviceHours: t.deviceHours,
            billing: t.billing ? { unit: t.billing.unit, units: t.billing.units } : null,
            mfuPct: { low: t.mfu.low * 100, high: t.mfu.high * 100 }
          }
  };
}

function h(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function span(s: Span, f: (n: number) => string): string {
  return `${f(s.fast)}–${f(s.slow)}`;
}

/** One line for `neoxctl status`: speed now, next to the plan's estimate. */
export function describeSpeed(s: RunSpeed): string {
  const parts: string[] = [];
  const est = s.estimate;
  if (s.stepTimeS !== null)
    parts.push(
      `step ${s.stepTimeS.toFixed(2)} s${est ? ` (plan ${span(est.stepS, (n) => n.toFixed(1))} s)` : ""}`
    );
  if (s.tokensPerS !== null) parts.push(`${h(s.tokensPerS)} tokens/s`);
  if (s.mfuPct !== null)
    parts.push(
      `MFU ${s.mfuPct.toFixed(2)}%${s.hfuPct !== null ? ` HFU ${s.hfuPct.toFixed(2)}%` : ""}${est ? ` (plan ${est.mfuPct.low.toFixed(0)}–${est.mfuPct.high.toFixed(0)}%)` : ""}`
    );
  else parts.push("MFU not logged (no peak_theoretical_tflops)");
  if (s.etaS !== null) parts.push(`ETA ${(s.etaS / 3600).toFixed(1)} h of training`);
  if (s.spent.deviceHours !== null)
    parts.push(
      `spent ${h(s.spent.deviceHours)} device-hours${est ? ` of ${span(est.deviceHours, h)} planned` : ""}` +
        (s.spent.billed
          ? `, ${h(s.spent.billed.units)} ${s.spent.billed.unit}${est?.billing ? ` of ${span(est.billing.units, h)}` : ""}`
          : "")
    );
  return parts.join("; ");
}
