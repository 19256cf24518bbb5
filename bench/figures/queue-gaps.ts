import { run as runQueueGaps } from "../queue-gaps.ts";
import type { ModeResult } from "../queue-gaps.ts";
import type { BenchOptions, FigureResult, Measurement } from "../lib/result.ts";
import { summarize } from "../lib/stats.ts";

function gapRow(chained: ModeResult, baseline: ModeResult): Measurement {
  const s = summarize(chained.gapS.values);
  const a = summarize(baseline.gapS.values);
  return {
    metric: "queue_gap_s",
    case: "planned ending, pre-queued continuation",
    unit: "s",
    summary: s,
    anchor: { label: "sbatch after the job ends", summary: a },
    ...(a.p50 > 0 ? { ratio: s.p50 / a.p50 } : {})
  };
}

function lostRow(m: ModeResult, label: string): Measurement {
  return {
    metric: "steps_lost_per_ending",
    case: label,
    unit: "steps",
    summary: summarize(m.stepsLostPerEnding.values)
  };
}

/**
 * Issue 9's figure inside the benchmark run: the time a chained run spends between one job's end
 * and the next one's start at planned endings (exit_interval before the wall-time limit), with
 * continuations pre-queued (afterok + singleton) against submitting after the end is seen.
 */
export async function runQueueGapsFigure(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  opts.log(`gaps: two chained runs of 1-minute jobs (${opts.quick ? "quick" : "full"}), one per mode`);
  const r = await runQueueGaps({ quick: opts.quick, out: null });
  const chained = r.modes.find((m) => m.mode === "chained");
  const baseline = r.modes.find((m) => m.mode === "submit_after_end");
  if (!chained || !baseline) throw new Error("queue-gaps returned no result for a mode");
  for (const m of r.modes) {
    if (m.state !== "completed")
      throw new Error(`queue-gaps: the ${m.mode} run ended ${m.state}: ${m.endings.join("; ")}`);
    if (m.plannedEndings === 0)
      opts.log(`gaps: the ${m.mode} run had no planned ending: ${m.endings.join("; ")}`);
  }
  return {
    name: "gaps",
    title: "Queue gap at planned endings (wall-time chaining)",
    scope: `from a job's EndTime to its continuation's StartTime, both from Slurm (sacct, 1 s resolution), at every planned ending of a run of 1-minute jobs (${r.config.trainIters} iterations at ${r.config.stepMs} ms, exit margin ${r.config.exitMarginMin} min); the anchor is the same run with chain_continuations: false, where the supervisor submits once it sees the job end`,
    measurements: [
      gapRow(chained, baseline),
      lostRow(chained, "pre-queued continuation"),
      lostRow(baseline, "sbatch after the job ends")
    ],
    notes: [
      `pre-queued: ${chained.plannedEndings} planned endings, ${chained.queuedBeforeEnd} continuations queued before their predecessor ended, ${chained.jobs} jobs, gaps ${JSON.stringify(chained.gapS.values)} s`,
      `submit after end: ${baseline.plannedEndings} planned endings, ${baseline.jobs} jobs, gaps ${JSON.stringify(baseline.gapS.values)} s`,
      ...r.modes
        .filter((m) => m.plannedEndings < m.jobs - 1)
        .map((m) => `${m.mode}: not every hand-over was a planned ending: ${m.endings.join("; ")}`),
      "the local cluster is otherwise idle, so the gap is orchestration delay, not queue wait; on a busy cluster the pre-queued job also keeps its place in the queue"
    ],
    durationMs: Date.now() - started
  };
}
