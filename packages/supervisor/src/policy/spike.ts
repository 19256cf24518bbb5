import type { Decision } from "./decision.ts";
import type { DecisionContext } from "./context.ts";
import { excludeFor, newestCheckpoint } from "./context.ts";
import type { LossAlarm } from "../ports.ts";
import type { Evidence } from "../model.ts";
import type { Resilience } from "@neoxctl/core";

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
  const lr = nextLr(lrFrom, policy);
  if (lr.kind === "at_floor" && policy.at_min_lr === "attention") {
    return attention(
      `${why}; the LR ${lrFrom.toExponential(3)} is already at the spike policy's floor: lowering it again would go below min_lr ${lr.minLr}, and spike.at_min_lr is attention`,
      evidence
    );
  }
  return rollback(
    ctx,
    alarm,
    target,
    lr,
    `${why}; rolling back to step ${target} (≥ ${policy.rollback_min_steps_before} steps before onset)`,
    evidence
  );
}

/** The rollback itself: resume from `target` with the LR `lr` says and, when due, a new seed. */
function rollback(
  ctx: DecisionContext,
  alarm: LossAlarm,
  target: number,
  lr: NextLr,
  what: string,
  evidence: Evidence
): Decision {
  const policy = ctx.run.resilience.spike;
  const lrFrom = ctx.run.params.lr;
  const lrTo = lr.kind === "at_floor" ? lrFrom : lr.lr;
  const seedFrom = ctx.run.params.seed;
  // at the floor the data order is the one thing left to change, whatever change_seed says
  const seedTo = lr.kind === "at_floor" || policy.change_seed ? seedFrom + 1 : seedFrom;
  const reseeded = seedTo !== seedFrom;
  return {
    kind: "recover",
    class: "spike",
    cancel: true,
    next: {
      ...ctx.run.params,
      load: { kind: "resume", iteration: target },
      lr: lrTo,
      seed: seedTo,
      excludeNodes: excludeFor(ctx)
    },
    blame: [],
    cause:
      `${what} ${describeLr(lrFrom, lr, policy.lr_factor)}` +
      (reseeded
        ? ` and seed ${seedFrom} → ${seedTo} (other batches follow; the run is no longer bitwise reproducible from its spec)`
        : ""),
    evidence: { ...evidence, checkpoint: target },
    crashLoop: null,
    rollback: { onsetStep: alarm.onsetStep, toStep: target, lrFrom, lrTo },
    tradeoffs: reseeded
      ? [
          `seed ${seedFrom} → ${seedTo}: the data order changes so the spike batches are not replayed, at the cost of bitwise reproducibility of this run (the rest of the epoch follows the new order: some samples already trained on come again, as many others are not seen)`
        ]
      : []
  };
}

/**
 * The LR of the next rollback: lowered by lr_factor, but never below the policy's min_lr (a step
 * that would pass it stops at min_lr exactly); an LR already at (or, set by hand, under) min_lr
 * stays where it is and the rollback changes the data order instead.
 */
type NextLr =
  | { kind: "lowered"; lr: number }
  | { kind: "clamped"; lr: number; wanted: number }
  | { kind: "at_floor"; minLr: number };

function nextLr(lrFrom: number, policy: Resilience["spike"]): NextLr {
  const wanted = lrFrom * policy.lr_factor;
  const floor = policy.min_lr;
  if (floor === undefined || wanted >= floor) return { kind: "lowered", lr: wanted };
  if (lrFrom > floor) return { kind: "clamped", lr: floor, wanted };
  return { kind: "at_floor", minLr: floor };
}

function describeLr(lrFrom: number, lr: NextLr, factor: number): string {
  const product = `${lrFrom.toExponential(3)} × ${factor.toFixed(3)}`;
  switch (lr.kind) {
    case "lowered":
      return `with LR ${product} = ${lr.lr.toExponential(3)}`;
    case "clamped":
      return `with LR ${lr.lr.toExponential(3)}, the spike policy's min_lr (${product} = ${lr.wanted.toExponential(3)} is below it)`;
    case "at_floor":
      // PaLM (arXiv 2204.02311, section 5.1) skipped the batches around a spike at an unchanged LR
      // and the spike did not recur; NeoX cannot skip batches, a new seed reshuffles them
      return `at the same LR ${lrFrom.toExponential(3)} (already at the spike policy's min_lr ${lr.minLr}) with a new data order`;
  }
}

/** which pass over the steps, when the run has rewound over them */
function pass(alarm: LossAlarm): string {
  return alarm.segment > 0 ? ` (segment ${alarm.segment}, after ${alarm.segment} rewind(s))` : "";
}

function attention(cause: string, evidence: Evidence): Decision {
  return { kind: "attention", cancel: true, cause, evidence };
}
