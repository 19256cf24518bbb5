import { isTerminal } from "../../run-state.ts";
import type { Committer, RunCycle } from "../cycle.ts";
import type { ControlCommand } from "./command.ts";
import type { ControlContext } from "./control-context.ts";
import { reject } from "./control-context.ts";
import { cancel } from "./cancel.ts";
import { resume } from "./resume.ts";
import { ack } from "./ack.ts";
import { rollback } from "./rollback.ts";

/** Handles the oldest queued command, if any; true when one was handled (the run changed). */
export async function applyControl(deps: Committer, c: RunCycle): Promise<boolean> {
  const { store } = deps;
  const raw = await store.redis.lindex(store.keys.control(c.run.id), 0);
  if (!raw) return false;
  const cmd = JSON.parse(raw) as ControlCommand;
  const attempt = await store.getAttempt(c.run.id, c.run.attempts);
  const x: ControlContext = {
    deps,
    c,
    cmd,
    done: { op: "lrem", key: store.keys.control(c.run.id), value: raw },
    attempt,
    job: attempt?.jobId ? c.jobs.get(attempt.jobId) : undefined,
    excludeNodes: (await store.badNodes(c.run.id, c.now)).map((b) => b.node)
  };
  if (isTerminal(c.run.state)) return reject(x, `run is ${c.run.state}`);
  switch (cmd.kind) {
    case "cancel":
      return cancel({ ...x, cmd });
    case "resume":
      return resume({ ...x, cmd });
    case "ack":
      return ack({ ...x, cmd });
    case "rollback":
      return rollback({ ...x, cmd });
  }
}
