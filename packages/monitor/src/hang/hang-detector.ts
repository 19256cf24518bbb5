import type { Resilience } from "@neoxctl/core";

/**
 * Decides whether a RUNNING job has stopped making progress. Pure: the caller supplies what it
 * observed (when each new iteration appeared, wall-clock ms) and the current time.
 */
export interface HangPolicy {
  /** hang when no new iteration within k × the median recent step time ... */
  k: number;
  /** ... or this long, whichever is larger */
  floorMs: number;
  /** allowed from job start to the first iteration (data index build, checkpoint load) */
  startupGraceMs: number;
  /** how many recent step intervals the median is taken over */
  recentSteps: number;
}

export const HANG_DEFAULTS: HangPolicy = {
  k: 10,
  floorMs: 600_000,
  startupGraceMs: 1_800_000,
  recentSteps: 20
};

/** The policy a run spec's `resilience.hang` (seconds) asks for. */
export function hangPolicyFromSpec(
  hang: Resilience["hang"],
  recentSteps = HANG_DEFAULTS.recentSteps
): HangPolicy {
  return {
    k: hang.k,
    floorMs: hang.floor_s * 1000,
    startupGraceMs: hang.startup_grace_s * 1000,
    recentSteps
  };
}

export interface IterationSeen {
  step: number;
  /** when the line for this step was observed */
  atMs: number;
  /**
   * time per step the trainer printed on that line, when it prints one. Preferred over wall-clock
   * gaps: a log read in one go (a restarted watcher replaying it) has no meaningful gaps.
   */
  stepMs?: number;
}

export type HangVerdict =
  | { state: "not_running" }
  | { state: "starting"; deadlineMs: number }
  | { state: "progressing"; deadlineMs: number; medianStepMs: number | null }
  | { state: "hung"; sinceMs: number; lastStep: number | null; limitMs: number; medianStepMs: number | null };

export type JobRunState = "RUNNING" | "PENDING" | "ENDED";

/**
 * `iterations` are in observation order. Step time is measured per step (Δt / Δstep) so a
 * log_interval > 1 does not inflate it; a rewind (restart) only starts a new interval.
 */
export function judgeHang(
  jobState: JobRunState,
  jobStartMs: number,
  iterations: readonly IterationSeen[],
  nowMs: number,
  policy: HangPolicy = HANG_DEFAULTS
): HangVerdict {
  switch (jobState) {
    case "PENDING":
    case "ENDED":
      return { state: "not_running" };
    case "RUNNING":
      break;
  }
  const last = iterations[iterations.length - 1];
  if (!last || last.atMs < jobStartMs) {
    const deadlineMs = jobStartMs + policy.startupGraceMs;
    return nowMs > deadlineMs
      ? {
          state: "hung",
          sinceMs: jobStartMs,
          lastStep: null,
          limitMs: policy.startupGraceMs,
          medianStepMs: null
        }
      : { state: "starting", deadlineMs };
  }
  const medianStepMs = medianStepTime(iterations, policy.recentSteps, jobStartMs);
  const limitMs = Math.max(
    policy.floorMs,
    medianStepMs === null ? 0 : policy.k * medianStepMs * lastInterval(iterations)
  );
  const deadlineMs = last.atMs + limitMs;
  return nowMs > deadlineMs
    ? { state: "hung", sinceMs: last.atMs, lastStep: last.step, limitMs, medianStepMs }
    : { state: "progressing", deadlineMs, medianStepMs };
}

/** steps between the last two log lines: the next line is expected that many steps later */
function lastInterval(iterations: readonly IterationSeen[]): number {
  const a = iterations[iterations.length - 2];
  const b = iterations[iterations.length - 1];
  return a && b && b.step > a.step ? b.step - a.step : 1;
}

function medianStepTime(
  iterations: readonly IterationSeen[],
  recent: number,
  jobStartMs: number
): number | null {
  const per: number[] = [];
  for (let i = iterations.length - 1; i >= 0 && per.length < recent; i--) {
    const b = iterations[i];
    if (!b || b.atMs < jobStartMs) break;
    if (b.stepMs !== undefined) {
      if (Number.isFinite(b.stepMs) && b.stepMs >= 0) per.push(b.stepMs);
      continue;
    }
    const a = iterations[i - 1];
    if (!a || a.atMs < jobStartMs) break;
    if (b.step > a.step && b.atMs >= a.atMs) per.push((b.atMs - a.atMs) / (b.step - a.step));
  }
  if (per.length === 0) return null;
  per.sort((x, y) => x - y);
  const mid = per.length >> 1;
  return per.length % 2 === 1 ? (per[mid] ?? 0) : ((per[mid - 1] ?? 0) + (per[mid] ?? 0)) / 2;
}
