import type { EventType } from "@neoxctl/core";
import type { AttemptView, EventView, SeriesPoint } from "./read-model.ts";

/** Events that mean something went wrong or a person intervened: each opens or extends an incident. */
const TROUBLE: ReadonlySet<EventType> = new Set<EventType>([
  "recover_node",
  "recover_timeout",
  "recover_app",
  "recover_hang",
  "rollback",
  "slurm_requeued",
  "needs_attention",
  "submit_rejected",
  "rollback_by_user",
  "excluded_by_user",
  "resumed_by_user",
  "acknowledged",
  "cancelled_by_user"
]);

export interface IncidentStep {
  type: EventType;
  time: string;
  cause: string;
}

/**
 * One interruption of training: the attempt that stopped, what was decided (by the supervisor or a
 * person), and when training made progress again, with what it cost.
 */
export interface Incident {
  /** the attempt that stopped */
  attempt: number;
  /** its last logged progress (or the first decision, when it logged none) */
  failedAt: string;
  lastStep?: number;
  steps: IncidentStep[];
  /** first progress of a later attempt; absent while the incident is open */
  recoveredAt?: string;
  resumedFrom?: number;
  /** seconds from the failure to the first decision, and to recovery (or `now`) */
  detectS: number;
  downS: number;
  /** steps trained again because the resume point was behind the failure */
  stepsLost?: number;
  /** (downtime + recomputed steps) × devices, when the device count is known */
  gpuHours?: number;
}

const ms = (iso: string | undefined): number => (iso ? Date.parse(iso) : Number.NaN);

export function deriveIncidents(
  events: readonly EventView[],
  attempts: readonly AttemptView[],
  points: readonly SeriesPoint[],
  opts: { now: Date; stepTimeS?: number; devices?: number }
): Incident[] {
  const last = new Map<number, SeriesPoint>();
  for (const p of points) {
    const l = last.get(p.attempt);
    if (!l || p.step >= l.step) last.set(p.attempt, p);
  }
  const started = new Map<number, number>();
  for (const e of events)
    if (e.type === "job_started" && e.attempt !== undefined) started.set(e.attempt, ms(e.time));
  /** the first progress of `attempt` at or after `floor` and after its job started */
  const firstProgress = (attempt: number, floor: number): string | undefined => {
    const from = Math.max(floor, started.get(attempt) ?? Number.NEGATIVE_INFINITY);
    let best: string | undefined;
    for (const p of points)
      if (p.attempt === attempt && p.time && ms(p.time) >= from && (!best || ms(p.time) < ms(best)))
        best = p.time;
    return best;
  };
  const byAttempt = new Map<number, Incident>();
  const order: Incident[] = [];
  for (const e of events) {
    if (!TROUBLE.has(e.type) || e.attempt === undefined) continue;
    let inc = byAttempt.get(e.attempt);
    if (!inc) {
      const lp = last.get(e.attempt);
      const failedAt = lp?.time && ms(lp.time) <= ms(e.time) ? lp.time : e.time;
      inc = {
        attempt: e.attempt,
        failedAt,
        ...(lp ? { lastStep: lp.step } : {}),
        steps: [],
        detectS: Math.max(0, (ms(e.time) - ms(failedAt)) / 1000),
        downS: 0
      };
      byAttempt.set(e.attempt, inc);
      order.push(inc);
    }
    inc.steps.push({ type: e.type, time: e.time, cause: e.cause });
  }
  for (const inc of order) {
    const later = attempts.filter((a) => a.index > inc.attempt).sort((a, b) => a.index - b.index);
    const next = later[0];
    const decided = ms(inc.steps[inc.steps.length - 1]?.time ?? inc.failedAt);
    const resumed = later.map((a) => firstProgress(a.index, decided)).find((t) => t !== undefined);
    const end = resumed !== undefined ? ms(resumed) : opts.now.getTime();
    inc.downS = Math.max(0, (end - ms(inc.failedAt)) / 1000);
    if (resumed !== undefined) inc.recoveredAt = resumed;
    if (next) {
      const from = next.loadStep ?? 0;
      inc.resumedFrom = from;
      if (inc.lastStep !== undefined) inc.stepsLost = Math.max(0, inc.lastStep - from);
    }
    if (opts.devices !== undefined) {
      const recompute = (inc.stepsLost ?? 0) * (opts.stepTimeS ?? 0);
      inc.gpuHours = ((inc.downS + recompute) * opts.devices) / 3600;
    }
  }
  return order;
}
