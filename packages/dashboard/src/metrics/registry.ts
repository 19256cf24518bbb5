import { Counter, Gauge, Registry } from "prom-client";
import { safeText } from "@neoxctl/core";
import type {
  CorruptRecordCount,
  ManualActionCount,
  RunReadModel,
  RunStateView,
  RunSummary,
  SlurmPollView
} from "../model/read-model.ts";
import { RUN_STATE_VIEWS } from "../model/read-model.ts";
import type { SlurmPollFailureCount, SupervisionView } from "../model/supervision.ts";
import { etaSeconds, tokensPerSecond } from "../render/format.ts";
import { supervisionGauges } from "./supervision-gauges.ts";

interface WatchRead {
  supervision?: SupervisionView;
  pollFailures: readonly SlurmPollFailureCount[];
  /** run id → slowdown events (active runs) */
  slowdowns: ReadonlyMap<string, number>;
}

export interface DashboardMetrics {
  registry: Registry;
  /**
   * Reads the model and returns the exposition text. `ok` is false when the read failed: the
   * run series are then left out rather than repeated from the last good read.
   */
  scrape(): Promise<{ ok: boolean; text: string }>;
}

function isActive(state: RunStateView): boolean {
  switch (state) {
    case "planned":
    case "queued":
    case "running":
    case "recovering":
    case "needs_attention":
      return true;
    case "completed":
    case "failed":
    case "cancelled":
    // nothing about an unreadable run is known beyond its id; neoxctl_runs{state} counts it
    case "unreadable":
      return false;
  }
}

/**
 * Gauges are filled from one model snapshot per scrape. Per-run series cover active runs only, so
 * hundreds of finished runs do not become hundreds of stale series in Prometheus.
 */
