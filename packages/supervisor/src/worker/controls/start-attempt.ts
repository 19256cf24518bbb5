import type { EventType } from "@neoxctl/core";
import type { Attempt, AttemptParams } from "../../model.ts";
import type { Op } from "../../store/run-store.ts";
import { nextAttempt } from "../next-attempt.ts";
import { noteOps, transitionOps } from "../transition.ts";
import type { ControlContext } from "./control-context.ts";

/** What a human's resume, ack or rollback starts: attempt n+1 with these params, for this reason. */
export interface ManualStart {
  params: AttemptParams;
  type: Extract<EventType, "resumed_by_user" | "acknowledged" | "rollback_by_user" | "excluded_by_user">;
  cause: string;
  /** more ops for the same commit (a blamed node) */
  extraOps?: Op[];
}

/** Writes the intent of a manual attempt (the loop submits it) with the command's outcome; a planner refusal is recorded instead. */
export async function startAttempt(x: ControlContext, s: ManualStart): Promise<true> {
  const { c, deps } = x;
  const run = c.run;
  const prev: Attempt | undefined = x.attempt;
  let next;
  try {
    next = nextAttempt(run, prev, s.params, "manual", c.now);
  } catch (e) {
    await deps.commit(c, [
      x.done,
      ...noteOps(deps.store, run, {
        type: "control_rejected",
        cause: `${s.cause}: planner refused: ${e instanceof Error ? e.message : String(e)}`,
        evidence: {},
        at: c.now
      })
    ]);
    return true;
  }
  run.params = s.params;
  run.attempts = next.index;
  run.attention = undefined;
  const ops: Op[] = [x.done, ...(s.extraOps ?? [])];
  if (prev) ops.push(deps.store.putAttempt(run.id, prev));
  ops.push(deps.store.putAttempt(run.id, next));
  ops.push(
    ...transitionOps(deps.store, run, "recovering", {
      type: s.type,
      cause: s.cause,
      evidence: { configDiff: next.diff, detail: { nextAttempt: next.index } },
      at: c.now,
      attempt: prev?.index
    })
  );
  await deps.commit(c, ops);
  return true;
}
