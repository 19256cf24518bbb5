import type { Decision } from "./decision.ts";
import type { DecisionContext } from "./context.ts";
import { excludeFor, newestCheckpoint } from "./context.ts";
import type { LossAlarm } from "../ports.ts";
import type { Evidence } from "../model.ts";

/**
 * Loss spike, NaN or divergence seen in the running attempt. A spike gets the configured window to
 * recover by itself (BLOOM tr11 saw one recover in ~30 iterations); NaN and divergence do not.
 */
export function decideLossAlarm(ctx: DecisionContext, alarm: LossAlarm, jobEnded = false): Decision {
  const policy = ctx.run.resilience.spike;
  const evidence = {
    logLines: alarm.lines,
    detail: { kind: alarm.kind, onsetStep: alarm.onsetStep, step: alarm.step, segment: alarm.segment }
  };
  if (!alarm.actionable)
    return {
      kind: "note",
      note: "spike_watch",
      cause: `loss ${alarm.kind} at step ${alarm.onsetStep}${pass(alarm)}: one point that came straight back; notice only, no action`,
      evidence,
      blame: []
    };
  if (alarm.recovered) {
    return {
      kind: "note",
      note: "spike_recovered",
      cause: `loss ${alarm.kind} at step ${alarm.onsetStep} recovered by step ${alarm.recoveredAt ?? alarm.step}; continuing`,
      evidence,
      blame: []
    };
  }
  if (!policy.enabled)
    return {
      kind: "note",
      note: "spike_watch",
      cause: `loss ${alarm.kind} at step ${alarm.onsetStep}; spike policy disabled`,
      evidence,
      blame: []
    };
  const last = ctx.obs.lastIteration ?? alarm.step;
  // a job that has ended will log no more steps: its window can show no recovery any more
  if (alarm.kind === "spike" && !jobEnded && last - alarm.onsetStep < policy.recover_window_steps) {
    return {
      kind: "wait",
      cause: `loss spike at step ${alarm.onsetStep}: waiting up to ${policy.recover_window_steps} steps for recovery`
    };
  }
  const why =
    (alarm.kind !== "spike"
      ? `loss ${alarm.kind} at step ${alarm.onsetStep}`
      : last - alarm.onsetStep < policy.recover_window_steps
        ? `loss spike at step ${alarm.onsetStep} not recovered when the job ended at step ${last}`
        : `loss spike at step ${alarm.onsetStep} did not recover within ${policy.recover_window_steps} steps`) +
    pass(alarm);

  const recent = ctx.run.rollbacks.filter(
    (r) => r.onsetStep > alarm.onsetStep - policy.rollback_window_steps
  );
  if (recent.length >= policy.max_rollbacks_per_window) {
    return attention(
      `${why}; already ${recent.length} rollbacks within ${policy.rollback_window_steps} steps (cap ${policy.max_rollbacks_per_window})`,
      evidence
    );
  }
  if (ctx.run.budgetsUsed.spike >= ctx.run.resilience.budgets.spike) {
    return attention(
      `${why}; spike budget spent (${ctx.run.budgetsUsed.spike}/${ctx.run.resilience.budgets.spike})`,
      evidence
    );
  }
  const limit = alarm.onsetStep - policy.rollback_min_steps_before;
  const target = newestCheckpoint(ctx, limit);
  if (target === undefined) {
    return attention(`${why}; no complete checkpoint at or before step ${limit} to roll back to`, evidence);
  }
  const lrFrom = ctx.run.params.lr;
  const lrTo = lrFrom * policy.lr_factor;
  if (policy.min_lr !== undefined && lrTo < policy.min_lr) {
    return attention(
      `${why}; lowering the LR to ${lrTo.toExponential(3)} would go below min_lr ${policy.min_lr}`,
      evidence
    );
  }
  const tradeoffs: string[] = [];
  let seed = ctx.run.params.seed;
  if (policy.change_seed) {
    seed += 1;
    tradeoffs.push(
      `seed ${ctx.run.params.seed} → ${seed}: the data order changes so the spike batches are not replayed, at the cost of bitwise reproducibility of this run`
    );
  }
  return {
    kind: "recover",
    class: "spike",
    cancel: true,
    next: {
      ...ctx.run.params,
      load: { kind: "resume", iteration: target },
      lr: lrTo,
      seed,
      excludeNodes: excludeFor(ctx)
    },
    blame: [],
    cause: `${why}; rolling back to step ${target} (≥ ${policy.rollback_min_steps_before} steps before onset) with LR ${lrFrom.toExponential(3)} × ${policy.lr_factor.toFixed(3)} = ${lrTo.toExponential(3)}`,
    evidence: { ...evidence, checkpoint: target },
    crashLoop: null,
    rollback: { onsetStep: alarm.onsetStep, toStep: target, lrFrom, lrTo },
    tradeoffs
  };
}

/** which pass over the steps, when the run has rewound over them */
function pass(alarm: LossAlarm): string {
  return alarm.segment > 0 ? ` (segment ${alarm.segment}, after ${alarm.segment} rewind(s))` : "";
}

function attention(cause: string, evidence: Evidence): Decision {
  return { kind: "attention", cancel: true, cause, evidence };
}