export function createDashboardMetrics(
  model: RunReadModel,
  clock: () => Date = () => new Date()
): DashboardMetrics {
  const registry = new Registry();
  const runLabels = ["run", "name"] as const;
  const runs = new Gauge({
    name: "neoxctl_runs",
    help: "Runs by state.",
    labelNames: ["state"],
    registers: [registry]
  });
  const step = new Gauge({
    name: "neoxctl_run_step",
    help: "Last training step seen.",
    labelNames: runLabels,
    registers: [registry]
  });
  const iters = new Gauge({
    name: "neoxctl_run_train_iters",
    help: "Target training steps.",
    labelNames: runLabels,
    registers: [registry]
  });
  const loss = new Gauge({
    name: "neoxctl_run_loss",
    help: "Last logged training loss.",
    labelNames: runLabels,
    registers: [registry]
  });
  const tps = new Gauge({
    name: "neoxctl_run_tokens_per_second",
    help: "Training throughput over recent steps.",
    labelNames: runLabels,
    registers: [registry]
  });
  const mfu = new Gauge({
    name: "neoxctl_run_mfu_percent",
    help: "Model FLOPs utilisation NeoX logged last (needs peak_theoretical_tflops).",
    labelNames: ["run", "name"],
    registers: [registry]
  });
  const stepSeconds = new Gauge({
    name: "neoxctl_run_step_seconds",
    help: "Mean recent time per training step of the current attempt.",
    labelNames: ["run", "name"],
    registers: [registry]
  });
  const eta = new Gauge({
    name: "neoxctl_run_eta_seconds",
    help: "Remaining steps × recent step time (training only; queue waits are not predictable).",
    labelNames: ["run", "name"],
    registers: [registry]
  });
  const hoursSpent = new Gauge({
    name: "neoxctl_run_device_hours_spent",
    help: "Device-hours (GCD-hours) between the first and last logged step of each attempt.",
    labelNames: ["run", "name"],
    registers: [registry]
  });
  const hoursPlanned = new Gauge({
    name: "neoxctl_run_device_hours_planned",
    help: "The plan's device-hour estimate at the fast (high MFU) and slow (low MFU) end of its band.",
    labelNames: ["run", "name", "bound"],
    registers: [registry]
  });
  const age = new Gauge({
    name: "neoxctl_run_last_progress_age_seconds",
    help: "Seconds since the last training step was logged.",
    labelNames: runLabels,
    registers: [registry]
  });
  const attempt = new Gauge({
    name: "neoxctl_run_attempt",
    help: "Current attempt number.",
    labelNames: runLabels,
    registers: [registry]
  });
  const ett = new Gauge({
    name: "neoxctl_run_effective_training_ratio",
    help: "Productive training time / wall clock since the run was created (a job graph's steps included).",
    labelNames: runLabels,
    registers: [registry]
  });
  const goodput = new Gauge({
    name: "neoxctl_run_wall_seconds",
    help: "Wall-clock seconds of the run by goodput category (productive, queue, startup, checkpoint, recompute, detection, rollback, human_wait, workflow_steps).",
    labelNames: [...runLabels, "category"],
    registers: [registry]
  });
  const recoveries = new Counter({
    name: "neoxctl_recoveries_total",
    help: "Automatic recoveries by cause, over all runs.",
    labelNames: ["cause"],
    registers: [registry]
  });
  const poll = new Gauge({
    name: "neoxctl_slurm_poll_latency_seconds",
    help: "Duration of the supervisor's last Slurm status poll of each cluster.",
    labelNames: ["cluster"],
    registers: [registry]
  });
  const corrupt = new Counter({
    name: "neoxctl_corrupt_records_total",
    help: "Records in Redis the supervisors found unreadable (not JSON or not of their schema) and skipped, by kind.",
    labelNames: ["kind"],
    registers: [registry]
  });
  const manual = new Counter({
    name: "neoxctl_manual_actions_total",
    help: "Manual controls requested (CLI or dashboard), by who asked and the action.",
    labelNames: ["actor", "action"],
    registers: [registry]
  });
  const pollFailures = new Counter({
    name: "neoxctl_slurm_poll_failures_total",
    help: "Failed Slurm status polls of each cluster, over all supervisors.",
    labelNames: ["cluster"],
    registers: [registry]
  });
  const pollAge = new Gauge({
    name: "neoxctl_slurm_last_poll_age_seconds",
    help: "Seconds since the last successful Slurm status poll of each cluster.",
    labelNames: ["cluster"],
    registers: [registry]
  });
  const slowdowns = new Counter({
    name: "neoxctl_run_slowdowns_total",
    help: "Sustained slowdowns the throughput guard reported for the run (slowdown events).",
    labelNames: runLabels,
    registers: [registry]
  });
  const supervision = supervisionGauges(registry);
  const scrapeErrors = new Counter({
    name: "neoxctl_dashboard_scrape_errors_total",
    help: "Failed reads of the run store while scraping.",
    registers: [registry]
  });
  function clear(): void {
    for (const g of [
      runs,
      step,
      iters,
      loss,
      tps,
      mfu,
      stepSeconds,
      eta,
      hoursSpent,
      hoursPlanned,
      age,
      attempt,
      poll,
      ett,
      goodput,
      pollAge
    ])
      g.reset();
    recoveries.reset();
    corrupt.reset();
    manual.reset();
    pollFailures.reset();
    slowdowns.reset();
    supervision.reset();
  }
  function fill(
    list: readonly RunSummary[],
    polls: readonly SlurmPollView[],
    corruptCounts: readonly CorruptRecordCount[],
    manualCounts: readonly ManualActionCount[],
    watch: WatchRead
  ): void {
    clear();
    for (const m of manualCounts)
      if (m.count > 0) manual.inc({ actor: safeText(m.actor), action: safeText(m.action) }, m.count);
    if (watch.supervision) supervision.fill(watch.supervision);
    for (const f of watch.pollFailures) pollFailures.inc({ cluster: safeText(f.cluster) }, f.count);
    // the supervisors keep the running count in Redis; each scrape copies it
    for (const c of corruptCounts) if (c.count > 0) corrupt.inc({ kind: c.kind }, c.count);
    for (const s of RUN_STATE_VIEWS) runs.set({ state: s }, 0);
    const causes = new Map<string, number>();
    const now = clock().getTime();
    for (const r of list) {
      runs.inc({ state: r.state });
      for (const [cause, n] of Object.entries(r.recoveries)) causes.set(cause, (causes.get(cause) ?? 0) + n);
      if (!isActive(r.state)) continue;
      const l = { run: safeText(r.id), name: safeText(r.name) };
      step.set(l, r.step);
      iters.set(l, r.trainIters);
      attempt.set(l, r.attempt);
      if (r.lastLoss !== undefined) loss.set(l, r.lastLoss);
      const t = tokensPerSecond(r);
      if (t !== undefined) tps.set(l, t);
      if (r.mfuPct !== undefined) mfu.set(l, r.mfuPct);
      if (r.stepTimeSeconds !== undefined) stepSeconds.set(l, r.stepTimeSeconds);
      const left = etaSeconds(r);
      if (left !== undefined) eta.set(l, left);
      if (r.spent) hoursSpent.set(l, r.spent.deviceHours);
      if (r.estimate) {
        hoursPlanned.set({ ...l, bound: "fast" }, r.estimate.deviceHours.fast);
        hoursPlanned.set({ ...l, bound: "slow" }, r.estimate.deviceHours.slow);
      }
      if (r.lastProgressAt) age.set(l, Math.max(0, (now - Date.parse(r.lastProgressAt)) / 1000));
      if (r.goodput?.ett !== undefined) ett.set(l, r.goodput.ett);
      slowdowns.inc(l, watch.slowdowns.get(r.id) ?? 0);
      for (const [category, seconds] of Object.entries(r.goodput?.split ?? {}))
        goodput.set({ ...l, category: safeText(category) }, seconds);
    }
    for (const [cause, n] of causes) if (n > 0) recoveries.inc({ cause }, n);
    for (const p of polls) {
      if (p.seconds === undefined || p.at === undefined) continue; // only failures known so far
      poll.set({ cluster: p.cluster }, p.seconds);
      const at = Date.parse(p.at);
      if (Number.isFinite(at)) pollAge.set({ cluster: p.cluster }, Math.max(0, (now - at) / 1000));
    }
  }

  /** what the watch metrics need beyond the run list: supervision, poll failures, slowdown events */
  async function readWatch(list: readonly RunSummary[]): Promise<WatchRead> {
    const active = list.filter((r) => isActive(r.state));
    const [view, pollFailureCounts, slowdownCounts] = await Promise.all([
      model.supervision?.(),
      model.slurmPollFailures?.() ?? Promise.resolve([]),
      Promise.all(
        active.map(
          async (r) =>
            [r.id, (await model.eventsSince(r.id)).filter((e) => e.type === "slowdown").length] as const
        )
      )
    ]);
    return {
      ...(view ? { supervision: view } : {}),
      pollFailures: pollFailureCounts,
      slowdowns: new Map(slowdownCounts)
    };
  }

  return {
    registry,
    async scrape() {
      let ok = true;
      try {
        const [list, polls, corruptCounts, manualCounts] = await Promise.all([
          model.listRuns(),
          model.slurmPolls?.() ?? Promise.resolve([]),
          model.corruptRecords?.() ?? Promise.resolve([]),
          model.manualActions?.() ?? Promise.resolve([])
        ]);
        fill(list, polls, corruptCounts, manualCounts, await readWatch(list));
      } catch {
        ok = false;
        clear();
        scrapeErrors.inc();
      }
      return { ok, text: await registry.metrics() };
    }
  };
}
