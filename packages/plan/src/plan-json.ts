import type { Attempt, Plan } from "./types.ts";

export interface AttemptRefs {
  jobName: string;
  comment: string;
  /** relative to the run directory */
  logPath: string;
  configPaths: string[];
}

/** The machine-readable plan: what the supervisor and monitor read back (schema version 1). */
export function planJson(plan: Plan, attempt: Attempt, refs: AttemptRefs): Record<string, unknown> {
  const d = plan.data;
  return {
    version: 1,
    run: { name: plan.spec.name, runId: attempt.runId, cluster: plan.profile.name, runDir: plan.runDir },
    attempt: { ...attempt, ...refs },
    layout: plan.layout,
    model: { preset: plan.spec.model.preset, ...plan.arch },
    schedule: {
      lr: attempt.lr ?? plan.spec.training.lr,
      min_lr: plan.spec.training.min_lr,
      warmup: plan.spec.training.warmup,
      decay_style: plan.spec.training.decay_style
    },
    checkpoints: { save: plan.spec.checkpointing.save, init: plan.spec.init.checkpoint, ...plan.checkpoints },
    data: {
      strategy: d.strategy,
      grouping: d.grouping,
      datasets: d.datasets.length,
      blend: d.entries,
      byTier: d.byTier,
      byLanguage: d.byLanguage
    },
    resilience: plan.spec.resilience,
    estimates: plan.estimates
  };
}
