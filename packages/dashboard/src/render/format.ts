import type { RunSummary } from "../model/read-model.ts";

export function formatCount(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)}T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function tokensDone(run: RunSummary): number | undefined {
  return run.tokensPerStep === undefined ? undefined : run.step * run.tokensPerStep;
}

export function tokensPerSecond(run: RunSummary): number | undefined {
  if (run.tokensPerStep === undefined || !run.stepTimeSeconds) return undefined;
  return run.tokensPerStep / run.stepTimeSeconds;
}

/** Remaining steps × recent step time: compute time only, queue waits are not predictable. */
export function etaSeconds(run: RunSummary): number | undefined {
  if (!run.stepTimeSeconds) return undefined;
  return Math.max(0, run.trainIters - run.step) * run.stepTimeSeconds;
}

export function formatLoss(loss: number | undefined): string {
  return loss === undefined ? "—" : Number.isFinite(loss) ? loss.toFixed(4) : String(loss);
}

export function formatTime(iso: string | undefined): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "—";
}

/** How long ago `iso` was, from `now` ("4m 10s"); "—" when unknown. */
export function formatAge(iso: string | undefined, now: Date): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  return Number.isFinite(t) ? formatDuration(Math.max(0, (now.getTime() - t) / 1000)) : "—";
}

/** Tokens per second with a unit prefix, "—" when the plan does not give tokens per step. */
export function formatTokensPerSecond(run: RunSummary): string {
  const tps = tokensPerSecond(run);
  return tps === undefined ? "—" : `${formatCount(Math.round(tps))}/s`;
}

/** Productive (training) time so far and its share of the wall clock. */
export function formatEffective(run: RunSummary): string {
  const g = run.goodput;
  if (!g) return "—";
  const productive = g.split["productive"] ?? 0;
  return g.ett === undefined
    ? formatDuration(productive)
    : `${formatDuration(productive)} (${(g.ett * 100).toFixed(0)}%)`;
}
