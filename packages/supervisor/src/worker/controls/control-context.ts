import type { Attempt } from "../../model.ts";
import type { JobView } from "../../ports.ts";
import type { Op } from "../../store/run-store.ts";
import type { Committer, RunCycle } from "../cycle.ts";
import { noteOps } from "../transition.ts";
import type { ControlCommand } from "./command.ts";

/** What every control verb works from: the command, the run's current attempt and job, and the op that dequeues the command. */
export interface ControlContext<C extends ControlCommand = ControlCommand> {
  deps: Committer;
  c: RunCycle;
  cmd: C;
  /** removes the command from the run's queue, in the same commit as its outcome */
  done: Op;
  attempt: Attempt | undefined;
  job: JobView | undefined;
  /** the run's bad-node list now (expired blames dropped): exclusions of any attempt a human starts */
  excludeNodes: string[];
}

/** Records that a command was refused, and why; the command leaves the queue. */
export async function reject(x: ControlContext, why: string): Promise<true> {
  await x.deps.commit(x.c, [
    x.done,
    ...noteOps(x.deps.store, x.c.run, {
      type: "control_rejected",
      cause: `${x.cmd.kind}: ${why}`,
      evidence: { detail: { ...x.cmd } },
      at: x.c.now
    })
  ]);
  return true;
}
