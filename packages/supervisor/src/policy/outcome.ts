import type { BudgetClass, Evidence } from "../model.ts";
import type { Decision } from "./decision.ts";
import type { DecisionContext } from "./context.ts";
import { resumeParams } from "./context.ts";

/** The decisions `decide` and its helpers end in, and the evidence every one carries. */

/** Recover with the class's budget, or stop in attention when it is spent. */
export function recover(
  ctx: DecisionContext,
  cls: BudgetClass | "planned",
  cancel: boolean,
  blame: readonly string[],
  cause: string
): Decision {
  if (cls !== "planned") {
    const used = ctx.run.budgetsUsed[cls];
    const limit = ctx.run.resilience.budgets[cls];
    if (used >= limit) {
      return {
        kind: "attention",
        cancel,
        cause: `${cause}; but the ${cls} budget is spent (${used}/${limit})`,
        evidence: ev(ctx, { nodes: [...blame] })
      };
    }
  }
  const next = resumeParams(ctx, blame);
  return {
    kind: "recover",
    class: cls,
    cancel,
    next,
    blame: [...blame],
    cause,
    evidence: ev(ctx, {
      nodes: [...blame],
      checkpoint: next.load.kind === "resume" ? (next.load.iteration ?? null) : null
    }),
    crashLoop: null,
    tradeoffs: []
  };
}

export function complete(ctx: DecisionContext, cause: string): Decision {
  return { kind: "complete", cause, evidence: ev(ctx) };
}

export function ev(ctx: DecisionContext, extra: Evidence = {}): Evidence {
  const lines = [...ctx.obs.errorLines.slice(-5), ...ctx.obs.tail.slice(-5)];
  return {
    ...(ctx.job ? { slurmState: ctx.job.state, jobId: ctx.job.jobId } : {}),
    ...(lines.length ? { logLines: lines } : {}),
    ...extra
  };
}
