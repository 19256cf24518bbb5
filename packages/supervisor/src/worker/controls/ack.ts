import { noBudgetUsed } from "../../model.ts";
import type { ControlCommand } from "./command.ts";
import type { ControlContext } from "./control-context.ts";
import { reject } from "./control-context.ts";
import { restartParams } from "./resume.ts";
import { startAttempt } from "./start-attempt.ts";

/** `neoxctl ack`: a human has dealt with the cause; budgets and the crash-loop count start over, then as resume. */
export async function ack(x: ControlContext<Extract<ControlCommand, { kind: "ack" }>>): Promise<true> {
  const run = x.c.run;
  if (run.state !== "needs_attention") return reject(x, `run is ${run.state}, not needs_attention`);
  const { params, from } = await restartParams(x);
  run.budgetsUsed = noBudgetUsed();
  run.crashLoop = null;
  return startAttempt(x, {
    params,
    type: "acknowledged",
    cause: `acknowledged by the user: budgets and crash-loop count reset, resuming from ${from ?? "the start"}`
  });
}
