import { timelineCheckpoints } from "../../adapters/checkpoints.ts";
import type { AttemptParams } from "../../model.ts";
import type { ControlCommand } from "./command.ts";
import type { ControlContext } from "./control-context.ts";
import { reject } from "./control-context.ts";
import { startAttempt } from "./start-attempt.ts";

/** Parameters of a human's restart: the run's own, from its newest complete checkpoint, away from bad nodes. */
export async function restartParams(
  x: ControlContext
): Promise<{ params: AttemptParams; from: number | undefined }> {
  const run = x.c.run;
  const ckpts = await timelineCheckpoints(x.c.cluster.exec, run);
  const newest = ckpts[ckpts.length - 1];
  return {
    params: {
      ...run.params,
      excludeNodes: x.excludeNodes,
      load: newest === undefined ? run.params.load : { kind: "resume", iteration: newest }
    },
    from: newest
  };
}

/** `neoxctl resume`: a run waiting for a human goes on from its newest checkpoint; budgets stay spent. */
export async function resume(x: ControlContext<Extract<ControlCommand, { kind: "resume" }>>): Promise<true> {
  if (x.c.run.state !== "needs_attention") return reject(x, `run is ${x.c.run.state}, not needs_attention`);
  const { params, from } = await restartParams(x);
  return startAttempt(x, {
    params,
    type: "resumed_by_user",
    cause: `resumed by the user from ${from ?? "the start"}`
  });
}
